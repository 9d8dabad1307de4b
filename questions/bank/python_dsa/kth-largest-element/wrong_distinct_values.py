# Wrong on purpose: drops duplicates, so it returns the k-th largest distinct value.
import heapq


def find_kth_largest(nums: list[int], k: int) -> int:
    distinct = list(set(nums))
    return heapq.nlargest(min(k, len(distinct)), distinct)[-1]
