# Wrong on purpose: treats every iterable as a container, strings included. A
# one-character string iterates to itself, so it recurses until RecursionError.
from itertools import islice


def flatten(obj):
    try:
        items = iter(obj)
    except TypeError:
        yield obj
        return
    for item in items:
        yield from flatten(item)


def take_flat(data, limit=None):
    # Used by the tests; leave it as it is.
    return list(islice(flatten(data), limit))
