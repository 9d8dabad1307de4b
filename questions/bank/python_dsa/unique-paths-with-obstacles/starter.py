def unique_paths_with_obstacles(grid: list[list[int]]) -> int:
    # 0 is a free cell, 1 an obstacle. Moving only right or down, count the paths
    # from the top-left to the bottom-right cell, modulo 1_000_000_007.
    pass
