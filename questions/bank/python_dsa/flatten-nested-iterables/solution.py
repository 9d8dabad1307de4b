from itertools import islice


def flatten(obj):
    if isinstance(obj, (str, bytes)):
        yield obj
        return
    try:
        items = iter(obj)
    except TypeError:
        # Not iterable: an atom.
        yield obj
        return
    for item in items:
        # yield from hands each atom straight through: nothing is collected.
        yield from flatten(item)


def take_flat(data, limit=None):
    # Used by the tests; leave it as it is.
    return list(islice(flatten(data), limit))
