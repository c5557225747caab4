"""Django's Redis cache backend, made safe for an outage of the cache server.

A cache is an optimisation: when Redis cannot be reached, every operation answers as a
miss (``get`` gives the default, ``set`` stores nothing, ``add`` says "stored") and the
pages are built from the database. Three things keep that cheap and visible:

* short timeouts (``socket_connect_timeout``/``socket_timeout``, 0.25 s and 0.5 s unless
  ``OPTIONS`` say otherwise) and no retries inside redis-py;
* a circuit breaker per process: the first failure opens it and, while it is open, no
  request talks to the cache at all; a background thread probes the server every
  ``CIRCUIT_PROBE_INTERVAL`` seconds (default 2) and closes it when the server answers;
* a log line (``dziennik.cache``) for each change of state, and ``state()`` for the
  readiness endpoint.

Versions bumped while the cache was unreachable are lost with the outage. So before the
breaker closes, the probe moves the *outage epoch* (``OUTAGE_EPOCH_KEY``), a version that
every versioned key carries (``core.cache.EPOCH_SCOPE``): everything cached before the
outage is out of date at once, and no page whose data changed meanwhile can come back
(docs/production.md, section 3a, argues the choice).

Django builds a new ``redis.Redis`` object for every cache operation; with redis-py 6+
that costs more than the network round trip (it rebuilds a table of ~170 response
callbacks each time). A ``Redis`` client is thread-safe over its pool, so one per pool
is enough.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger("dziennik.cache")

# The version every versioned cache key carries (core.cache.EPOCH_SCOPE): moved when the
# cache comes back after an outage.
OUTAGE_EPOCH_KEY = "v:epoch"

DEFAULT_OPTIONS = {
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.5,
    "health_check_interval": 0,
}
DEFAULT_PROBE_INTERVAL = 2.0


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def set_many(self, data, timeout):
        """One ``MSET`` for values that never expire (versions); else one ``SET … EX`` per
        entry, pipelined without ``MULTI``/``EXEC``: each is atomic on its own, and
        nothing needs a page and its parts written as one (Django's ``MSET`` and an
        ``EXPIRE`` per key inside a transaction cost a page's write about twice)."""
        client = self.get_client(None, write=True)
        if timeout is None:
            client.mset({k: self._serializer.dumps(v) for k, v in data.items()})
        elif timeout == 0:
            client.delete(*data)
        else:
            pipeline = client.pipeline(transaction=False)
            for key, value in data.items():
                pipeline.set(key, self._serializer.dumps(value), ex=timeout)
            pipeline.execute()


@dataclass(frozen=True)
class CacheState:
    """What the readiness endpoint reports of the cache."""

    available: bool
    down_since: float | None  # time.time() of the first failure of the current outage


class CircuitBreaker:
    """Open after a failure; closed again by ``probe`` succeeding (one per process)."""

    def __init__(self, name: str, probe_interval: float):
        self.name = name
        self.probe_interval = probe_interval
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self._prober: threading.Thread | None = None

    @property
    def is_open(self) -> bool:
        return self.down_since is not None

    def failed(self, error: BaseException, probe) -> None:
        """Open (and start probing) unless open already."""
        with self._lock:
            if self.down_since is not None:
                return
            self.down_since = time.time()
            logger.warning(
                "Cache %s unreachable (%s: %s): pages are built from the database until it "
                "answers again",
                self.name,
                type(error).__name__,
                error,
            )
            self._prober = threading.Thread(
                target=self._probe_until_closed,
                args=(probe,),
                name=f"cache-probe-{self.name}",
                daemon=True,
            )
            self._prober.start()

    def _probe_until_closed(self, probe) -> None:
        while True:
            time.sleep(self.probe_interval)
            try:
                probe()
            except RedisError:
                continue
            with self._lock:
                lasted = time.time() - (self.down_since or time.time())
                self.down_since = None
                self._prober = None
            logger.warning(
                "Cache %s reachable again after %.1f s; everything cached before the outage "
                "is out of date (outage epoch moved)",
                self.name,
                lasted,
            )
            return


def _base(cache: RedisCache) -> DjangoRedisCache:
    """The plain Django backend's methods (no guard), for the guarded ones to call."""
    return super(RedisCache, cache)


class RedisCache(DjangoRedisCache):
    """Django's Redis backend with one client per pool and the outage behaviour above."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        probe_interval = float(options.pop("CIRCUIT_PROBE_INTERVAL", DEFAULT_PROBE_INTERVAL))
        for name, value in DEFAULT_OPTIONS.items():
            options.setdefault(name, value)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self.breaker = CircuitBreaker(",".join(self._servers), probe_interval)

    def validate_key(self, key):
        """Nothing to check: Redis takes any key, and the warnings about what memcached
        would refuse (every key's every character, on every operation) cost a page built
        afresh about as much as one of its round trips."""

    def state(self) -> CacheState:
        """The cache as this process sees it; asks the server when the breaker is closed."""
        if not self.breaker.is_open:
            self._guarded(lambda: self._cache.get_client().ping(), None)
        return CacheState(not self.breaker.is_open, self.breaker.down_since)

    def _probe(self) -> None:
        """Answering again: move the outage epoch before anything is read from it."""
        self._cache.get_client(write=True).ping()
        super().set(OUTAGE_EPOCH_KEY, time.time_ns(), timeout=None)

    def _guarded(self, operation, fallback):
        if self.breaker.is_open:
            return fallback
        try:
            return operation()
        except RedisError as error:
            self.breaker.failed(error, self._probe)
            return fallback

    # A failed ``add`` answers True: callers use it to claim "I am first" (one queued
    # task, a version's first value) and an outage must not stop the work; an extra task
    # is harmless, the tasks are idempotent.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: _base(self).add(key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        return self._guarded(lambda: _base(self).get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: _base(self).set(key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: _base(self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return self._guarded(lambda: _base(self).delete(key, version), False)

    def get_many(self, keys, version=None):
        return self._guarded(lambda: _base(self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._guarded(lambda: _base(self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        # Unreachable reads as "no such key", which ``incr``'s callers already handle.
        missing = object()
        found = self._guarded(lambda: _base(self).incr(key, delta, version), missing)
        if found is missing:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return found

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = list(data)
        return self._guarded(lambda: _base(self).set_many(data, timeout, version), failed)

    def delete_many(self, keys, version=None):
        return self._guarded(lambda: _base(self).delete_many(keys, version), None)

    def clear(self):
        return self._guarded(lambda: _base(self).clear(), False)
