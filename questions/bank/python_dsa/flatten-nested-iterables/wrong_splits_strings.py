# Wrong on purpose: avoids the infinite recursion by stopping at one-character
# strings, so "ab" comes out as "a", "b".
from itertools import islice


def flatten(obj):
    if isinstance(obj, str) and len(obj) <= 1:
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
