"""The shared cache (REDIS_URL) on a real Redis server, and what happens when it stops:
pages keep answering, rendered, and /healthz says the cache is down."""

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
    from sironet.settings import redis_caches

    settings.REDIS_URL = URL
    settings.CACHES = redis_caches(URL)
    caches["pages"].clear()
    return redis_server


@pytest.mark.django_db
def test_pages_are_kept_in_redis_and_served_when_it_stops(client, redis_caches):
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert caches["pages"].client.get_client().dbsize() > 0  # kept in Redis
    assert client.get("/healthz").json()["cache"] == "ok"

    redis_caches.kill()
    redis_caches.wait()
    for url in PAGES:
        assert client.get(url).status_code == 200, url  # rendered
        assert client.get(url).status_code == 200, url
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {
        "status": "degraded",
        "databases": {"default": "ok"},
        "cache": "down",
        "worker": "absent",  # its heartbeat was in Redis
        "releases": {"missing": []},
    }


def test_while_redis_is_down_the_cache_forgets_without_failing(redis_caches):
    cache = caches["rows"]
    redis_caches.kill()
    redis_caches.wait()
    started = time.monotonic()
    cache.set("row", "kept")
    assert cache.get("row") is None
    assert cache.get_many(["row", "other"]) == {}
    assert time.monotonic() - started < 1  # a refused connection answers at once
