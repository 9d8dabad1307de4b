class LRUCache:
    def __init__(self, capacity: int) -> None:
        pass

    def get(self, key: int) -> int:
        # The value for key, or -1. Counts as a use of key.
        pass

    def put(self, key: int, value: int) -> None:
        # Store value for key; on a new key in a full cache, first remove the
        # least recently used key.
        pass


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
