# Wrong on purpose: checks that another item exists before yielding each chunk, so it
# pulls one item more than the chunk needs (and breaks on a source that must not be
# read past the point the consumer stopped).
from itertools import islice


def chunks(iterable, size):
    if size < 1:
        raise ValueError("size must be at least 1")
    iterator = iter(iterable)
    sentinel = object()
    item = next(iterator, sentinel)
    while item is not sentinel:
        chunk = [item]
        for item in iterator:
            if len(chunk) == size:
                break
            chunk.append(item)
        else:
            item = sentinel
        yield chunk


def take_chunks(data, size, limit=None):
    # Used by the tests; leave it as it is.
    try:
        return [list(chunk) for chunk in islice(chunks(data, size), limit)]
    except ValueError:
        return "ValueError"
