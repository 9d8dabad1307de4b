# REFERENCE-SOLUTION-MARKER
from collections import Counter


def count_pairs(nums, target):
    seen = Counter()
    total = 0
    for value in nums:
        total += seen[target - value]
        seen[value] += 1
    return total
