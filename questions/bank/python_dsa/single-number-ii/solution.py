def single_number(nums: list[int]) -> int:
    # For each bit, count its occurrences modulo 3 with two bitmasks:
    # `ones` holds the bits seen 1 (mod 3) times, `twos` those seen 2 (mod 3) times.
    # Python's integers behave as infinitely sign-extended two's complement, so
    # negative numbers need no special case.
    ones = twos = 0
    for x in nums:
        ones = (ones ^ x) & ~twos
        twos = (twos ^ x) & ~ones
    return ones
