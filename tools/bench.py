"""`make bench`: the production server under load, on N synthetic outcomes.

Prepares a database of its own for the size (a SQLite file bench-N.sqlite3, or, when
DATABASE_URL names a PostgreSQL server, the database <name>_bench_N on it, created when
missing) with the document and BENCH_OUTCOMES synthetic outcomes (default 20,000:
the headroom; 2,000 is a realistic catalogue of several lists), starts gunicorn as
`make serve` does, drives each page with wrk, and prints requests per second,
latency p50/p99, queries per page, each page's throughput as a ratio to a
trivial view (robots.txt), and the memory of each gunicorn worker after the run.
Varied lists ask a different query on each request, so the page cache rarely helps
them. The query plans of each page are tools/explain.py's.

The load generator shares the machine's cores with the server: compare the
ratios taken in one run, not the absolute figures across runs or machines. The
trivial view is measured again before each page and the ratios are to its median
run: the machine has slower seconds, and one short measurement of the trivial
view would carry them into every ratio.
"""

import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
OUTCOMES = int(os.environ.get("BENCH_OUTCOMES", "20000"))
PORT = int(os.environ.get("BENCH_PORT", "8099"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
WARMUP = os.environ.get("BENCH_WARMUP", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "8")
SERVER_URL = os.environ.get("DATABASE_URL", "")
if SERVER_URL.startswith("postgres"):
    DATABASE_URL = f"{SERVER_URL.split('?')[0]}_bench_{OUTCOMES}"
else:
    DATABASE_URL = f"sqlite:///{ROOT / f'bench-{OUTCOMES}.sqlite3'}"

ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_HSTS_SECONDS": "0",
    "DJANGO_SECURE_COOKIES": "false",
    "DJANGO_LOG_LEVEL": "WARNING",
    "PORT": str(PORT),
}

WORDS = ["school", "training", "youth", "forum", "water", "women", "solar", "health", "culture"]
STATUSES = ["completed", "ongoing", "planned"]
CATEGORIES = ["livelihood", "capacity", "development", "culture", "mechanism"]
COUNTRIES = ["mm", "kh", "et", "pk", "ru", "it", "np", "lk", "in", "ph", "uz", "fr", "ng", "br"]


def manage(*args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def shell(code):
    """Run `code` in `manage.py shell` on the bench's database; what it printed."""
    return subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def create_database():
    """The PostgreSQL database of this size, created on DATABASE_URL's server if missing."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(SERVER_URL.split("?")[0], autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare_database():
    if DATABASE_URL.startswith("postgres"):
        create_database()
    manage("migrate", "--noinput", "--verbosity", "0")
    # A database with outcomes but none synthetic is someone's catalogue, not a bench's.
    counts = shell(
        "from outcomes.models import Outcome as O;"
        "print(O.objects.count(), O.objects.filter(source__slug='synthetic-outcomes').count())"
    )
    total, have = map(int, counts.split()[-2:])
    if total and not have and os.environ.get("BENCH_WRITE_ANYWAY") != "1":
        sys.exit(
            f"{DATABASE_URL.split('@')[-1]} holds a catalogue of {total} outcomes: make bench "
            f"would add {OUTCOMES:,} synthetic ones to it. Use an empty database (unset "
            "DATABASE_URL for a SQLite file), or set BENCH_WRITE_ANYWAY=1."
        )
    manage("seed")
    if have < OUTCOMES:
        subprocess.run(
            [PYTHON, "-m", "tools.synthetic", "--outcomes", str(OUTCOMES - have), "--seed", "1"],
            cwd=ROOT,
            env=ENV,
            check=True,
        )
    # The planner's statistics, as a settled database has them (after a bulk load,
    # PostgreSQL's autovacuum would otherwise analyze and vacuum during the run).
    shell(
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE')"
    )
    manage("collectstatic", "--noinput", "--verbosity", "0")


def varied_lists(rng, count):
    """Filtered list addresses, a different one for (almost) every request."""
    paths = []
    for _ in range(count):
        params = [f"country={rng.choice(COUNTRIES)}" for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.5:
            params.append(f"category={rng.choice(CATEGORIES)}")
        if rng.random() < 0.4:
            params.append(f"status={rng.choice(STATUSES)}")
        params.append(f"page={rng.randint(1, 3)}")
        rng.shuffle(params)
        paths.append("/outcomes/?" + "&".join(params))
    return paths


def varied_searches(rng, count):
    return [
        f"/outcomes/?q={rng.choice(WORDS)}&page={rng.randint(1, 5)}"
        + (f"&category={rng.choice(CATEGORIES)}" if rng.random() < 0.5 else "")
        for _ in range(count)
    ]


def targets():
    rng = random.Random(1)
    return [
        ("trivial view (robots.txt)", ["/robots.txt"]),
        ("home /", ["/"]),
        ("list /outcomes/", ["/outcomes/"]),
        ("filtered lists, varied", varied_lists(rng, 4000)),
        ("searched lists, varied", varied_searches(rng, 4000)),
        ("outcome detail", ["/outcomes/synthetic-outcome-1234/"]),
        (
            "CSV export (filtered, varied)",
            [p.replace("/outcomes/?", "/outcomes/export.csv?") for p in varied_lists(rng, 500)],
        ),
        ("API list /api/v1/outcomes/", ["/api/v1/outcomes/"]),
    ]


def query_counts(pages):
    """Queries per page, measured once each on empty page and row caches, index built."""
    code = (
        "import django, json, sys; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.cache import caches\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "client = Client()\n"
        "client.get('/outcomes/?page=2')  # builds the facet index, as the warm-up does\n"
        "for path in json.loads(sys.argv[1]):\n"
        "    caches['pages'].clear()\n"
        "    caches['rows'].clear()\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        response = client.get(path)\n"
        "        if response.streaming: b''.join(response.streaming_content)\n"
        "    print(len(queries))\n"
    )
    import json

    result = subprocess.run(
        [PYTHON, "-c", code, json.dumps(pages)],
        cwd=ROOT,
        env={
            **ENV,
            "DJANGO_SETTINGS_MODULE": "sironet.settings",
            "DJANGO_ALLOWED_HOSTS": "testserver",
        },
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"Counting queries failed:\n{result.stderr}")
    return [int(line) for line in result.stdout.split() if line.isdigit()]


def wrk(paths, duration=DURATION, connections=CONNECTIONS):
    """(requests/s, p50, p99, non-2xx) of GETs of `paths`, in random order.

    Each request on a new connection, as from many visitors, or from a proxy
    such as nginx, which by default opens one per request: a kept-alive
    connection stays with the worker that accepted it, and how wrk's few
    connections happen to spread over the workers would decide the figures.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
        script.write("math.randomseed(1)\n")
        script.write(
            'request = function() return wrk.format("GET", paths[math.random(#paths)]) end\n'
        )
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}",
            "-H",
            "Connection: close",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{PORT}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, latency.get("50", "?"), latency.get("99", "?"), int(errors[1]) if errors else 0


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        return
    sys.exit("wrk is missing: install it (apt-get install wrk) and run make bench again.")


def worker_memory(server):
    """The resident memory (MB) of each gunicorn worker of `server` (its master's children)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024)
    return sorted(sizes)


def first_requests_after_edits(edits=3, requests=8):
    """Latency (ms) of the first requests after an edit: each worker reads the changed
    outcome again into its facet index (outcomes/facets.py) on its next request.
    The median over `edits` edits of the slowest of the `requests` that follow each."""
    slowest = []
    for n in range(edits):
        shell(
            "from outcomes.models import Outcome;"
            "o = Outcome.objects.get(slug='synthetic-outcome-1234');"
            f"o.title = o.title.split(' (edit')[0] + ' (edit {n})'; o.save()"
        )
        took = []
        for path in ["/outcomes/", "/outcomes/?country=mm"] * (requests // 2):
            start = time.perf_counter()
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30).read()
            took.append((time.perf_counter() - start) * 1000)
        slowest.append(max(took))
    return sorted(slowest)[len(slowest) // 2]


def main():
    ensure_wrk()
    # BENCH_ONLY=filtered measures the pages whose names contain it (and the trivial view).
    only = os.environ.get("BENCH_ONLY", "")
    pages = [page for index, page in enumerate(targets()) if index == 0 or only in page[0]]
    if len(pages) == 1:
        sys.exit(f"BENCH_ONLY={only!r} names no page: {', '.join(n for n, _ in targets()[1:])}")
    database = "PostgreSQL" if DATABASE_URL.startswith("postgres") else "SQLite"
    print(f"Preparing {database} with {OUTCOMES:,} synthetic outcomes…", flush=True)
    prepare_database()
    counts = query_counts([paths[0] for _, paths in pages])
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        # Warm up: each worker builds its facet index once per data version (see
        # outcomes/facets.py); the table measures the steady state after that.
        wrk([f"/outcomes/?page={n}" for n in range(2, 40)], duration=WARMUP, connections=16)
        (trivial_name, trivial_paths), *measured = pages
        trivial_runs, results = [], []
        for (name, paths), queries in zip(measured, counts[1:], strict=True):
            print(f"  {name}…", flush=True)
            trivial_runs.append(wrk(trivial_paths))
            page = wrk(paths)
            results.append((name, queries, *page))
        after_edit = first_requests_after_edits()
        memory = worker_memory(server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    trivial = sorted(trivial_runs)[len(trivial_runs) // 2]
    results.insert(0, (trivial_name, counts[0], *trivial))
    base = trivial[0]
    cores = os.cpu_count()
    workers = ENV.get("GUNICORN_WORKERS", cores + 1)
    spread = f"{min(trivial_runs)[0]:,.0f}–{max(trivial_runs)[0]:,.0f}"
    print(
        f"\n{database}, {OUTCOMES:,} synthetic outcomes + 37, {cores} cores; wrk -c{CONNECTIONS} "
        f"-d{DURATION} shares them with gunicorn ({workers} workers, "
        f"{ENV.get('GUNICORN_THREADS', 2)} threads each); "
        f"the trivial view's median of {len(trivial_runs)} runs ({spread} requests/s)\n"
    )
    print("| page | queries | requests/s | p50 | p99 | × trivial | non-2xx |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, queries, rps, p50, p99, errors in results:
        print(f"| {name} | {queries} | {rps:,.0f} | {p50} | {p99} | {rps / base:.2f} | {errors} |")
    print(
        "\nFirst requests after an edit (lists, each gunicorn worker catching up): "
        f"{after_edit:.0f} ms "
        "(the median over 3 edits of the slowest of the 8 requests after each)"
    )
    print(
        "A worker's resident memory after the run: "
        + ", ".join(f"{size:.0f} MB" for size in memory)
        + f" ({len(memory)} workers)"
    )


if __name__ == "__main__":
    main()
