# Wrong on purpose: measures a popped bar's width from its own index, forgetting
# that it also stretches left over the taller bars popped before it.
def largest_rectangle_area(heights: list[int]) -> int:
    best = 0
    stack: list[int] = []
    for i, h in enumerate(heights + [0]):
        while stack and heights[stack[-1]] >= h:
            top = stack.pop()
            best = max(best, heights[top] * (i - top))
        stack.append(i)
    return best
