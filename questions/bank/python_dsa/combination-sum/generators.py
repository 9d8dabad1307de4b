def large_small_parts():
    # 295 combinations, but about 7.8 * 10**7 ordered sequences sum to 50.
    return [[11, 7, 5, 3, 2], 50]


def large_many_candidates():
    # 1,908 combinations from nine candidates; about 2.3 * 10**7 ordered sequences.
    return [[12, 4, 9, 5, 11, 6, 10, 7, 8], 60]
