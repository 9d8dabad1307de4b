def min_distance(word1: str, word2: str) -> int:
    # Dynamic programming over prefixes, one row at a time: row[j] is the edit
    # distance between the current prefix of word1 and word2[:j].
    if len(word1) < len(word2):
        word1, word2 = word2, word1  # the distance is symmetric; keep rows short
    previous = list(range(len(word2) + 1))
    for i, a in enumerate(word1, 1):
        current = [i]
        left, diagonal = i, previous[0]
        for j, b in enumerate(word2, 1):
            up = previous[j]
            if a == b:
                best = diagonal
            else:
                best = min(diagonal, up, left) + 1  # replace, delete, insert
            current.append(best)
            left, diagonal = best, up
        previous = current
    return previous[-1]
