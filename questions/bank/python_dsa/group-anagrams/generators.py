import random
import string


def large_many_groups():
    # 100,000 words of length 6 drawn from 40,000 random anagram classes, with
    # shuffled letters: comparing each word with the representative of every group
    # found so far is quadratic.
    rng = random.Random(91)
    classes = [rng.choices(string.ascii_lowercase, k=6) for _ in range(40_000)]
    words = []
    for _ in range(100_000):
        letters = rng.choice(classes)[:]
        rng.shuffle(letters)
        words.append("".join(letters))
    return [words]
