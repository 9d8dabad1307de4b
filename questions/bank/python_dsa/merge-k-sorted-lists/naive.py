def merge_k_lists(lists: list[list[int]]) -> list[int]:
    # Correct but O(N * k): compares the heads of all k lists to take each value.
    positions = [0] * len(lists)
    merged = []
    while True:
        best = -1
        for i, values in enumerate(lists):
            if positions[i] < len(values) and (best < 0 or values[positions[i]] < lists[best][positions[best]]):
                best = i
        if best < 0:
            return merged
        merged.append(lists[best][positions[best]])
        positions[best] += 1
