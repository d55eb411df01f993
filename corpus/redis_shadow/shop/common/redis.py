"""Our thin wrapper around redis-py: one client per process."""
import os

import redis
from redis.exceptions import ConnectionError as RedisConnectionError

_client = None


def get_client():
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    return _client


def ping():
    try:
        return get_client().ping()
    except RedisConnectionError:
        return False
