import heapq


def alien_order(words: list[str]) -> str:
    letters = {ch for word in words for ch in word}
    after: dict[str, set[str]] = {ch: set() for ch in letters}
    # Only neighbouring words matter: the rest follows by transitivity.
    for first, second in zip(words, words[1:]):
        for a, b in zip(first, second):
            if a != b:
                after[a].add(b)
                break
        else:
            if len(first) > len(second):
                return ""  # a longer word listed before its own prefix
    indegree = {ch: 0 for ch in letters}
    for ch in letters:
        for nxt in after[ch]:
            indegree[nxt] += 1
    # Kahn's algorithm with a min-heap: always take the smallest letter that is free.
    ready = [ch for ch in letters if indegree[ch] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        ch = heapq.heappop(ready)
        order.append(ch)
        for nxt in after[ch]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, nxt)
    return "".join(order) if len(order) == len(letters) else ""
