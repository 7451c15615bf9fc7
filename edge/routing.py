"""Read replicas: a public page reads one snapshot of one streaming replica; everything
else reads the primary. The rules, and why not django-multidb-router: docs/scaling.md."""

import logging
import random
import threading
import time
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction

from edge.listen import primary_version
from outcomes.dataversion import current_version

logger = logging.getLogger(__name__)

DOWN_SECONDS = 30  # how long this process leaves a replica that failed alone

_reads = ContextVar("catalogue_reads", default=None)  # this request's replica; None: the primary
_public = ContextVar("catalogue_public", default=False)  # whether it may read one at all

_down_until = {}
_newest = 0
_lock = threading.Lock()


def replica_aliases():
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def choose_replica():
    up = [alias for alias in replica_aliases() if not is_down(alias)]
    return random.choice(up) if up and _public.get() else None


def mark_down(alias, error):
    _down_until[alias] = time.monotonic() + DOWN_SECONDS
    logger.warning(
        "Replica %s does not answer (%s): reading the primary for %ss.", alias, error, DOWN_SECONDS
    )


def is_down(alias):
    return _down_until.get(alias, 0) > time.monotonic()


def saw_version(number):
    """Note a data version this process served or made: a replica behind it is passed over."""
    global _newest
    with _lock:
        _newest = max(_newest, number)


@contextmanager
def reading(alias):
    token = _reads.set(alias)
    try:
        yield
    finally:
        _reads.reset(token)


def primary():
    return reading(None)


def replica_version(alias):
    """The data version number a replica has replayed; infinity (not waited for) if it fails."""
    try:
        return current_version(alias).number
    except DatabaseError as error:
        mark_down(alias, error)
        return float("inf")


def replica_snapshot(alias):
    """(stack, Version): a read-only REPEATABLE READ snapshot of `alias` open in `stack`, reads
    sent to it; None when the replica fails or is behind a version this process served."""
    stack = ExitStack()
    try:
        stack.enter_context(transaction.atomic(using=alias))
        if connections[alias].vendor == "postgresql":
            with connections[alias].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        version = current_version(alias)
    except (OperationalError, InterfaceError) as error:
        stack.__exit__(type(error), error, error.__traceback__)  # rolls back
        mark_down(alias, error)
        return None
    if version.number < _newest:
        logger.info("Replica %s is behind version %s: reading the primary.", alias, _newest)
        stack.close()
        return None
    stack.enter_context(reading(alias))
    return stack, version


def public_snapshot():
    """(context, Version) of a public page: a fit replica's snapshot, else the primary's."""
    alias = choose_replica()
    opened = replica_snapshot(alias) if alias else None
    if opened is None:
        opened = ExitStack(), primary_version()
    saw_version(opened[1].number)
    return opened


class ReadRoutingMiddleware:
    """Marks the requests that may read a replica: GET or HEAD, outside the admin, without a
    session cookie (editors have one)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        public = (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            # Also under a language prefix; a false match only reads the primary.
            and self.admin not in request.path
        )
        token = _public.set(public)
        try:
            return self.get_response(request)
        finally:
            _public.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # The database cache (an import's file) is written and read at once: the primary.
        if model._meta.app_label == "django_cache":
            return "default"
        return _reads.get() or "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, copied

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
