"""Django's Redis cache backend, keeping one client per connection pool.

The stock client builds a new `redis.Redis` for every cache call; constructing one sets up
its response callbacks, which costs more than a round trip to a local Redis. A client is
thread-safe and draws connections from its pool, so one per pool is enough. Keys are not
checked character by character for memcached's limits: Redis keys may hold any bytes.
"""

from django.core.cache.backends import redis
from redis.exceptions import RedisError

# What a cache call raises when Redis cannot be reached or answers with an error.
CACHE_ERRORS = (RedisError,)


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        pass
