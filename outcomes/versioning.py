"""The data version: bumped by every change to the catalogue, read once per public request.

Public pages carry it as their ETag (with the time of the change as Last-Modified),
so a revisit is answered 304; and a server-side copy of each page is kept per
version (the "pages" cache), so an edit shows at once without any invalidation.

Shared caches in front (Varnish, a CDN) may keep them for HTTP_CACHE_SECONDS: each page
names what it shows in `xkey`/`Surrogate-Key`, and every change purges the catalogue
from the proxies (outcomes/purge.py). With read replicas, the version and the page
are read from one snapshot of one replica (outcomes/routing.py).
"""

import hashlib
import logging
import os
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from outcomes import models, purge, routing

logger = logging.getLogger(__name__)

# A page is kept at most this long even if nothing changes (seconds).
PAGE_TIMEOUT = 3600


def code_release():
    """A digest of what renders pages (templates, static files, the app's code and data):
    a page kept, or tagged, by another release of the code is not served. Every app
    server of a release computes the same one; DJANGO_RELEASE may name it instead."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in ("templates", "static", "outcomes", "corrections"):
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and path.suffix in {".html", ".css", ".svg", ".py", ".json"}:
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = os.environ.get("DJANGO_RELEASE") or code_release()


# How many versions' changes are kept (models.Change): a worker further behind rebuilds.
KEPT_CHANGES = 100


def bump_data_version(outcome_ids=None):
    """Record that the catalogue changed, inside the caller's transaction.

    `outcome_ids`: the outcomes whose rows alone changed (a facet index may re-read
    just those); None when anything else may have (it is rebuilt).
    """
    # One transaction: the UPDATE's row lock keeps another bump out until this
    # version's Change is written (on commit, the caller has no transaction).
    with transaction.atomic():
        now = timezone.now()
        updated = models.DataVersion.objects.filter(pk=1).update(
            version=F("version") + 1, changed=now
        )
        if not updated:
            models.DataVersion.objects.get_or_create(pk=1, defaults={"changed": now})
        version = models.DataVersion.objects.values_list("version", flat=True).get(pk=1)
        models.Change.objects.update_or_create(  # a restored database may repeat one
            version=version,
            defaults={
                "changed": now,
                "outcomes": sorted(outcome_ids or ()),
                "whole": outcome_ids is None,
            },
        )
        models.Change.objects.filter(version__lte=version - KEPT_CHANGES).delete()
        # This process serves no older version from now on, and proxies forget the pages
        # once the replicas have the change (else a proxy's refetch could keep the old one).
        transaction.on_commit(lambda: routing.saw_version(version))
        transaction.on_commit(lambda: purge_when_replicated(version))


# How long a change waits for the replicas to replay it before the proxies are told to
# forget the catalogue anyway (seconds); streaming replicas usually take milliseconds.
REPLICA_WAIT = 5


def purge_when_replicated(number):
    """Tell the proxies in front to forget the catalogue once every replica that is up
    has replayed data version `number`: a proxy fetches a purged page again at once, and
    from a replica still behind it would keep the old page for HTTP_CACHE_SECONDS."""
    if not settings.HTTP_CACHE_PURGE_URLS:
        return
    deadline = time.monotonic() + REPLICA_WAIT
    behind = [alias for alias in routing.replica_aliases() if not routing.is_down(alias)]
    while behind and time.monotonic() < deadline:
        behind = [alias for alias in behind if replica_version(alias) < number]
        if behind:
            time.sleep(0.02)
    if behind:
        logger.warning("Replicas %s have not replayed version %s: purging anyway.", behind, number)
    purge.catalogue_changed()


def replica_version(alias):
    """The data version number a replica has replayed (a replica that fails is marked
    down, and not waited for)."""
    try:
        return current_version(alias).number
    except DatabaseError as error:
        routing.mark_down(alias, error)
        return float("inf")


class Version(NamedTuple):
    """A data version: its number, and the time of the change that made it. A restored
    or re-seeded database repeats numbers, never both: whatever is kept per version
    (pages, rows, the facet index) is kept per `tag`."""

    number: int
    changed: datetime

    @property
    def tag(self):
        return f"{self.number}.{int(self.changed.timestamp() * 1_000_000):x}"


# Every public request reads the version. Written as SQL because building the
# same query with the ORM costs many times what the database takes to answer it
# (README, Performance).
VERSION_SQL = f"SELECT version, changed FROM {models.DataVersion._meta.db_table} WHERE id = 1"


def current_version(using="default"):
    """The data's Version, in database `using`; one query."""
    with connections[using].cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    if row is None:
        return Version(0, datetime(2000, 1, 1, tzinfo=UTC))
    number, changed = row
    if timezone.is_naive(changed):  # SQLite keeps UTC without a time zone
        changed = changed.replace(tzinfo=UTC)
    return Version(number, changed)


