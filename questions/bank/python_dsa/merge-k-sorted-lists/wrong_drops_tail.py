# Wrong on purpose: merges the lists two at a time, but drops what is left of the
# first list once the second one runs out.
def merge_two(a: list[int], b: list[int]) -> list[int]:
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    return out + b[j:]


def merge_k_lists(lists: list[list[int]]) -> list[int]:
    merged: list[int] = []
    for values in lists:
        merged = merge_two(merged, values) if merged else list(values)
    return merged
