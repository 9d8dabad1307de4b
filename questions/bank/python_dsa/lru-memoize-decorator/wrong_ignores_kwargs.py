# Wrong on purpose: keys on the positional arguments only, so calls that differ in a keyword argument collide.
import functools
from collections import OrderedDict


def lru_memoize(maxsize):
    def decorator(function):
        cache = OrderedDict()  # key -> result, least recently used first

        @functools.wraps(function)  # keeps __name__, __doc__, __wrapped__
        def wrapper(*args, **kwargs):
            # Keyword order must not matter: sort the keyword items. A marker keeps
            # f(1, 2) and f(1, y=2) apart.
            key = args
            if key in cache:
                cache.move_to_end(key)  # a hit makes the entry the most recently used
                return cache[key]
            result = function(*args, **kwargs)  # an exception propagates and caches nothing
            if maxsize is None or maxsize > 0:
                cache[key] = result
                if maxsize is not None and len(cache) > maxsize:
                    cache.popitem(last=False)  # evict the least recently used
            return result

        return wrapper

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
