import random
import string


def _alien_sorted(rng, n, letters):
    order = list(letters)
    rng.shuffle(order)
    rank = {ch: i for i, ch in enumerate(order)}
    words = ["".join(rng.choices(letters, k=rng.randint(1, 20))) for _ in range(n)]
    words.sort(key=lambda w: [rank[ch] for ch in w])
    return words


def large_consistent():
    # 10,000 words over all 26 letters, sorted by a random alien order.
    # Comparing every pair of words is 5 * 10**7 comparisons.
    rng = random.Random(41)
    return [_alien_sorted(rng, 10_000, string.ascii_lowercase)]


def large_contradiction_at_the_end():
    # 9,999 words over 12 letters sorted by a random alien order, then a last word
    # that starts with the alien-first letter: it closes a cycle that only shows up
    # at the very end of the list.
    rng = random.Random(42)
    words = _alien_sorted(rng, 9_999, string.ascii_lowercase[:12])
    words.append(words[0][0] + "z")
    return [words]
