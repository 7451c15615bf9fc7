"""The shared cache (REDIS_URL), and what happens when Redis goes away.

Pages and rows are kept per data version, so a cache that forgets costs time, never
correctness: when Redis does not answer, each process keeps its own copies in local
memory for DOWN_SECONDS, logs it once, then tries Redis again. A visitor never sees
a 500 for it. (An import's file waiting between preview and confirmation, in the
"default" cache, may then be missing on another app server: the editor imports again.)
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long a process keeps to its local memory after Redis failed to answer.
DOWN_SECONDS = 30


class FallbackRedisCache(RedisCache):
    """Django's Redis cache, backed by a per-process LocMemCache while Redis is down.

    Settings: as RedisCache, plus FALLBACK_MAX_ENTRIES (the local cache's bound)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self.server = server
        self.local = LocMemCache(
            f"fallback-{id(self)}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": params.get("FALLBACK_MAX_ENTRIES", 300)},
            },
        )
        self.down_until = 0.0

    def is_down(self):
        return time.monotonic() < self.down_until

    def ping(self):
        """Whether Redis answers now (for /healthz)."""
        try:
            return bool(self._cache.get_client(write=True).ping())  # type: ignore[attr-defined]
        except RedisError:
            return False

    def _fall_back(self, error):
        self.down_until = time.monotonic() + DOWN_SECONDS
        logger.warning(
            "Redis does not answer (%s): caching in this process for %ss.", error, DOWN_SECONDS
        )


def _with_fallback(name):
    def method(self, *args, **kwargs):
        if not self.is_down():
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except RedisError as error:
                self._fall_back(error)
        return getattr(self.local, name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FallbackRedisCache, _name, _with_fallback(_name))


def shared_cache_state():
    """ "local" without Redis, else "ok" or "down" as Redis answers now."""
    if not settings.REDIS_URL:
        return "local"
    pages = caches["pages"]
    assert isinstance(pages, FallbackRedisCache)
    return "ok" if pages.ping() else "down"
