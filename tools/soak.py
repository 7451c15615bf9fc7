"""`make soak`: issue 27's floods against `make serve-proxy` (nginx, gunicorn, the worker),
bounded in count and time, with a visitor's probes throughout; prints a table and fails
when a visitor suffers.

The catalogue is the document's, in a SQLite file of its own (or a database
`<name>_soak` on the server DATABASE_URL names), production settings (DEBUG off, the
second factor on). Each flood comes from a loopback address of its own (127.0.0.2…),
which nginx sees as one client; the visitor asks from 127.0.0.1 for the home page, the
list and a filtered list, ten times a second. For each flood: the visitor's p50 and
p99 against the quiet ones (each flood's p99 at most twice the quiet p99, floored at
50 ms for the machine's noise) and failed probes (none); the flood's answers by status;
5xx outside deliberate outages (none); the workers' memory before and after (none above
twice its memory at the start, after warm-up). Lost updates are the tests' (every
editable record's stale form is refused: tests/editors/test_admin.py).
"""

import contextlib
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PORT = int(os.environ.get("SOAK_PORT", "8095"))
FLOOD_SECONDS = float(os.environ.get("SOAK_SECONDS", "10"))
VISITOR_PATHS = ["/", "/outcomes/", "/outcomes/?country=mm"]


def request(source, path, method="GET", body=None, headers=None, timeout=30, port=PORT):
    """(status, seconds) of one request from the loopback address `source` (each address
    of 127.0.0.0/8 is a client of its own to nginx); status 0 when the connection failed."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout, (source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        answer.read()
        status = answer.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, time.monotonic() - started


class Visitor(threading.Thread):
    """Probes from 127.0.0.1, ten a second, until stopped: (status, seconds) each."""

    def __init__(self):
        super().__init__(daemon=True)
        self.probes, self.stopped = [], threading.Event()

    def run(self):
        while not self.stopped.wait(0.1):
            self.probes.append(request("127.0.0.1", random.choice(VISITOR_PATHS)))

    def finish(self):
        self.stopped.set()
        self.join()
        return self.probes


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))] if values else 0.0


def repeat(source, make_request, workers):
    """Requests from `source` on `workers` threads for FLOOD_SECONDS: their statuses."""
    deadline = time.monotonic() + FLOOD_SECONDS
    statuses = Counter()

    def loop():
        while time.monotonic() < deadline:
            statuses[make_request(source)] += 1
            # An attacker's CPU is not the server's: here it is, so each thread waits a
            # little (16 threads still send ten times what nginx lets one address pass).
            time.sleep(0.05)

    with ThreadPoolExecutor(workers) as pool:
        for _ in range(workers):
            pool.submit(loop)
    return statuses


class SlowClients:
    """Connections that each send one header line every `interval` seconds, never ending it."""

    def __init__(self, port, count, interval=2.0, source="127.0.0.1"):
        self.sockets = []
        for _ in range(count):
            connection = socket.create_connection(
                ("127.0.0.1", port), timeout=5, source_address=(source, 0)
            )
            connection.sendall(b"GET /outcomes/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(connection)
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.drip, daemon=True)

    def drip(self):
        while not self.stopped.wait(self.interval):
            for connection in self.sockets:
                with contextlib.suppress(OSError):
                    connection.sendall(b"X-Slow: 1\r\n")

    def open(self):
        """How many connections the server has not closed."""
        count = 0
        for connection in self.sockets:
            connection.setblocking(False)
            try:
                count += connection.recv(1) != b""
            except BlockingIOError:
                count += 1
            except OSError:
                pass
            connection.setblocking(True)
        return count

    def __enter__(self):
        self.thread.start()
        time.sleep(0.5)
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()
        for connection in self.sockets:
            connection.close()


def slow_connections(source, count=1_100):
    with SlowClients(PORT, count, source=source) as slow:
        time.sleep(FLOOD_SECONDS)
        held = slow.open()
    return Counter({f"opened {count:,}, open at the end (10 s header timeout)": held})


def form_post(path, fields):
    """A request sending the form at `path` with `fields`, as a browser would: with the
    CSRF cookie and token a first GET gave (so that a login's password is checked)."""
    tokens = {}

    def send(source):
        if source not in tokens:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, 10, (source, 0))
            connection.request("GET", path)
            answer = connection.getresponse()
            page = answer.read().decode()
            cookie = answer.getheader("Set-Cookie", "").split(";")[0]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            tokens[source] = cookie, token[1] if token else ""
            connection.close()
        cookie, token = tokens[source]
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        return request(source, path, "POST", body, headers)[0]

    return send


FLOODS = {
    "1,100 slow connections": ("127.0.0.2", lambda source: slow_connections(source)),
    "uncached searches, 16 at a time": (
        "127.0.0.3",
        lambda source: repeat(
            source, lambda s: request(s, f"/outcomes/?q={secrets.token_hex(4)}")[0], 16
        ),
    ),
    "Excel downloads, 16 at a time": (
        "127.0.0.4",
        lambda source: repeat(
            source, lambda s: request(s, "/outcomes/export.xlsx?category=culture")[0], 16
        ),
    ),
    "logins with new user names, 8 at a time": (
        "127.0.0.5",
        lambda source: repeat(
            source,
            lambda s: form_post(
                "/account/login/",
                {
                    "auth-username": secrets.token_hex(6),
                    "auth-password": "x" * 12,
                    "login_view-current_step": "auth",
                },
            )(s),
            8,
        ),
    ),
    "correction reports, 60 at once": (
        "127.0.0.6",
        lambda source: Counter(
            ThreadPoolExecutor(60).map(
                lambda _: form_post("/corrections/new/", {"what": "flood"})(source), range(60)
            )
        ),
    ),
    "4 MB bodies": (
        "127.0.0.7",
        lambda source: Counter(
            request(source, "/corrections/new/", "POST", b"x" * (4 * 2**20))[0] for _ in range(4)
        ),
    ),
}


