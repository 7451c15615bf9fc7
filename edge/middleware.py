"""Health checks and outages, the admin's headers, and the client's address behind the proxy."""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils.translation import gettext
from redis.exceptions import RedisError

from outcomes.models import Release

logger = logging.getLogger(__name__)

# The time of the worker's last round, in the "default" cache that every app server shares.
WORKER_HEARTBEAT = "worker:heartbeat"
WORKER_HEARTBEAT_SECONDS = 15

# What the admin's third-party pages need beyond the site's strict policy: inline style
# attributes (import-export, simple-history) and the hash of the export form's one inline
# handler, onchange="onSelectToggleChange(event)".
ADMIN_CSP_UPDATE = {
    "style-src": ["'unsafe-inline'"],
    "script-src": ["'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
}


def client_address(request):
    """The socket's peer, or behind the trusted proxy (DJANGO_BEHIND_TLS_PROXY) the last
    X-Forwarded-For entry, the one the proxy wrote (the client may write the others)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.headers.get("x-forwarded-for", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


class AdminNoIndexMiddleware:
    """Under the admin and the staff's login pages: `X-Robots-Tag: noindex`, the admin's CSP."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.prefixes is None:  # the admin's path in every language, whichever came first
            paths = reverse("admin:index"), reverse("two_factor:login")
            self.prefixes = tuple(
                translate_url(path, code).removesuffix("login/")
                for path in paths
                for code, _ in settings.LANGUAGES
            )
        if request.path.startswith(self.prefixes):
            response["X-Robots-Tag"] = "noindex, nofollow"
            response._csp_update = ADMIN_CSP_UPDATE
        return response


class HealthMiddleware:
    """`/healthz` for load balancers (docs/deployment.md), and a plain 503 page while the
    database is down. First in MIDDLEWARE: a check by IP address is answered before the host
    check and the HTTPS redirect; the answer reveals nothing but what is up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.health(request) if request.path == "/healthz" else None
        response = response or self.get_response(request)
        # Read the rest of a body no one read (a 405, a 404…), up to the largest nginx passes:
        # gunicorn closes a connection whose body is left unread, and nginx answers 502.
        left = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        while left > 0 and (chunk := request.read(min(left, 2**16))):
            left -= len(chunk)
        return response

    def health(self, request):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        databases = {alias: self.database_state(alias) for alias in settings.DATABASES}
        cache = "local"
        if settings.REDIS_URL:
            try:
                cache = "ok" if caches["pages"].client.get_client().ping() else "down"  # type: ignore[attr-defined]
            except RedisError:
                cache = "down"
        try:
            seen = caches["default"].get(WORKER_HEARTBEAT)
        except DatabaseError:  # the cache is the database, which does not answer
            seen = None
        recent = seen is not None and time.time() - seen < WORKER_HEARTBEAT_SECONDS * 4
        worker = "ok" if recent else "absent"
        missing = [] if databases["default"] == "down" else self.missing_releases()
        if databases["default"] == "down":
            status = "down"
        elif "down" in databases.values() or cache == "down" or worker != "ok" or missing:
            status = "degraded"
        else:
            status = "ok"
        return JsonResponse(
            {
                "status": status,
                "databases": databases,
                "cache": cache,
                "worker": worker,
                "releases": {"missing": missing},
            },
            status=503 if status == "down" else 200,
        )

    @staticmethod
    def missing_releases():
        """The releases whose data package is not where the deployment keeps them."""
        numbers = Release.objects.values_list("number", flat=True)
        return [n for n in numbers if not (Release(number=n).folder / "datapackage.zip").is_file()]

    @staticmethod
    def database_state(alias):
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            logger.exception("Health check: the database %s does not answer.", alias)
            return "down"
        return "ok"

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.exception("The database does not answer: %s %s", request.method, request.path)
        response: HttpResponse
        if request.path.startswith(reverse("api:api-root")):
            detail = gettext("The catalogue is temporarily unavailable. Please try again soon.")
            response = JsonResponse({"detail": detail}, status=503)
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = "60"
        return response
