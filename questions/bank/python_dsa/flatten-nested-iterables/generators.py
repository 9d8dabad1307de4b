from itertools import count


def tuples_ranges_sets():
    # A tuple, a range, a one-item set and a tuple in a list: all containers.
    return [[(1, 2), range(3, 5), [(6,)], {7}], None]


def generator_inside():
    # A generator expression nested in a list, then a string that must stay whole.
    return [[0, (x * 10 for x in range(3)), "zz"], None]


def infinite_inside():
    # count(3) never ends: only a lazy flatten returns the first 6 atoms.
    return [[1, [2, count(3)]], 6]


def infinite_after_strings():
    # Strings next to an infinite iterator of tuples of strings.
    return [["ab", ((f"k{n}", n) for n in count())], 7]


def bytes_are_atoms():
    # bytes, like str, is an atom; a bytearray does not appear.
    return [[b"ab", [b"cd", ("ef", b"")]], None]


def deep_nesting():
    # 200 levels of lists around a single atom, then a sibling atom.
    data = "bottom"
    for _ in range(199):
        data = [data]
    return [[data, 1], None]
