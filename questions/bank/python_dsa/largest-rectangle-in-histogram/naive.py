def largest_rectangle_area(heights: list[int]) -> int:
    # Correct but O(n**2): every left edge, extended to the right while tracking
    # the lowest bar so far.
    best = 0
    for left in range(len(heights)):
        lowest = heights[left]
        for right in range(left, len(heights)):
            if heights[right] < lowest:
                lowest = heights[right]
            area = lowest * (right - left + 1)
            if area > best:
                best = area
    return best
