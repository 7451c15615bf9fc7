"""The shared cache (REDIS_URL) on a real Redis server, and what happens when it stops:
pages keep answering from each process's memory, with a log line (edge/caching.py)."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches

from tests.conftest import need

PORT = 56379
URL = f"redis://127.0.0.1:{PORT}/0"
PAGES = ["/", "/outcomes/", "/outcomes/?country=mm", "/countries/mm/", "/about/"]


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    need(binary is not None, "redis-server is missing: apt-get install redis-server")
    server = subprocess.Popen(
        [binary, "--port", str(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if answers(PORT):
                break
            time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield server
    finally:
        server.kill()
        server.wait()


@pytest.fixture
def redis_caches(settings, redis_server):
    settings.REDIS_URL = URL
    settings.CACHES = {
        alias: {
            "BACKEND": "edge.caching.FallbackRedisCache",
            "LOCATION": URL,
            "KEY_PREFIX": alias,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            "FALLBACK_MAX_ENTRIES": 100,
        }
        for alias in ("default", "pages", "rows")
    }
    caches["pages"].clear()
    return redis_server


@pytest.mark.django_db
def test_pages_are_kept_in_redis_and_served_when_it_stops(client, redis_caches, caplog):
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert caches["pages"]._cache.get_client().dbsize() > 0  # kept in Redis
    assert client.get("/healthz").json()["cache"] == "ok"

    redis_caches.kill()
    redis_caches.wait()
    with caplog.at_level(logging.WARNING, logger="edge.caching"):
        for url in PAGES:
            assert client.get(url).status_code == 200, url
            assert client.get(url).status_code == 200, url  # now from local memory
    assert "Redis does not answer" in caplog.text
    # Once per cache for the pause, not once per request.
    assert caplog.text.count("Redis does not answer") <= len(caches.settings)
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {
        "status": "degraded",
        "databases": {"default": "ok"},
        "cache": "down",
        "worker": "absent",  # its heartbeat was in Redis
    }


def test_the_local_fallback_keeps_what_is_set_while_redis_is_down(redis_caches):
    cache = caches["rows"]
    redis_caches.kill()
    redis_caches.wait()
    cache.set("row", "kept")
    assert cache.get("row") == "kept"
    assert cache.get_many(["row", "other"]) == {"row": "kept"}
