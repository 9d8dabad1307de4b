def alien_order(words: list[str]) -> str:
    # words are sorted by an unknown letter order. Return every letter that appears,
    # in an order consistent with them (the smallest such string), or "" if none is.
    pass
