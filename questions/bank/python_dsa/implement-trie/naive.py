def run_trie(operations: list[list[str]]) -> list[bool | None]:
    # Correct but O(number of words * L) per question: scans every stored word.
    words: list[str] = []
    results: list[bool | None] = []
    for op, text in operations:
        if op == "insert":
            words.append(text)
            results.append(None)
        elif op == "search":
            results.append(any(w == text for w in words))
        else:
            results.append(any(w.startswith(text) for w in words))
    return results
