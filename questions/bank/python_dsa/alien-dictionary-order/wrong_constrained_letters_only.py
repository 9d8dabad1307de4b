# Wrong on purpose: builds the order only from letters that appear in some
# constraint, dropping letters nothing is known about.
import heapq


def alien_order(words: list[str]) -> str:
    after: dict[str, set[str]] = {}
    indegree: dict[str, int] = {}
    for first, second in zip(words, words[1:]):
        for a, b in zip(first, second):
            if a != b:
                after.setdefault(a, set())
                after.setdefault(b, set())
                indegree.setdefault(a, 0)
                indegree.setdefault(b, 0)
                if b not in after[a]:
                    after[a].add(b)
                    indegree[b] += 1
                break
        else:
            if len(first) > len(second):
                return ""
    ready = [ch for ch in indegree if indegree[ch] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        ch = heapq.heappop(ready)
        order.append(ch)
        for nxt in after[ch]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(ready, nxt)
    return "".join(order) if len(order) == len(indegree) else ""
