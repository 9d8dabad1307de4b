from sandbox.compare import Comparison, text_diff, values_match


def test_it_compares_exactly_and_does_not_confuse_bool_with_int():
    assert values_match([0, 1], [0, 1], Comparison.EXACT)
    assert not values_match([0, 1], [1, 0], Comparison.EXACT)
    assert not values_match(1, True, Comparison.EXACT)
    assert not values_match([1], [True], Comparison.EXACT)
    assert values_match({"a": [1, 2]}, {"a": [1, 2]}, Comparison.EXACT)


def test_it_ignores_whitespace_runs_only_in_whitespace_mode():
    assert values_match("1 2\n3\n", "1  2 3", Comparison.WHITESPACE)
    assert not values_match("1 2 3", "123", Comparison.WHITESPACE)
    assert not values_match("1 2\n3\n", "1  2 3", Comparison.EXACT)


def test_it_compares_floats_within_tolerance_nested_and_printed():
    assert values_match([[0.1, 0.2]], [[0.1 + 1e-9, 0.2]], Comparison.FLOAT, 1e-6)
    assert not values_match([[0.1, 0.2]], [[0.1001, 0.2]], Comparison.FLOAT, 1e-6)
    assert not values_match([0.1, 0.2], [0.1], Comparison.FLOAT, 1e-6)
    assert values_match("0.3333333 yes", "0.33333334 yes", Comparison.FLOAT, 1e-6)
    assert not values_match("0.5 yes", "0.5 no", Comparison.FLOAT, 1e-6)


def test_it_compares_unordered_lists_as_multisets():
    assert values_match([[1, 2], [3]], [[3], [1, 2]], Comparison.UNORDERED)
    assert not values_match([[1, 2], [3]], [[3], [2, 1]], Comparison.UNORDERED)
    assert not values_match([1, 1, 2], [1, 2, 2], Comparison.UNORDERED)


def test_it_shows_a_unified_diff():
    diff = text_diff("a\nb\nc", "a\nB\nc")
    assert "-b" in diff and "+B" in diff
