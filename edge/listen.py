"""The data version, pushed by PostgreSQL (LISTEN/NOTIFY) instead of read per public request
(docs/performance.md). A thread also reads it every CHECK_SECONDS (a notification may be lost
with a connection); a request reads it itself when the thread has not confirmed it for
STALE_SECONDS. Not with read replicas, nor with DATA_VERSION_LISTEN off (tests never commit)."""

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

from outcomes.dataversion import CHANNEL, Version, current_version, parse_tag

logger = logging.getLogger(__name__)

CHECK_SECONDS = 1
STALE_SECONDS = 3


class VersionListener:
    def __init__(self):
        self.version = None
        self.confirmed = 0.0  # when the thread last heard from the server (monotonic)
        self.lock = threading.Lock()
        self.thread = None
        self.stopping = threading.Event()

    def known(self):
        """The data version, or None when the thread cannot vouch for it; starts the thread."""
        if self.thread is None:
            self.start()
        return None if time.monotonic() - self.confirmed > STALE_SECONDS else self.version

    def heard(self, version, read=False):
        """Note `version`: read (the truth, even a lower number after a restore), or made or
        notified (only forward: a notification queued may be older than a change made since)."""
        with self.lock:
            if read or self.version is None or version.number > self.version.number:
                self.version = version
            if read:
                self.confirmed = time.monotonic()

    def start(self):
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="data version", daemon=True)
                self.thread.start()

    def stop(self):
        """Stop the thread (within CHECK_SECONDS) and close its connection."""
        self.stopping.set()
        if isinstance(self.thread, threading.Thread):
            self.thread.join()

    def run(self):
        while not self.stopping.is_set():
            try:
                self.listen()
            except DatabaseError as error:
                logger.warning("Listening for data versions failed (%s): reading them.", error)
            finally:
                connections["default"].close()
            self.stopping.wait(CHECK_SECONDS)

    def listen(self):
        connection = connections["default"]
        connection.ensure_connection()
        raw = connection.connection
        raw.execute(f"LISTEN {CHANNEL}")
        while not self.stopping.is_set():
            # Read after LISTEN: a change committed from now on is heard.
            self.heard(current_version(), read=True)
            for notice in raw.notifies(timeout=CHECK_SECONDS):
                self.heard(parse_tag(notice.payload))


listener = VersionListener()


def listening():
    return (
        settings.DATA_VERSION_LISTEN
        and connections["default"].vendor == "postgresql"
        and not any(alias.startswith("replica_") for alias in settings.DATABASES)
    )


def primary_version() -> Version:
    """The primary's data version for a public request: the one heard, else read."""
    known = listener.known() if listening() else None
    return current_version() if known is None else known
