"""Read replicas (DATABASE_REPLICA_URLS, edge/routing.py): public pages read one
replica's snapshot, never an older version than the process served; everything else,
and every write, goes to the primary.

The replicas here are extra SQLite databases added for the test: one holding the same
version as the primary (with another time of change, so a page's ETag tells which
database served it), one behind it, one that cannot be opened."""

import logging

import pytest
from django.db import OperationalError, connections

from edge import routing
from outcomes import models
from outcomes.dataversion import Version, current_version
from tests.conftest import REPLICA_CHANGED, add_replica, remove_replica

pytestmark = pytest.mark.django_db


def served_by_replica(response):
    replica_tag = Version(current_version().number, REPLICA_CHANGED).tag
    return response["ETag"].startswith(f'"v{replica_tag}.')


def test_writes_and_migrations_go_to_the_primary_reads_to_the_scope():
    router = routing.ReplicaRouter()
    assert router.db_for_read(models.Outcome) == "default"
    with routing.reading("replica_0"):
        assert router.db_for_read(models.Outcome) == "replica_0"
        assert router.db_for_write(models.Outcome) == "default"
        with routing.primary():
            assert router.db_for_read(models.Outcome) == "default"
    assert router.allow_migrate("default", "outcomes")
    assert not router.allow_migrate("replica_0", "outcomes")


def test_a_visitor_reads_the_replica_and_nothing_else_does(client, replica):
    response = client.get("/about/")
    assert response.status_code == 200
    assert served_by_replica(response)
    # Outside a public page (a management command, a shell), reads go to the primary.
    assert routing.choose_replica() is None
    assert current_version() != current_version(replica)


def test_an_editor_reads_the_primary(editor_client, replica):
    response = editor_client.get("/about/")
    assert response.status_code == 200
    assert not served_by_replica(response)


def test_a_lagging_replica_never_takes_the_version_backwards(client, replica):
    primary = current_version()
    routing.saw_version(primary.number)
    models.DataVersion.objects.using(replica).filter(pk=1).update(version=primary.number - 1)
    response = client.get("/about/")
    assert response.status_code == 200
    assert response["ETag"].startswith(f'"v{primary.tag}.')  # the primary served it
    # Caught up: the replica serves again.
    models.DataVersion.objects.using(replica).filter(pk=1).update(version=primary.number)
    assert served_by_replica(client.get("/about/"))


def refuse():
    raise OperationalError("connection refused")


def test_a_replica_down_is_passed_over_with_a_log_line(client, monkeypatch, caplog):
    monkeypatch.setattr(routing, "_down_until", {})
    add_replica("replica_0")
    monkeypatch.setattr(connections["replica_0"], "ensure_connection", refuse)
    try:
        with caplog.at_level(logging.WARNING, logger="edge.routing"):
            response = client.get("/about/")
        assert response.status_code == 200
        assert response["ETag"].startswith(f'"v{current_version().tag}.')
        assert "Replica replica_0 does not answer" in caplog.text
        assert routing.is_down("replica_0")
        assert routing.choose_replica() is None

        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {
            "status": "degraded",
            "databases": {"default": "ok", "replica_0": "down"},
            "cache": "local",
            "worker": "absent",
            "releases": {"missing": []},
        }
    finally:
        remove_replica("replica_0")


def test_health_reports_each_replica(client, replica, worker_alive):
    assert client.get("/healthz").json() == {
        "status": "ok",
        "databases": {"default": "ok", "replica_0": "ok"},
        "cache": "local",
        "worker": "ok",
        "releases": {"missing": []},
    }
