# Wrong on purpose: jumps the window start to the last occurrence even when that
# occurrence is already left of the window, so the window can move backwards.
def length_of_longest_substring(s: str) -> int:
    last_seen: dict[str, int] = {}
    start = 0
    best = 0
    for i, ch in enumerate(s):
        if ch in last_seen:
            start = last_seen[ch] + 1
        last_seen[ch] = i
        best = max(best, i - start + 1)
    return best
