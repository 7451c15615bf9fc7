"""On PostgreSQL, each process hears new data versions (edge/listen.py) instead of reading
the version on every public request; it reads it again when it has not heard for a while."""

import time

import pytest
from django.db import connection, transaction

from edge import listen
from outcomes.dataversion import bump_data_version, current_version

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def listener(settings, monkeypatch):
    settings.DATA_VERSION_LISTEN = True
    fresh = listen.VersionListener()
    monkeypatch.setattr(listen, "listener", fresh)
    yield fresh
    fresh.stop()


def heard(listener, number, seconds=5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (known := listener.known()) is not None and known.number == number:
            return known
        time.sleep(0.02)
    raise AssertionError(f"version {number} not heard within {seconds} s: {listener.version}")


@pytest.mark.skipif(not POSTGRESQL, reason="LISTEN/NOTIFY is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_heard_and_a_kept_page_then_costs_no_query(
    client, listener, django_assert_num_queries
):
    from outcomes.seeding import seed

    seed()
    assert listen.listening()
    assert listener.known() is None  # the thread starts, and has not read yet
    heard(listener, current_version().number)
    client.get("/about/")  # kept
    with django_assert_num_queries(0):
        assert client.get("/about/").status_code == 200
    with transaction.atomic():
        made = bump_data_version()
    # The version this process made is known at once, the notification follows.
    assert listener.known() == made
    response = client.get("/about/")
    assert response["ETag"].startswith(f'"v{made.tag}.')


@pytest.mark.skipif(not POSTGRESQL, reason="LISTEN/NOTIFY is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_another_processs_change_is_heard_at_once_or_read_within_seconds(listener):
    from django.db import connections

    from outcomes.dataversion import CHANNEL

    heard(listener, bump_data_version().number)  # (a flushed database has no version yet)
    other = connections.create_connection("default")  # as another process commits
    try:
        with other.cursor() as cursor:
            bump = "UPDATE outcomes_dataversion SET version = version + 1 WHERE id = 1"
            cursor.execute(bump + " RETURNING version")
            (number,) = cursor.fetchone()
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, f"{number}.0"])
            started = time.monotonic()
            heard(listener, number)
            assert time.monotonic() - started < listen.CHECK_SECONDS  # notified
            cursor.execute(bump + " RETURNING version")  # a change nobody notified
            (number,) = cursor.fetchone()
    finally:
        other.close()
    heard(listener, number, seconds=listen.CHECK_SECONDS * 3)  # read by the thread


@pytest.mark.django_db
def test_a_listener_that_has_not_confirmed_lately_is_not_trusted(listener, monkeypatch):
    monkeypatch.setattr(listener, "start", lambda: None)  # no thread: nothing confirms
    listener.thread = "not started"
    listener.heard(current_version(), read=True)
    assert listener.known() == current_version()
    listener.confirmed -= listen.STALE_SECONDS + 1
    assert listener.known() is None
    assert listen.primary_version() == current_version()  # read on the request


def test_notifications_never_move_the_version_back():
    from outcomes.dataversion import Version, parse_tag

    listener = listen.VersionListener()
    newer, older = parse_tag("8.5f5e100"), parse_tag("7.5f5e0ff")
    listener.heard(newer)
    listener.heard(older)  # a notification still queued when this process made 8
    assert listener.version == newer
    listener.heard(older, read=True)  # the server says 7: a restored database
    assert listener.version == older
    assert parse_tag(newer.tag) == newer and isinstance(newer, Version)
