# Wrong on purpose: only inserts and deletes (len1 + len2 - 2 * longest common
# subsequence), forgetting that one replacement does the work of both.
def min_distance(word1: str, word2: str) -> int:
    previous = [0] * (len(word2) + 1)
    for a in word1:
        current = [0]
        for j, b in enumerate(word2, 1):
            current.append(previous[j - 1] + 1 if a == b else max(previous[j], current[j - 1]))
        previous = current
    return len(word1) + len(word2) - 2 * previous[-1]