def replica_snapshot(alias):
    """(stack, Version): a read-only snapshot of replica `alias` open in `stack`, this
    thread's reads sent to it, and the version it holds; None when the replica fails (it
    is then left alone a while) or is behind a version this process served already.

    One transaction, on PostgreSQL at REPEATABLE READ: every query of the page sees the
    state of the version read first, never a mix of two replayed versions."""
    stack = ExitStack()
    try:
        stack.enter_context(transaction.atomic(using=alias))
        if connections[alias].vendor == "postgresql":
            with connections[alias].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        version = current_version(alias)
    except (OperationalError, InterfaceError) as error:
        stack.__exit__(type(error), error, error.__traceback__)  # rolls back
        routing.mark_down(alias, error)
        return None
    if version.number < routing.newest_version():
        logger.info(
            "Replica %s is at version %s, behind %s: reading the primary.",
            alias,
            version.number,
            routing.newest_version(),
        )
        stack.close()
        return None
    stack.enter_context(routing.reading(alias))
    return stack, version


def public_snapshot():
    """(context, Version) of a public page: a replica's snapshot when one is fit, else
    the primary (then the context does nothing)."""
    alias = routing.choose_replica()
    opened = replica_snapshot(alias) if alias else None
    if opened is None:
        opened = ExitStack(), current_version()
    routing.saw_version(opened[1].number)
    return opened


def record_key(record):
    """The surrogate key of a page's own record (xkey, Surrogate-Key)."""
    if isinstance(record, models.Outcome):
        return f"outcome-{record.pk}"
    if isinstance(record, models.Country):
        return f"country-{record.code.lower()}"
    return f"{type(record)._meta.model_name}-{record.slug}"  # category, organization


def tagged(response, record):
    """Name `record` in the keys of its page's response (versioned adds "catalogue"):
    a CDN may then purge that record's pages alone."""
    response["xkey"] = record_key(record)
    return response


def shared_cache_headers(response):
    """What lets a shared cache keep a public page, and purge it by key."""
    # Browsers must ask (cheaply: 304) before showing the page again; shared caches keep it.
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.HTTP_CACHE_SECONDS}"
    if response.status_code == 304:  # a proxy revalidating keeps its copy's keys
        return
    keys = " ".join(dict.fromkeys(["catalogue", *response.get("xkey", "").split()]))
    response["xkey"] = response["Surrogate-Key"] = keys


def no_parameters(query):
    return ""


# A page larger than this is served but not kept: with the cache's MAX_ENTRIES
# (settings.CACHES["pages"]) it bounds the memory the page cache can take. The largest
# pages are those with the world map: at 20,000 synthetic outcomes every country has
# some, and the home page is 230 kB (it went unkept at 200 kB, and `make bench` measured
# it at 8 requests/s instead of 1,000). List pages, which a crafted query could vary,
# stay under 50 kB.
MAX_CACHED_PAGE = 400_000


def versioned(view=None, *, parameters=no_parameters, keep=True):
    """A public page: 304 when the client has this version, else a kept copy or the view.

    Costs one query (the version) when the page is kept. `parameters(query)` gives
    the canonical query string the view answers (the parameters it reads, each
    value once): copies are kept per data version, scheme, host, path and that
    query, so an unknown parameter or a repeated value costs no new copy. With
    keep=False (downloads, which a crafted query could multiply) or for a
    streaming response, nothing is kept.
    """
    if view is None:
        return lambda view: versioned(view, parameters=parameters, keep=keep)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        context, version = public_snapshot()
        with context:
            request.data_version = version
            response = respond(request, version, view, args, kwargs, parameters, keep)
        shared_cache_headers(response)
        return response

    return wrapped


def respond(request, version, view, args, kwargs, parameters, keep):
    etag = f'"v{version.tag}.{RELEASE}"'
    # Last-Modified is whole seconds: two versions may share one, so a 304 is
    # decided on the ETag alone (If-Modified-Since is not trusted).
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    cache = caches["pages"]
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    # The query the page answers (its links to itself in another language keep it).
    request.canonical_query = parameters(request.GET)
    page = f"{RELEASE}:{version.tag}:{address}?{request.canonical_query}"
    key = "page:" + hashlib.sha256(page.encode()).hexdigest()
    response = cache.get(key) if keep else None
    if response is None:
        response = view(request, *args, **kwargs)
        if (
            keep
            and response.status_code == 200
            and not response.streaming
            and len(response.content) <= MAX_CACHED_PAGE
        ):
            cache.set(key, response, PAGE_TIMEOUT)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(int(version.changed.timestamp()))
    return response
