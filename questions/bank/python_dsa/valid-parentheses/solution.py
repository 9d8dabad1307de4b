import sys

MATCHING = {")": "(", "]": "[", "}": "{"}


def is_valid(s: str) -> bool:
    stack: list[str] = []
    for ch in s:
        if ch in MATCHING:
            if not stack or stack.pop() != MATCHING[ch]:
                return False
        else:
            stack.append(ch)
    return not stack


def main() -> None:
    s = sys.stdin.readline().strip()
    print("true" if is_valid(s) else "false")


if __name__ == "__main__":
    main()
