def coin_change(coins: list[int], amount: int) -> int:
    # fewest[a] is the fewest coins adding up to a; amount + 1 means "impossible"
    # (no answer ever needs more than `amount` coins).
    impossible = amount + 1
    fewest = [0] + [impossible] * amount
    for coin in coins:
        for a in range(coin, amount + 1):
            candidate = fewest[a - coin] + 1
            if candidate < fewest[a]:
                fewest[a] = candidate
    return fewest[amount] if fewest[amount] <= amount else -1
