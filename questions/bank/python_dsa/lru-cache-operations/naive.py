class LRUCache:
    # Correct but O(capacity) per call: the keys sit in a list ordered by use, and
    # moving or removing one shifts or scans the list.
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.values: dict[int, int] = {}
        self.order: list[int] = []  # least recently used first

    def get(self, key: int) -> int:
        if key not in self.values:
            return -1
        self.order.remove(key)
        self.order.append(key)
        return self.values[key]

    def put(self, key: int, value: int) -> None:
        if key in self.values:
            self.order.remove(key)
        elif len(self.values) == self.capacity:
            del self.values[self.order.pop(0)]
        self.values[key] = value
        self.order.append(key)


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
