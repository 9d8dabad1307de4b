import sys


def is_valid(s: str) -> bool:
    # Return True if every bracket in s is closed by the same type, in the right order.
    pass


def main() -> None:
    s = sys.stdin.readline().strip()
    print("true" if is_valid(s) else "false")


if __name__ == "__main__":
    main()
