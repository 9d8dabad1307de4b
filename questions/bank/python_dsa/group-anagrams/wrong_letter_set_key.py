# Wrong on purpose: keys the groups by the set of letters, so "aab" and "abb" (same
# letters, different counts) end up in one group.
def group_anagrams(strs: list[str]) -> list[list[str]]:
    groups: dict[frozenset[str], list[str]] = {}
    for word in strs:
        groups.setdefault(frozenset(word), []).append(word)
    return [sorted(group) for group in groups.values()]
