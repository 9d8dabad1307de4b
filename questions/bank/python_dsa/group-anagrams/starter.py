def group_anagrams(strs: list[str]) -> list[list[str]]:
    # Return the groups of anagrams, each group sorted ascending, groups in any order.
    pass
