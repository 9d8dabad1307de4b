def length_of_longest_substring(s: str) -> int:
    last_seen: dict[str, int] = {}
    start = 0
    best = 0
    for i, ch in enumerate(s):
        previous = last_seen.get(ch)
        if previous is not None and previous >= start:
            start = previous + 1
        last_seen[ch] = i
        if i - start + 1 > best:
            best = i - start + 1
    return best
