from config.redis_cache import RedisCache


def test_the_redis_cache_keeps_one_client_per_connection_pool():
    backend = RedisCache("redis://127.0.0.1:1/0", {})
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client
    assert client.connection_pool is backend._cache._get_connection_pool(write=False)


def test_several_servers_keep_a_client_each():
    backend = RedisCache("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0", {})
    writer = backend._cache.get_client(write=True)
    assert writer.connection_pool.connection_kwargs["port"] == 1
    assert backend._cache.get_client(write=True) is writer


def test_keys_are_not_checked_for_memcached_limits(recwarn):
    backend = RedisCache("redis://127.0.0.1:1/0", {})
    backend.make_and_validate_key("seite mit leerzeichen " + "x" * 300)
    assert not recwarn.list
