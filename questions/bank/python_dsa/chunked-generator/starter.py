from itertools import islice


def chunks(iterable, size):
    # Yield consecutive lists of `size` items from `iterable`; the last may be shorter.
    # Must be lazy: it is tested on infinite iterators.
    raise NotImplementedError


def take_chunks(data, size, limit=None):
    # Used by the tests; leave it as it is.
    try:
        return [list(chunk) for chunk in islice(chunks(data, size), limit)]
    except ValueError:
        return "ValueError"
