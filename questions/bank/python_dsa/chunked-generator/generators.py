from itertools import count, islice


def infinite_counter():
    # count() never ends: only a lazy chunks() can return the first 4 chunks.
    return [count(), 3, 4]


def infinite_mapped_generator():
    # A generator expression over an infinite iterator, chunks of 1.
    return [(n * n for n in count(1)), 1, 5]


class _Tripwire:
    """Yields 1..6, then raises if anyone asks for a 7th item."""

    def __init__(self):
        self.n = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.n += 1
        if self.n > 6:
            raise RuntimeError("read past the items the consumer asked for")
        return self.n


def stops_where_consumer_stops():
    # Two chunks of 3 need exactly items 1..6; pulling a 7th raises.
    return [_Tripwire(), 3, 2]


def short_tail_from_generator():
    # A finite generator of 10 items in chunks of 4: the last chunk has 2.
    return [(letter for letter in "abcdefghij"), 4, None]


def large_input():
    # 20,000 items in chunks of 7: the last chunk holds 20000 % 7 == 1 item.
    return [range(20_000), 7, None]
