"""The shared cache's configuration, read by settings (so no Django import here).

The cache holds short-lived counters (API throttling). In production it must be
shared by every web process, so it lives in Redis, next to the broker but in a
database of its own, where flushing it never touches queued tasks.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

_REDIS_SCHEMES = ("redis", "rediss")
_REDIS_DATABASES = 16


def cache_url_from_broker(broker_url: str) -> str:
    """The broker's Redis with the next database number (0 -> 1, 15 -> 0), or
    ``locmem://`` when the broker is not Redis."""
    parts = urlsplit(broker_url)
    if parts.scheme not in _REDIS_SCHEMES:
        return "locmem://"
    path = parts.path.strip("/")
    database = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(database + 1) % _REDIS_DATABASES}"))


def cache_config(url: str) -> dict[str, Any]:
    """A CACHES entry for ``redis://...``, ``rediss://...`` or ``locmem://``."""
    scheme = urlsplit(url).scheme
    if scheme in _REDIS_SCHEMES:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "mockloop",
            # A cache that does not answer must not hold a request for long.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mockloop"}
    raise ImproperlyConfigured(f"CACHE_URL must be redis://, rediss:// or locmem://, not {url!r}")
