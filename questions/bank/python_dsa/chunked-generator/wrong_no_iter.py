# Wrong on purpose: slices the iterable itself instead of one shared iterator. On an
# iterator it works, but on a list or a string every islice starts again at item 0,
# so it yields the first chunk forever.
from itertools import islice


def chunks(iterable, size):
    if size < 1:
        raise ValueError("size must be at least 1")
    while True:
        chunk = list(islice(iterable, size))
        if not chunk:
            return
        yield chunk


def take_chunks(data, size, limit=None):
    # Used by the tests; leave it as it is.
    try:
        return [list(chunk) for chunk in islice(chunks(data, size), limit)]
    except ValueError:
        return "ValueError"
