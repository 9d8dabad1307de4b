# Wrong on purpose: get does not count as a use, so keys leave in insertion order
# (a FIFO cache) however often they are read.
class LRUCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.values: dict[int, int] = {}  # dicts keep insertion order

    def get(self, key: int) -> int:
        return self.values.get(key, -1)

    def put(self, key: int, value: int) -> None:
        if key in self.values:
            del self.values[key]
        elif len(self.values) == self.capacity:
            del self.values[next(iter(self.values))]
        self.values[key] = value


def run_lru_cache(capacity: int, operations: list[list]) -> list[int | None]:
    # Provided: creates your cache and applies the operations. Keep it as it is.
    cache = LRUCache(capacity)
    results: list[int | None] = []
    for op in operations:
        if op[0] == "put":
            cache.put(op[1], op[2])
            results.append(None)
        else:
            results.append(cache.get(op[1]))
    return results
