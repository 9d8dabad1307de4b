# Wrong on purpose: forgets the bars still on the stack when the input ends, so
# rectangles that reach the right edge are never measured.
def largest_rectangle_area(heights: list[int]) -> int:
    best = 0
    stack: list[int] = []
    for i, h in enumerate(heights):
        while stack and heights[stack[-1]] >= h:
            top = stack.pop()
            left = stack[-1] + 1 if stack else 0
            best = max(best, heights[top] * (i - left))
        stack.append(i)
    return best
