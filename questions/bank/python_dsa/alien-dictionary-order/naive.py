def alien_order(words: list[str]) -> str:
    # Correct but O(len(words)**2 * L): takes a constraint from every pair of words,
    # not just neighbours, then picks the smallest free letter by rescanning.
    letters = sorted({ch for word in words for ch in word})
    before: set[tuple[str, str]] = set()
    for i in range(len(words)):
        for j in range(i + 1, len(words)):
            first, second = words[i], words[j]
            k = 0
            while k < len(first) and k < len(second) and first[k] == second[k]:
                k += 1
            if k < len(first) and k < len(second):
                before.add((first[k], second[k]))
            elif len(first) > len(second):
                return ""
    order = []
    remaining = set(letters)
    while remaining:
        free = [ch for ch in sorted(remaining) if not any((p, ch) in before for p in remaining)]
        if not free:
            return ""
        order.append(free[0])
        remaining.remove(free[0])
    return "".join(order)
