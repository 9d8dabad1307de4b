def coin_change(coins: list[int], amount: int) -> int:
    # Return the fewest coins that add up to amount, or -1 if it cannot be done.
    pass
