import random

CLOSING = {"(": ")", "[": "]", "{": "}"}


def _deeply_nested(rng: random.Random, depth: int) -> str:
    opening = [rng.choice("([{") for _ in range(depth)]
    return "".join(opening) + "".join(CLOSING[ch] for ch in reversed(opening))


def large_deeply_nested():
    # 50,000 brackets opened, then all closed in order: valid. Removing adjacent
    # matched pairs only peels one nesting level per pass, so that takes 50,000
    # passes over the string.
    rng = random.Random(11)
    return _deeply_nested(rng, 50_000) + "\n"


def large_wrong_outer_bracket():
    # The same shape, but the outermost bracket is closed by the wrong type, so the
    # mismatch only shows once every inner level has been matched.
    rng = random.Random(12)
    s = _deeply_nested(rng, 50_000)
    wrong = {")": "]", "]": "}", "}": ")"}[s[-1]]
    return s[:-1] + wrong + "\n"
