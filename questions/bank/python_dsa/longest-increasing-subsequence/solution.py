from bisect import bisect_left


def length_of_lis(nums: list[int]) -> int:
    # tails[i] is the smallest value that ends an increasing subsequence of
    # length i + 1 so far; it stays sorted, so each value is placed by binary search.
    tails: list[int] = []
    for value in nums:
        i = bisect_left(tails, value)
        if i == len(tails):
            tails.append(value)
        else:
            tails[i] = value
    return len(tails)
