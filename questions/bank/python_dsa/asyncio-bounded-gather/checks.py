"""Judges what run_bounded returned, as plain data (no candidate code runs here)."""


def _common(call):
    delays, limit = call["args"]
    result = call["result"]
    assert isinstance(result, dict), "run_bounded must return a dict with 'results', 'peak' and 'finished'"
    for key in ("results", "peak", "finished"):
        assert key in result, f"the returned dict has no {key!r}"
    n = len(delays)
    expected = [f"task {i}" for i in range(n)]
    assert result["results"] == expected, "the results are not one per task in input order"
    assert sorted(result["finished"]) == list(range(n)), "not every task ran exactly once"
    peak = result["peak"]
    assert peak <= limit, f"{peak} tasks ran at once, more than the limit of {limit}"
    assert peak == min(limit, n), f"no more than {peak} task(s) ever ran at once, but the limit allows {min(limit, n)}"
    return delays, limit, result


def bounded_and_in_order(calls):
    for call in calls:
        _common(call)


def refills_free_slots(calls):
    for call in calls:
        delays, limit, result = _common(call)
        # Task 0 is far slower than all the others together: as soon as a slot frees
        # up the next task must start, so every other task ends before task 0.
        assert result["finished"][-1] == 0, "a slow task held up tasks that had a free slot to run in"