def worker_memory(group):
    """Each gunicorn worker's resident memory (MB), by pid: processes of the servers'
    process group whose parent is gunicorn's master."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
            if os.getpgid(int(fields["Pid"])) == group:
                found[int(fields["Pid"])] = fields
        except (OSError, ValueError, KeyError):
            continue
    masters = {pid for pid, fields in found.items() if "gunicorn" in fields["Name"]}
    return {
        pid: int(fields["VmRSS"].split()[0]) / 1024
        for pid, fields in found.items()
        if int(fields["PPid"]) in masters and "VmRSS" in fields
    }


def prepare(folder):
    """The document's catalogue in a database of its own, and the production environment."""
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith("postgres"):
        database = f"{server.split('?')[0]}_soak"
    else:
        database = f"sqlite:///{folder / 'soak.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env |= {
        "DATABASE_URL": database,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_BEHIND_TLS_PROXY": "true",
        "DJANGO_LOG_LEVEL": "ERROR",
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_DATA_PACKAGE_DIR": str(folder / "datapackage"),
        "PORT": str(PORT),
        "GUNICORN": str(Path(PYTHON).parent / "gunicorn"),
        "CATALOGUE_PYTHON": PYTHON,
    }
    if server.startswith("postgres"):
        subprocess.run(["make", "--silent", "createdb"], cwd=ROOT, env=env, check=True)
    for command in (["migrate"], ["seed"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return env


def main():
    folder = Path(tempfile.mkdtemp(prefix="sironet-soak-"))
    print("Preparing the catalogue and starting nginx, gunicorn and the worker…", flush=True)
    env = prepare(folder)
    log = (folder / "servers.log").open("w")
    servers = subprocess.Popen(
        [ROOT / "deploy" / "serve-proxy"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    failures = []
    try:
        for _ in range(100):
            if request("127.0.0.1", "/healthz", timeout=2)[0] == 200:
                break
            time.sleep(0.2)
        for _ in range(300):  # the worker's first data package written: a quiet machine
            if request("127.0.0.1", "/data/datapackage.json", timeout=2)[0] == 200:
                break
            time.sleep(0.2)
        for path in VISITOR_PATHS * 20:  # warm: every worker has its index and pages
            request("127.0.0.1", path)
        start_memory = worker_memory(servers.pid)
        quiet = Visitor()
        quiet.start()
        time.sleep(FLOOD_SECONDS)
        quiet_probes = quiet.finish()
        quiet_p99 = percentile([s for _, s in quiet_probes], 0.99)
        bound = 2 * max(quiet_p99, 0.05)
        rows = [
            ("quiet", quiet_probes, Counter(), "—"),
        ]
        for name, (source, flood) in FLOODS.items():
            visitor = Visitor()
            visitor.start()
            began = time.monotonic()
            statuses = flood(source)
            time.sleep(max(0, began + FLOOD_SECONDS - time.monotonic()))  # probes throughout
            rows.append((name, visitor.finish(), statuses, source))
            time.sleep(1)  # the rates' windows empty between floods
        end_memory = worker_memory(servers.pid)
    finally:
        os.killpg(servers.pid, signal.SIGINT)
        try:
            servers.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(servers.pid, signal.SIGKILL)
        log.close()

    print()
    print("| flood | from | visitor p50 | visitor p99 | visitor failures | the flood's answers |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for name, probes, statuses, source in rows:
        seconds = [s for _, s in probes]
        failed = sum(status != 200 for status, _ in probes)
        p99 = percentile(seconds, 0.99)
        answers = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items(), key=str))
        print(
            f"| {name} | {source} | {percentile(seconds, 0.5) * 1000:.0f} ms "
            f"| {p99 * 1000:.0f} ms | {failed} of {len(probes)} | {answers or '—'} |"
        )
        if failed:
            failures.append(f"{name}: {failed} visitor probes failed")
        if name != "quiet" and p99 > bound:
            failures.append(f"{name}: visitor p99 {p99 * 1000:.0f} ms > {bound * 1000:.0f} ms")
        server_errors = sum(
            n for code, n in statuses.items() if isinstance(code, int) and code >= 500
        )
        if server_errors:
            failures.append(f"{name}: {server_errors} answers 5xx")
    print()
    before = ", ".join(f"{mb:.0f} MB" for mb in start_memory.values())
    after = ", ".join(f"{end_memory.get(pid, 0):.0f} MB" for pid in start_memory)
    print(f"Workers' memory after warm-up: {before}; after the floods: {after}.")
    for pid, mb in start_memory.items():
        if end_memory.get(pid, 0) > 2 * mb:
            failures.append(f"worker {pid} grew from {mb:.0f} to {end_memory[pid]:.0f} MB")
    print("Lost updates: none possible (tests/editors/test_admin.py, a stale form per model).")
    shutil.rmtree(folder, ignore_errors=True)
    if failures:
        print("\nFAILED:\n- " + "\n- ".join(failures))
        return 1
    print("\nEvery visitor's probe answered 200, within the bounds; no 5xx.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
