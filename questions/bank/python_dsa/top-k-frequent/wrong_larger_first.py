# Wrong on purpose: sorts (count, value) pairs descending, so ties put the larger value first.
from collections import Counter


def top_k_frequent(nums: list[int], k: int) -> list[int]:
    pairs = sorted(((count, value) for value, count in Counter(nums).items()), reverse=True)
    return [value for _, value in pairs[:k]]
