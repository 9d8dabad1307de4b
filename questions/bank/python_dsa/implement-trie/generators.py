import random
import string


def large_many_misses():
    # 20,000 random words of 8-20 letters, then 20,000 questions that mostly miss:
    # scanning every stored word per question is about 4 * 10**8 comparisons.
    rng = random.Random(17)
    letters = string.ascii_lowercase
    words = ["".join(rng.choices(letters, k=rng.randint(8, 20))) for _ in range(20_000)]
    ops = [["insert", w] for w in words]
    for _ in range(20_000):
        r = rng.random()
        if r < 0.1:
            w = rng.choice(words)
            ops.append(["search", w])
        elif r < 0.2:
            w = rng.choice(words)
            ops.append(["starts_with", w[: rng.randint(1, len(w))]])
        elif r < 0.6:
            ops.append(["search", "".join(rng.choices(letters, k=rng.randint(6, 20)))])
        else:
            ops.append(["starts_with", "".join(rng.choices(letters, k=rng.randint(5, 12)))])
    return [ops]
