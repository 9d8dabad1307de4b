def run_trie(operations: list[list[str]]) -> list[bool | None]:
    # Each operation is ["insert", word], ["search", word] or ["starts_with", prefix].
    # Return one result per operation: None for insert, True/False for the queries.
    pass
