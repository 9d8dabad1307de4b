def largest_rectangle_area(heights: list[int]) -> int:
    # heights[i] is the height of bar i (each bar is 1 wide).
    # Return the area of the largest rectangle inside the histogram.
    pass
