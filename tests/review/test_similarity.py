"""Winnowing fingerprints: robust to renaming, reformatting and reordering; not fooled
into matching code that merely shares idioms."""

from __future__ import annotations

from review.similarity import code_fingerprints, compare, text_fingerprints

ORIGINAL = """
def count_pairs(nums, target):
    seen = {}
    total = 0
    for value in nums:
        total += seen.get(target - value, 0)
        seen[value] = seen.get(value, 0) + 1
    return total


def longest_run(values):
    best = current = 0
    previous = None
    for v in values:
        current = current + 1 if v == previous else 1
        best = max(best, current)
        previous = v
    return best
"""

DISGUISED = """
# my own work, honest
def longest_run(xs):
    b = c = 0
    p = None
    for x in xs:
        c = c + 1 if x == p else 1
        b = max(b, c)
        p = x
    return b

def count_pairs(arr, goal):
    counts = {}
    answer = 0
    for item in arr:
        answer += counts.get(goal - item, 0)
        counts[item] = counts.get(item, 0) + 1
    return answer
"""

INDEPENDENT = """
from collections import Counter

def count_pairs(nums, target):
    counter = Counter(nums)
    pairs = 0
    for value, count in counter.items():
        other = target - value
        if other == value:
            pairs += count * (count - 1) // 2
        elif value < other:
            pairs += count * counter[other]
    return pairs
"""


def test_renamed_reformatted_and_reordered_code_still_matches():
    match = compare(code_fingerprints(ORIGINAL), code_fingerprints(DISGUISED))
    assert match.similarity > 0.8
    assert match.regions  # line ranges to show side by side
    (a_start, a_end), (b_start, b_end) = match.regions[0]
    assert 1 <= a_start <= a_end and 1 <= b_start <= b_end


def test_independent_solutions_of_the_same_problem_do_not_match():
    assert compare(code_fingerprints(ORIGINAL), code_fingerprints(INDEPENDENT)).similarity < 0.3


def test_copied_text_matches_despite_case_and_punctuation():
    a = "We shard the cache with consistent hashing and virtual nodes, replicate each shard three times, and evict with LRU."
    b = "Intro first. we shard THE cache with consistent hashing and virtual nodes; replicate each shard three times and evict with lru!"
    c = "A token bucket per user in Redis, refilled lazily on each request, with a Lua script for atomicity."
    assert compare(text_fingerprints(a), text_fingerprints(b)).similarity > 0.8
    assert compare(text_fingerprints(a), text_fingerprints(c)).similarity == 0.0
