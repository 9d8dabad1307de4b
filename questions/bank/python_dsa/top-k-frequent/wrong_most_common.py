# Wrong on purpose: Counter.most_common breaks ties by first appearance, not by value.
from collections import Counter


def top_k_frequent(nums: list[int], k: int) -> list[int]:
    return [value for value, _ in Counter(nums).most_common(k)]
