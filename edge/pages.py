"""Public pages: one data version per request, its ETag, a copy kept per version, and
the headers that let a proxy keep and purge them (docs/scaling.md)."""

import hashlib
import os
from functools import wraps
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.http import Http404
from django.http.request import split_domain_port
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from edge.routing import public_snapshot

PAGE_TIMEOUT = 3600  # seconds a page is kept at most, even if nothing changes


def code_release():
    """A digest of what renders pages, the same on every app server of a release: a page kept,
    or tagged, by another release is not served. DJANGO_RELEASE may name it instead."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    ours = [Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == base]
    for folder in (base / "templates", base / "static", *ours):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in {".html", ".css", ".svg", ".py", ".json"}:
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = os.environ.get("DJANGO_RELEASE") or code_release()


def with_record_key(response, record):
    """Name `record` in its page's keys, so that a CDN may purge that record's pages alone."""
    model = type(record)._meta.model_name
    name = {"outcome": record.pk, "country": getattr(record, "code", "").lower()}
    response["xkey"] = f"{model}-{name.get(model) or record.slug}"
    return response


# A page larger than this is served but not kept: with the "pages" cache's MAX_ENTRIES it bounds
# its memory. The map pages are the largest (docs/performance.md); list pages far smaller.
MAX_CACHED_PAGE = 400_000


def public_page(view=None, *, parameters=None, keep=True):
    """A public page: 304 when the client has this version, else a kept copy or the view
    (the version is in `request.data_version`). Copies are kept per data version, scheme,
    host, path and `parameters(query)`, the canonical query string the view answers: an
    unknown parameter or a repeated value costs no new copy. Nothing is kept with keep=False
    (downloads, which a crafted query could multiply) or of a streaming response."""
    if view is None:
        return lambda view: public_page(view, parameters=parameters, keep=keep)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        context, version = public_snapshot()
        with context:
            request.data_version = version
            response = respond(request, version, view, args, kwargs, parameters, keep)
        # Browsers must ask (cheaply: 304) before showing the page again; shared caches keep it.
        response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.HTTP_CACHE_SECONDS}"
        if response.status_code != 304:  # a proxy revalidating keeps its copy's keys
            keys = " ".join(dict.fromkeys(["catalogue", *response.get("xkey", "").split()]))
            response["xkey"] = response["Surrogate-Key"] = keys
        return response

    return wrapped


def respond(request, version, view, args, kwargs, parameters, keep):
    # The day, too: a page's citations give the date the reader retrieves it.
    etag = f'"v{version.tag}.{RELEASE}.{timezone.localdate():%Y%m%d}"'
    # A 304 is decided on the ETag alone: two versions may share a Last-Modified (whole seconds).
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    host = request.get_host()
    # Only the port the request came in on: a Host naming any other (allowed by name, as
    # ALLOWED_HOSTS ignores ports) would keep a copy per port, its links to that port.
    keep = keep and split_domain_port(host)[1] in ("", request.get_port())
    # The query the page answers (its links to itself in another language keep it).
    request.canonical_query = parameters(request.GET) if parameters else ""
    page = f"{etag}:{request.scheme}://{host}{request.path}?{request.canonical_query}"
    key = "page:" + hashlib.sha256(page.encode()).hexdigest()
    response = caches["pages"].get(key) if keep else None
    if response is None:
        response = view(request, *args, **kwargs)
        small = not response.streaming and len(response.content) <= MAX_CACHED_PAGE
        if keep and response.status_code == 200 and small:
            caches["pages"].set(key, response, PAGE_TIMEOUT)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(int(version.changed.timestamp()))
    return response


def redirect_renamed(queryset, slug, address=None):
    """A permanent redirect to the current address (`address(record)`, or its page) of the
    record of `queryset` that once had `slug`; 404 if none had it."""
    record = queryset.formerly(slug)
    if record is None:
        raise Http404(f"No {queryset.model._meta.verbose_name} has the address “{slug}”.")
    return redirect(address(record) if address else record, permanent=True)
