def coin_change(coins: list[int], amount: int) -> int:
    # Correct but O(len(coins) * amount**2 / coin): adds the coin values one at a
    # time, and for every amount tries every possible number of the new coin.
    impossible = float("inf")
    fewest = [0] + [impossible] * amount
    for coin in coins:
        updated = fewest[:]
        for a in range(amount + 1):
            count = 1
            while count * coin <= a:
                if fewest[a - count * coin] + count < updated[a]:
                    updated[a] = fewest[a - count * coin] + count
                count += 1
        fewest = updated
    return -1 if fewest[amount] == impossible else fewest[amount]
