def min_distance(word1: str, word2: str) -> int:
    # Correct but exponential: plain recursion that solves the same pairs of
    # suffixes again and again (no memoization).
    def distance(i: int, j: int) -> int:
        if i == len(word1):
            return len(word2) - j
        if j == len(word2):
            return len(word1) - i
        if word1[i] == word2[j]:
            return distance(i + 1, j + 1)
        return 1 + min(
            distance(i + 1, j + 1),  # replace
            distance(i + 1, j),      # delete
            distance(i, j + 1),      # insert
        )

    return distance(0, 0)
