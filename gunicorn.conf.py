"""gunicorn's configuration, for `make serve` and the Docker image."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# The usual rule: two workers per core, plus one; threads let a worker overlap I/O.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Workers are not recycled after a number of requests (gunicorn's max_requests):
# each keeps the facet index of the data version (outcomes/facets.py) and, without
# Redis, the rendered list rows (the "rows" cache) in its memory, both bounded, and
# a new worker rebuilds them: under make bench, recycling put 0.3 s pauses into
# the trivial view's p99.
wsgi_app = "sironet.wsgi:application"
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
