# Wrong on purpose: treats t as a set of characters, ignoring how many times each
# one appears.
def min_window(s: str, t: str) -> str:
    need = set(t)
    counts: dict[str, int] = {}
    covered = 0
    left = 0
    best = ""
    for right, ch in enumerate(s):
        if ch in need:
            counts[ch] = counts.get(ch, 0) + 1
            if counts[ch] == 1:
                covered += 1
        while covered == len(need):
            if not best or right - left + 1 < len(best):
                best = s[left : right + 1]
            gone = s[left]
            if gone in need:
                counts[gone] -= 1
                if counts[gone] == 0:
                    covered -= 1
            left += 1
    return best
