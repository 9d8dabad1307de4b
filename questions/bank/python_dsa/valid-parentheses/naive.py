import sys


def is_valid(s: str) -> bool:
    # Remove adjacent matched pairs until nothing changes: one pass per nesting level.
    while True:
        shorter = s.replace("()", "").replace("[]", "").replace("{}", "")
        if shorter == s:
            return not s
        s = shorter


def main() -> None:
    s = sys.stdin.readline().strip()
    print("true" if is_valid(s) else "false")


if __name__ == "__main__":
    main()
