from itertools import islice


def chunks(iterable, size):
    if size < 1:
        raise ValueError("size must be at least 1")
    # One iterator shared by every islice: each chunk resumes where the last stopped.
    # (islice on the list itself would restart at the beginning every time.)
    iterator = iter(iterable)
    while True:
        chunk = list(islice(iterator, size))
        if not chunk:
            return
        yield chunk


def take_chunks(data, size, limit=None):
    # Used by the tests; leave it as it is.
    try:
        return [list(chunk) for chunk in islice(chunks(data, size), limit)]
    except ValueError:
        return "ValueError"
