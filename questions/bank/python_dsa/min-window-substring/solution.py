from collections import Counter


def min_window(s: str, t: str) -> str:
    need = Counter(t)
    missing = len(t)  # characters of t not yet covered by the window s[left:right + 1]
    left = 0
    best_start, best_length = 0, len(s) + 1
    for right, ch in enumerate(s):
        if need[ch] > 0:
            missing -= 1
        need[ch] -= 1
        if missing == 0:
            # Drop characters from the left while the window stays valid.
            while need[s[left]] < 0:
                need[s[left]] += 1
                left += 1
            if right - left + 1 < best_length:
                best_start, best_length = left, right - left + 1
            # Give up the leftmost needed character and look for the next window.
            need[s[left]] += 1
            missing += 1
            left += 1
    return "" if best_length > len(s) else s[best_start : best_start + best_length]
