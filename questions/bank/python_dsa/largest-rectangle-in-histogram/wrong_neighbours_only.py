# Wrong on purpose: only tries single bars and pairs of neighbouring bars.
def largest_rectangle_area(heights: list[int]) -> int:
    best = max(heights)
    for a, b in zip(heights, heights[1:]):
        best = max(best, 2 * min(a, b))
    return best
