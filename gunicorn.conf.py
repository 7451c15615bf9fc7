"""gunicorn's configuration, for `make serve` and the Docker image."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# One worker per core, plus one; threads let a worker overlap I/O. Not gunicorn's
# usual two per core: the work is CPU-bound, and each worker keeps its own facet
# index and rendered rows, so more workers render the same rows more times
# (docs/performance.md measures it).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after a bounded number of requests (jittered, so that workers
# are not all replaced at once): whatever a request leaves behind in its memory is
# given back. The new worker rebuilds its facet index and rows on its first list (once
# per data version anyway); docs/performance.md has a worker's memory after make bench.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 10_000))
max_requests_jitter = max_requests // 10
wsgi_app = "sironet.wsgi:application"
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25.1+ opens a control socket (for gunicornc) at one path per user,
# ~/.gunicorn/gunicorn.ctl: a second instance (make serve beside a test's server)
# unlinks and takes over the first one's, and the image's user cannot create it
# in its home (/app, owned by root). Off unless GUNICORN_CONTROL_SOCKET names
# this instance's own path.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


def post_worker_init(worker):
    """Load what a first visitor would otherwise wait for (the Chinese word segmenter's
    dictionary, 0.8-1.3 s; the XLSX writer, 570 ms: issue 27), then freeze what the worker
    has loaded (Django, the app's modules, its URL configuration and views, those): it
    lives as long as the worker, and full garbage collections, which would scan it again
    and again under load, leave it alone (docs/performance.md)."""
    import gc
    from importlib import import_module

    import tablib
    from django.conf import settings

    import_module(settings.ROOT_URLCONF)
    import_module("outcomes.search").load_segmenter()
    tablib.Databook([tablib.Dataset(("warm",))]).export("xlsx")
    gc.freeze()
