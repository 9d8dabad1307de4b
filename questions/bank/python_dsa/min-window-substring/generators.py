import random
import string


def large_rare_character_at_end():
    # 99,999 random letters without "Z", then one "Z"; t needs the "Z". A window
    # grown from any start has to reach the last character, so restarting the scan
    # at every position is quadratic.
    rng = random.Random(81)
    letters = string.ascii_letters.replace("Z", "")
    s = "".join(rng.choice(letters) for _ in range(99_999)) + "Z"
    return [s, "ZaaBBc"]
