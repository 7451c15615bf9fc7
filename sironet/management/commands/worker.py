"""`manage.py worker` (docs/deployment.md, "The worker"): each round calls every job of
settings.WORKER_JOBS; one that fails is tried again next round. SIGTERM or Ctrl-C stops it
between rounds."""

import logging
import signal
import time

from django.conf import settings
from django.core.cache import caches
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.module_loading import import_string

from edge.middleware import WORKER_HEARTBEAT, WORKER_HEARTBEAT_SECONDS

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Do what waits after the responses (settings.WORKER_JOBS), round after round."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds between rounds (0.5)."
        )
        parser.add_argument(
            "--rounds", type=int, default=0, help="Stop after this many rounds (0: never)."
        )

    def handle(self, *args, interval, rounds, **options):
        jobs = [import_string(path)() for path in settings.WORKER_JOBS]
        stopping = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda number, frame: stopping.append(number))
        logger.info("Worker started: %s.", ", ".join(settings.WORKER_JOBS))
        done, beat = 0, 0.0
        while not stopping and (not rounds or done < rounds):
            close_old_connections()  # as a request would: a connection lost is reopened
            for job in jobs:
                try:
                    job()
                except Exception:
                    logger.exception("Worker job %s failed; trying again next round.", job)
            done += 1
            if time.monotonic() - beat > WORKER_HEARTBEAT_SECONDS:
                beat = time.monotonic()
                try:
                    caches["default"].set(
                        WORKER_HEARTBEAT, time.time(), WORKER_HEARTBEAT_SECONDS * 4
                    )
                except Exception:
                    logger.exception("The worker could not record its heartbeat.")
            if not stopping and (not rounds or done < rounds):
                time.sleep(interval)
        logger.info("Worker stopped after %s rounds.", done)
