"""The grader's comparison cache keeps at most its size, dropping the least recently used first."""

from r1bench.grading.cache import BoundedCache


def test_least_recently_used_goes_first():
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recently used
    cache.put("c", 3)  # over the size: "b" goes
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


def test_missing_key_is_none():
    assert BoundedCache(1).get(("x", "y")) is None
