def max_area(height: list[int]) -> int:
    left, right = 0, len(height) - 1
    best = 0
    while left < right:
        if height[left] < height[right]:
            area = (right - left) * height[left]
            left += 1
        else:
            area = (right - left) * height[right]
            right -= 1
        if area > best:
            best = area
    return best
