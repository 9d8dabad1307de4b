def largest_rectangle_area(heights: list[int]) -> int:
    # Monotonic stack of bar indices with increasing heights. When a lower bar
    # arrives, each taller bar popped can stretch right up to it and left up to the
    # bar below it on the stack.
    best = 0
    stack: list[int] = []
    for i, h in enumerate(heights + [0]):  # the final 0 flushes the stack
        while stack and heights[stack[-1]] >= h:
            top = stack.pop()
            left = stack[-1] + 1 if stack else 0
            best = max(best, heights[top] * (i - left))
        stack.append(i)
    return best
