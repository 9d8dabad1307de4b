import random


def mid_size_mostly_different():
    # 14 and 15 characters sharing only a few letters: plain recursion makes
    # about 5 * 10**9 calls here, while the table has 15 * 16 cells.
    rng = random.Random(1)
    word1 = "".join(rng.choice("abcdefgh") for _ in range(14))
    word2 = "".join(rng.choice("efghijkl") for _ in range(15))
    return [word1, word2]


def long_strings():
    # 2,000 and 400 characters over a ten-letter alphabet: 800,000 table cells.
    rng = random.Random(8)
    word1 = "".join(rng.choice("abcdefghij") for _ in range(2_000))
    word2 = "".join(rng.choice("abcdefghij") for _ in range(400))
    return [word1, word2]
