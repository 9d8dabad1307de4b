# Wrong on purpose: flushes the buffer unconditionally at the end, so an input whose
# length is a multiple of size (or an empty input) ends with an empty chunk.
from itertools import islice


def chunks(iterable, size):
    if size < 1:
        raise ValueError("size must be at least 1")
    buffer = []
    for item in iterable:
        buffer.append(item)
        if len(buffer) == size:
            yield buffer
            buffer = []
    yield buffer


def take_chunks(data, size, limit=None):
    # Used by the tests; leave it as it is.
    try:
        return [list(chunk) for chunk in islice(chunks(data, size), limit)]
    except ValueError:
        return "ValueError"
