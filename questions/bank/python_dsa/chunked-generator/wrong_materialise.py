# Wrong on purpose: copies the whole input into a list first, so it never finishes on an
# infinite iterator and pulls every item before yielding the first chunk.
from itertools import islice


def chunks(iterable, size):
    if size < 1:
        raise ValueError("size must be at least 1")
    items = list(iterable)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def take_chunks(data, size, limit=None):
    # Used by the tests; leave it as it is.
    try:
        return [list(chunk) for chunk in islice(chunks(data, size), limit)]
    except ValueError:
        return "ValueError"
