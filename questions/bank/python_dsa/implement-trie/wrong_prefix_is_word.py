# Wrong on purpose: search only checks that the path exists, so a prefix of an
# inserted word (never inserted itself) is reported as a word.
def run_trie(operations: list[list[str]]) -> list[bool | None]:
    root: dict = {}
    results: list[bool | None] = []
    for op, text in operations:
        node = root
        if op == "insert":
            for ch in text:
                node = node.setdefault(ch, {})
            results.append(None)
            continue
        found = True
        for ch in text:
            if ch not in node:
                found = False
                break
            node = node[ch]
        results.append(found)
    return results
