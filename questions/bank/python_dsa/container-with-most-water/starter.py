def max_area(height: list[int]) -> int:
    # Return the maximum of (j - i) * min(height[i], height[j]) over all i < j.
    pass
