# Wrong on purpose: bisect_right lets equal values extend a subsequence, which
# finds the longest non-decreasing subsequence instead.
from bisect import bisect_right


def length_of_lis(nums: list[int]) -> int:
    tails: list[int] = []
    for value in nums:
        i = bisect_right(tails, value)
        if i == len(tails):
            tails.append(value)
        else:
            tails[i] = value
    return len(tails)
