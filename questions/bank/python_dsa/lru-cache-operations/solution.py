class _Node:
    __slots__ = ("key", "value", "prev", "next")

    def __init__(self, key: int = 0, value: int = 0) -> None:
        self.key = key
        self.value = value
        self.prev: _Node = self
        self.next: _Node = self


class LRUCache:
    # A dict from key to node, and a doubly linked list of nodes from the least
    # recently used (after the sentinel) to the most recently used (before it).
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.nodes: dict[int, _Node] = {}
        self.sentinel = _Node()

    def _unlink(self, node: _Node) -> None:
        node.prev.next = node.next
        node.next.prev = node.prev

    def _append(self, node: _Node) -> None:  # as the most recently used
        last = self.sentinel.prev
        last.next = node
        node.prev = last
        node.next = self.sentinel
        self.sentinel.prev = node

    def get(self, key: int) -> int:
        node = self.nodes.get(key)
        if node is None:
            return -1
        self._unlink(node)
        self._append(node)
        return node.value

    def put(self, key: int, value: int) -> None:
        node = self.nodes.get(key)
        if node is not None:
            node.value = value
            self._unlink(node)
            self._append(node)
            return
        if len(self.nodes) == self.capacity:
            oldest = self.sentinel.next
            self._unlink(oldest)
            del self.nodes[oldest.key]
        node = _Node(key, value)
        self.nodes[key] = node
        self._append(node)


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
