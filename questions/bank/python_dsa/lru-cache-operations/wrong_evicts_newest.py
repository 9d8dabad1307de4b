# Wrong on purpose: removes the MOST recently used key when the cache is full.
class LRUCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.values: dict[int, int] = {}

    def get(self, key: int) -> int:
        if key not in self.values:
            return -1
        value = self.values.pop(key)
        self.values[key] = value
        return value

    def put(self, key: int, value: int) -> None:
        if key in self.values:
            del self.values[key]
        elif len(self.values) == self.capacity:
            self.values.popitem()
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
