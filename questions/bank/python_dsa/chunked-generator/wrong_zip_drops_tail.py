# Wrong on purpose: the zip(*[iter(it)] * size) idiom drops the last, short chunk.
from itertools import islice


def chunks(iterable, size):
    if size < 1:
        raise ValueError("size must be at least 1")
    iterator = iter(iterable)
    for chunk in zip(*[iterator] * size):
        yield list(chunk)


def take_chunks(data, size, limit=None):
    # Used by the tests; leave it as it is.
    try:
        return [list(chunk) for chunk in islice(chunks(data, size), limit)]
    except ValueError:
        return "ValueError"
