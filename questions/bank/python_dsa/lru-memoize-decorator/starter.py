import functools
from collections import OrderedDict


def lru_memoize(maxsize):
    # Return a decorator that caches results keyed on the call's arguments, keeping at
    # most maxsize entries and evicting the least recently used. Do not use functools.lru_cache.
    def decorator(function):
        return function

    return decorator


def run_calls(maxsize, calls):
    # Used by the tests; leave it as it is.
    computed = []

    @lru_memoize(maxsize)
    def square_of_sum(*args, **kwargs):
        """Square of the sum of the arguments."""
        computed.append([list(args), kwargs])
        if None in args:
            raise ValueError("None is not a number")
        return (sum(args) + sum(kwargs.values())) ** 2

    results = []
    for args, kwargs in calls:
        try:
            results.append(square_of_sum(*args, **kwargs))
        except ValueError:
            results.append("ValueError")
    return {"results": results, "computed": computed, "name": square_of_sum.__name__, "doc": square_of_sum.__doc__}
