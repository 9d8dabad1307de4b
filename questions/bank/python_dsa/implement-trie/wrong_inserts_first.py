# Wrong on purpose: inserts every word before answering any question, so a
# question asked before its word was inserted already sees it.
def run_trie(operations: list[list[str]]) -> list[bool | None]:
    words = {text for op, text in operations if op == "insert"}
    prefixes = {w[:i] for w in words for i in range(1, len(w) + 1)}
    results: list[bool | None] = []
    for op, text in operations:
        if op == "insert":
            results.append(None)
        elif op == "search":
            results.append(text in words)
        else:
            results.append(text in prefixes)
    return results
