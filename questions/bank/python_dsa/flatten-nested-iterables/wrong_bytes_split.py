# Wrong on purpose: protects str but forgets bytes, so b"ab" is split into the ints 97, 98.
from itertools import islice


def flatten(obj):
    if isinstance(obj, str):
        yield obj
        return
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
