def min_distance(word1: str, word2: str) -> int:
    # Return the fewest insertions, deletions and replacements turning word1 into word2.
    pass
