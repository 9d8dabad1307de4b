def top_k_frequent(nums: list[int], k: int) -> list[int]:
    # Correct but O(n + k * distinct values): picks the best remaining value k
    # times, scanning every value each time.
    counts: dict[int, int] = {}
    for value in nums:
        counts[value] = counts.get(value, 0) + 1
    result = []
    for _ in range(k):
        best = None
        for value, count in counts.items():
            if best is None or count > counts[best] or (count == counts[best] and value < best):
                best = value
        result.append(best)
        del counts[best]
    return result
