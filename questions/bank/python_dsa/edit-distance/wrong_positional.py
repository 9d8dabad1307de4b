# Wrong on purpose: compares the strings position by position (Hamming
# distance) and adds the difference in length, never shifting characters.
def min_distance(word1: str, word2: str) -> int:
    mismatches = sum(a != b for a, b in zip(word1, word2))
    return mismatches + abs(len(word1) - len(word2))
