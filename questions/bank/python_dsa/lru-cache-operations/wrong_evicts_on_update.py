# Wrong on purpose: checks for a full cache before checking whether the key is
# already there, so updating a key in a full cache evicts another key.
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
        if len(self.values) == self.capacity:
            del self.values[next(iter(self.values))]
        self.values.pop(key, None)
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
