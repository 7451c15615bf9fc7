"""`make cluster-test`: the production topology on real servers, on one machine.

Starts, as local processes on free ports, a PostgreSQL primary and a streaming
replica (initdb, pg_basebackup -R), Redis, two gunicorn app servers on this
code and the worker, and Varnish in front of them (deploy/varnish/default.vcl, its
backends rewritten to the app servers' ports), with the settings of
docs/scaling.md: DATABASE_URL, DATABASE_REPLICA_URLS, REDIS_URL,
HTTP_CACHE_PURGE_URLS, HTTP_CACHE_SECONDS. Then checks, and prints as a table:

- reads land on the replica and writes on the primary (queries per server,
  from pg_stat_statements, by the app's role, on the app's tables);
- an editor's change made in the admin through app server A is seen by the
  editor at once, and by anonymous visitors through Varnish and app server B
  within a second (polled every 50 ms from the moment the save returns), with
  no stale page after that;
- with the replica held 10 s behind (recovery_min_apply_delay), an editor's save
  returns as fast as before, and the worker's purge (seen in varnishlog) arrives
  only once the replica has the change;
- the replica stopped: pages keep answering, /healthz says which is down;
- Redis stopped: pages keep answering;
- both app servers stopped: Varnish serves the pages it kept (grace);
- throughput through Varnish and straight to app server A (wrk, same run).

Everything started is stopped, and the temporary directory removed, on success,
on failure, on Ctrl-C and on SIGTERM. Exits 1 when a check fails. Run as root
(as CI does), PostgreSQL runs as the `postgres` user and Varnish drops to its
own users; run as anyone else, everything runs as that user.

CLUSTER_WRK_DURATION (5s) and CLUSTER_KEEP=1 (keep the directory and its logs)
adjust a run.
"""

import contextlib
import glob
import html.parser
import http.client
import http.cookiejar
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django_otp.oath import totp

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
# Debian's PostgreSQL programs (the newest installed version), or PG_BIN.
PG_BIN = Path(
    os.environ.get("PG_BIN")
    or max(
        glob.glob("/usr/lib/postgresql/*/bin") or ["/usr/lib/postgresql/15/bin"],
        key=lambda path: int(re.sub(r"\D", "", path) or 0),
    )
)
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VARNISHLOG = shutil.which("varnishlog") or "/usr/bin/varnishlog"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
WRK_DURATION = os.environ.get("CLUSTER_WRK_DURATION", "5s")
# Short, so that the grace check sees pages past their time; a purge, not this,
# is what shows an edit within a second.
CACHE_SECONDS = 2
# How far behind the replica is held for the check of a save that must not wait for it.
REPLICA_DELAY = 10
# Each kind of server looks for a free port from its own range up.
PORTS = {"app": 8990, "varnish": 6090, "postgres": 55440, "redis": 56380}

PUBLIC = [
    "/",
    "/outcomes/",
    "/outcomes/?country=mm&category=capacity",
    "/countries/",
    "/organizations/",
    "/about/",
    "/zh-hans/outcomes/",
    "/api/v1/outcomes/",
]


def free_port(kind, taken=set()):  # noqa: B006 (the ports this run took)
    for port in range(PORTS[kind], PORTS[kind] + 200):
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    sys.exit(f"No free port from {PORTS[kind]} for {kind}.")


def render_vcl(backends):
    """deploy/varnish/default.vcl with each backend's .host and .port set:
    `backends` maps a backend's name (app_a) to its port on 127.0.0.1."""
    text = VCL.read_text()
    for name, port in backends.items():
        block = re.compile(rf"(backend {name} \{{.*?\n\}})", re.DOTALL)
        match = block.search(text)
        if match is None:
            raise ValueError(f"{VCL} defines no backend {name}")
        body = re.sub(r'\.host = "[^"]*";', '.host = "127.0.0.1";', match[1])
        body = re.sub(r'\.port = "[^"]*";', f'.port = "{port}";', body)
        text = text[: match.start()] + body + text[match.end() :]
    return text


class Cluster:
    """The servers of one run, and how to stop them."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="sironet-cluster-"))
        self.root.chmod(0o755)  # the postgres and varnish users pass through it
        self.stops = []  # (name, function), stopped in reverse order
        self.as_root = os.geteuid() == 0
        self.pg_user = pwd.getpwnam("postgres") if self.as_root else None

    # --- starting and stopping

    def on_stop(self, name, function):
        self.stops.append((name, function))

    def stop_all(self):
        for name, function in reversed(self.stops):
            try:
                function()
            except Exception as error:  # keep stopping the others
                print(f"  stopping {name}: {error}", file=sys.stderr)
        self.stops.clear()
        if os.environ.get("CLUSTER_KEEP") == "1":
            print(f"Kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def spawn(self, name, command, env=None, cwd=None):
        log = (self.root / f"{name}.log").open("w")
        process = subprocess.Popen(
            command,
            cwd=cwd or self.root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def stop():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            log.close()

        self.on_stop(name, stop)
        return process, stop

    def log_tail(self, name, lines=30):
        path = self.root / f"{name}.log"
        return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else ""

    # --- PostgreSQL

    def pg(self, *command, **kwargs):
        """A PostgreSQL program, as the postgres user when this runs as root."""
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run(
            [*prefix, *map(str, command)], check=True, capture_output=True, text=True, **kwargs
        )

    def pg_directory(self):
        directory = self.root / "pg"
        directory.mkdir(mode=0o700, exist_ok=True)
        if self.pg_user:
            os.chown(directory, self.pg_user.pw_uid, self.pg_user.pw_gid)
        return directory

    def pg_start(self, name, data, port):
        (data / "postgresql.conf").open("a").write(f"port = {port}\n")
        self.pg(PG_BIN / "pg_ctl", "-D", data, "-l", data.parent / f"{name}.log", "-w", "start")
        self.on_stop(name, lambda: self.pg_stop(data))

    def pg_stop(self, data):
        if (data / "postmaster.pid").exists():
            self.pg(PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop")

    def start_postgres(self):
        directory = self.pg_directory()
        primary, replica = directory / "primary", directory / "replica"
        ports = free_port("postgres"), free_port("postgres")
        self.pg(PG_BIN / "initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        (primary / "postgresql.conf").open("a").write(
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{directory}'\n"
            "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n"
            "shared_preload_libraries = 'pg_stat_statements'\n"
            "pg_stat_statements.track = all\n"
            "fsync = off\nfull_page_writes = off\n"
        )
        self.pg_start("primary", primary, ports[0])
        self.psql(ports[0], "CREATE ROLE replicator REPLICATION LOGIN")
        self.psql(ports[0], "CREATE ROLE sironet LOGIN PASSWORD 'sironet'")
        self.psql(ports[0], "CREATE DATABASE sironet OWNER sironet")
        self.psql(ports[0], "CREATE EXTENSION pg_stat_statements", database="sironet")
        self.pg(
            PG_BIN / "pg_basebackup",
            *("-h", "127.0.0.1", "-p", ports[0], "-U", "replicator"),
            *("-D", replica, "-R", "-X", "stream", "--checkpoint=fast"),
        )
        self.pg_start("replica", replica, ports[1])
        self.replica_data = replica
        return ports

    def psql(self, port, sql, database="postgres"):
        result = subprocess.run(
            [PG_BIN / "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database]
            + ["-v", "ON_ERROR_STOP=1", "-qtAc", sql],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()


# --- HTTP


def get(port, path, opener=None, headers=None, timeout=10):
    """(status, headers, body as text) of a GET; errors are answers too."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode(errors="replace")
    except OSError as error:
        return 0, {}, str(error)


def status_from(source, port, path, method="GET"):
    """The status of one request sent from the loopback address `source` (to Varnish, each
    address of 127.0.0.0/8 is a client of its own)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, 10, source_address=(source, 0))
    try:
        connection.request(method, path, body=b"" if method == "POST" else None)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    except OSError:
        return 0
    finally:
        connection.close()


def wait_for(port, path="/healthz", seconds=60, ok=(200,)):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if get(port, path, timeout=2)[0] in ok:
            return True
        time.sleep(0.2)
    return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FormFields(html.parser.HTMLParser):
    """The fields a browser would send with the form whose id is `form_id`."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self.textarea = self.select = None
        self.options = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append([name, attrs.get("value", "on")])
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append([name, attrs.get("value", "")])
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select, self.options = (name, "multiple" in attrs), []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append(self.textarea)
            self.textarea = None
        elif tag == "select" and self.select:
            (name, multiple), chosen = self.select, [v for v, s in self.options if s]
            if not chosen and not multiple and self.options:
                chosen = [self.options[0][0]]
            self.fields.extend([name, value] for value in chosen)
            self.select = None


# The cluster's editor's authenticator key: staff log in with a second factor.
EDITOR_KEY = secrets.token_hex(20)
USED_CODES = set()


def edit_in_admin(port, username, password, change_path, field, value):
    """Log in to the admin on `port` as a browser does, and save the change form at
    `change_path` with `field` set to `value`; the editor's opener (with its cookies)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    login = "/account/login/?next=/admin/"
    status, _, page = get(port, login, opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert status == 200 and token, f"the login page answered {status}"
    # The password, then the authenticator's code (the device's key is the tool's).
    first = {"auth-username": username, "auth-password": password}
    post(
        port,
        login,
        {**first, "login_view-current_step": "auth", "csrfmiddlewaretoken": token[1]},
        opener,
        expect=200,
    )
    # A code is taken once: a second login in the same 30 s waits for the next one.
    while (code := f"{totp(bytes.fromhex(EDITOR_KEY)):06d}") in USED_CODES:
        time.sleep(1)
    USED_CODES.add(code)
    second = {"token-otp_token": code, "login_view-current_step": "token"}
    post(port, login, {**second, "csrfmiddlewaretoken": token[1]}, opener, expect=302)
    status, _, page = get(port, change_path, opener)
    assert status == 200, f"the change form answered {status}"
    form = FormFields(re.search(r'<form [^>]*id="(\w+_form)"', page)[1])
    form.feed(page)
    fields = [(name, value if name == field else old) for name, old in form.fields]
    assert any(name == field for name, _ in fields), f"no field {field} in the form"
    fields.append(("_save", "Save"))
    started = time.monotonic()
    post(port, change_path, fields, opener, expect=302)
    opener.save_seconds = time.monotonic() - started
    return opener


def post(port, path, data, opener, expect):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=urllib.parse.urlencode(data).encode()
    )
    try:
        status = opener.open(request, timeout=10).status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == expect, f"POST {path} answered {status}, not {expect}"


def wrk(port, paths, duration=WRK_DURATION, connections=8):
    """Requests per second of GETs of `paths` (each on a new connection, as bench.py)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n")
        script.write("math.randomseed(1)\n")
        script.write(
            'request = function() return wrk.format("GET", paths[math.random(#paths)]) end\n'
        )
    try:
        output = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}", "-H", "Connection: close"]
            + ["--timeout", "10s", "-s", script.name, f"http://127.0.0.1:{port}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(script.name)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]), int(errors[1]) if errors else 0


# --- the run


class Results:
    def __init__(self):
        self.rows = []

    def add(self, check, passed, figure, needs=""):
        self.rows.append((check, passed, figure, needs))
        mark = "PASS" if passed else "FAIL"
        print(f"  {mark}  {check}: {figure}" + ("" if passed or not needs else f" ({needs})"))
        sys.stdout.flush()

    def table(self):
        lines = ["| check | result | figure |", "| --- | --- | --- |"]
        for check, passed, figure, needs in self.rows:
            note = "" if passed or not needs else f" — needs {needs}"
            lines.append(f"| {check} | {'PASS' if passed else 'FAIL'} | {figure}{note} |")
        return "\n".join(lines)

    @property
    def failed(self):
        return [row for row in self.rows if not row[1]]


def purge_times(cluster):
    """The times (epoch seconds) of the purges Varnish has received, from varnishlog."""
    return [
        float(found)
        for found in re.findall(r"Timestamp\s+Start: ([\d.]+)", cluster.log_tail("purges", 10_000))
    ]


def held_back_replica(cluster, results, primary, replica, a, password):
    """With the replica held REPLICA_DELAY seconds behind: the editor's save takes no
    longer than one just before with the replica at hand, and the worker purges Varnish
    only once the replica has replayed the change."""
    category = cluster.psql(
        primary, 'SELECT id FROM outcomes_category ORDER BY "order" LIMIT 1', "sironet"
    )
    change_path = f"/admin/outcomes/category/{category}/change/"

    def save(marker):
        """An editor's save of the category's description, through app server A."""
        return edit_in_admin(a, "cluster-editor", password, change_path, "description", marker)

    # The median of three saves: a worker's first save of a form costs more.
    normal = statistics.median(
        save(f"cluster-at-hand-{secrets.token_hex(4)}").save_seconds for _ in range(3)
    )
    delay = cluster.replica_data / "postgresql.auto.conf"
    original = delay.read_text()
    delay.write_text(original + f"recovery_min_apply_delay = '{REPLICA_DELAY}s'\n")
    cluster.pg(PG_BIN / "pg_ctl", "-D", cluster.replica_data, "reload")
    time.sleep(1)  # the setting is read
    try:
        version = "SELECT version FROM outcomes_dataversion WHERE id = 1"
        time.sleep(2)  # the save at hand has been replayed, and purged
        before = int(cluster.psql(primary, version, database="sironet"))
        purges_before = len(purge_times(cluster))
        held = [save(f"cluster-held-{secrets.token_hex(4)}").save_seconds]
        saved, saved_at = time.monotonic(), time.time()
        # The replica's replay lies between the start of the last poll that did not see it
        # (lacking) and the end of the first that did (caught_up): a purge must not come
        # before the former (a poll takes a psql start, so the latter can trail the replay).
        lacking = caught_up = None
        while time.monotonic() - saved < REPLICA_DELAY + 10:
            asked = time.time() - saved_at
            if int(cluster.psql(replica, version, database="sironet")) > before:
                caught_up = time.time() - saved_at
                break
            lacking = asked
            time.sleep(0.1)
        while time.monotonic() - saved < REPLICA_DELAY + 15:
            if len(purge_times(cluster)) > purges_before:
                break
            time.sleep(0.1)
        after = purge_times(cluster)[purges_before:]
        purged = after[0] - saved_at if after else None
        held += [save(f"cluster-held-{secrets.token_hex(4)}").save_seconds for _ in range(2)]
    finally:
        delay.write_text(original)
        cluster.pg(PG_BIN / "pg_ctl", "-D", cluster.replica_data, "reload")
    results.add(
        f"replica held {REPLICA_DELAY} s behind: the save does not wait for it",
        statistics.median(held) < max(1.0, 3 * normal),
        f"a save takes {statistics.median(held) * 1000:.0f} ms (median of 3; with the "
        f"replica at hand: {normal * 1000:.0f} ms)",
        "the purge in the worker (manage.py worker), not in the request",
    )
    results.add(
        f"replica held {REPLICA_DELAY} s behind: the purge waits for it",
        caught_up is not None
        and lacking is not None
        and purged is not None
        and caught_up >= REPLICA_DELAY - 1
        and lacking <= purged <= caught_up + 2,
        (
            f"replica lacked it at {lacking:.2f} s and had it at {caught_up:.2f} s"
            if caught_up and lacking
            else "replica never had it"
            if lacking
            else "replica had it at once"
        )
        + (f", Varnish purged at {purged:.2f} s" if purged else ", no purge within the wait"),
        "the worker's purge waiting for the replicas",
    )


def app_queries(cluster, port):
    """(reads, writes) the app's role has run on the app's tables on this server."""
    sql = (
        "SELECT coalesce(sum(calls) FILTER (WHERE query ~* '^\\s*(select|with)'), 0),"
        " coalesce(sum(calls) FILTER (WHERE query ~* '^\\s*(insert|update|delete)'), 0)"
        " FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid"
        " WHERE r.rolname = 'sironet' AND s.query ~ '\\m(outcomes|corrections|django|auth|axes)_'"
    )
    reads, writes = cluster.psql(port, sql, database="sironet").split("|")
    return int(reads), int(writes)


def run(cluster, results):
    print(f"Servers in {cluster.root}", flush=True)
    primary, replica = cluster.start_postgres()
    print(f"  PostgreSQL primary :{primary}, streaming replica :{replica}", flush=True)

    redis_port = free_port("redis")
    (cluster.root / "redis").mkdir()
    _, stop_redis = cluster.spawn(
        "redis",
        [REDIS, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        + ["no", "--dir", str(cluster.root / "redis")],
    )
    varnish_port, varnish_admin = free_port("varnish"), free_port("varnish")
    app_ports = free_port("app"), free_port("app")

    database = "postgres://sironet:sironet@127.0.0.1:{}/sironet"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DATABASE_URL": database.format(primary),
        "DATABASE_REPLICA_URLS": database.format(replica),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "HTTP_CACHE_PURGE_URLS": f"http://127.0.0.1:{varnish_port}",
        "HTTP_CACHE_SECONDS": str(CACHE_SECONDS),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_STATIC_ROOT": str(cluster.root / "static"),
        "DJANGO_DATA_PACKAGE_DIR": str(cluster.root / "datapackage"),
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
    }

    def manage(*args):
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    # With the replica configured, as production runs them.
    print("  migrate, seed, collectstatic (on the primary)…", flush=True)
    manage("migrate", "--noinput", "--verbosity", "0")
    manage("seed")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    password = secrets.token_urlsafe(16)
    category = manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from outcomes.models import Category\n"
        f"u = User.objects.create_superuser('cluster-editor', 'editor@example.org', '{password}')\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        f"TOTPDevice.objects.create(user=u, name='default', key='{EDITOR_KEY}')\n"
        "c = Category.objects.order_by('order').first(); print(c.pk, c.slug)",
    ).split()
    category_pk, category_slug = category[-2:]

    apps = {}
    for name, port in zip(("app-a", "app-b"), app_ports, strict=True):
        apps[name] = cluster.spawn(
            name,
            [GUNICORN, "--config", "gunicorn.conf.py"],
            env={**env, "PORT": str(port)},
            cwd=ROOT,
        )[1]
    for name, port in zip(apps, app_ports, strict=True):
        if not wait_for(port):
            raise RuntimeError(f"{name} did not start:\n{cluster.log_tail(name)}")
    a, b = app_ports
    # What waits until after the responses: purges once the replica has a change.
    cluster.spawn("worker", [PYTHON, "manage.py", "worker"], env=env, cwd=ROOT)
    print(f"  app servers A :{a}, B :{b}, the worker; Redis :{redis_port}", flush=True)

    vcl = cluster.root / "varnish.vcl"
    vcl.write_text(render_vcl({"app_a": a, "app_b": b}))
    workdir = cluster.root / "varnish"
    workdir.mkdir()
    cluster.spawn(
        "varnish",
        [VARNISHD, "-F", "-n", str(workdir), "-f", str(vcl), "-s", "malloc,256m"]
        + ["-a", f"127.0.0.1:{varnish_port}", "-T", f"127.0.0.1:{varnish_admin}"]
        + (["-j", "unix,user=varnish"] if cluster.as_root else []),
    )
    if not wait_for(varnish_port, "/"):
        raise RuntimeError(f"Varnish did not answer:\n{cluster.log_tail('varnish')}")
    # Every purge Varnish receives, with its time (the held-back replica's check).
    cluster.spawn(
        "purges",
        [VARNISHLOG, "-n", str(workdir), "-g", "request", "-q", 'ReqMethod eq "PURGE"']
        + ["-i", "Timestamp"],
    )
    print(f"  Varnish :{varnish_port} in front of both\n", flush=True)

    # 1. Reads on the replica, writes on the primary.
    before = app_queries(cluster, primary), app_queries(cluster, replica)
    for n in range(3):
        for port in app_ports:
            for path in PUBLIC:
                get(port, path.replace("?", f"?page={n + 1}&") if "?" in path else path)
    after = app_queries(cluster, primary), app_queries(cluster, replica)
    on_primary, on_replica = after[0][0] - before[0][0], after[1][0] - before[1][0]
    results.add(
        "public reads land on the replica",
        on_replica > 0 and on_replica > on_primary,
        f"{len(PUBLIC) * 6} page requests to A and B: replica +{on_replica} queries, "
        f"primary +{on_primary}",
        "the database router (DATABASE_REPLICA_URLS)",
    )

    # 2. An editor's change, through app server A.
    marker = f"cluster-edit-{secrets.token_hex(4)}"
    public_path = f"/categories/{category_slug}/"
    change_path = f"/admin/outcomes/category/{category_pk}/change/"
    for port in (varnish_port, b):  # the old page is where visitors look
        get(port, public_path)
    writes_before = app_queries(cluster, primary)[1], app_queries(cluster, replica)[1]
    editor = edit_in_admin(a, "cluster-editor", password, change_path, "description", marker)
    saved = time.monotonic()
    # Anonymous visitors look from the moment the save returned, while the editor does.
    seen = {}

    def visitor(name, port):
        while time.monotonic() - saved < 5:
            if marker in get(port, public_path)[2]:
                seen[name] = time.monotonic() - saved
                return
            time.sleep(0.05)

    visitors = [
        threading.Thread(target=visitor, args=visit)
        for visit in (("Varnish", varnish_port), ("app B", b))
    ]
    for thread in visitors:
        thread.start()
    seen_admin = marker in get(a, change_path, editor)[2]
    seen_page = marker in get(a, public_path, editor)[2]
    results.add(
        "the editor sees the change at once (app A)",
        seen_admin and seen_page,
        f"admin form {'shows' if seen_admin else 'does NOT show'} it, public page "
        f"{'shows' if seen_page else 'does NOT show'} it, on the first request",
        "pinning the editor's reads to the primary",
    )
    writes_after = app_queries(cluster, primary)[1], app_queries(cluster, replica)[1]
    results.add(
        "writes land on the primary",
        writes_after[0] > writes_before[0] and writes_after[1] == writes_before[1],
        f"the login and the save: primary +{writes_after[0] - writes_before[0]} writes, "
        f"replica +{writes_after[1] - writes_before[1]}",
    )
    for thread in visitors:
        thread.join()
    figure = ", ".join(
        f"{name} after {seen[name] * 1000:.0f} ms" if name in seen else f"{name}: not in 5 s"
        for name in ("Varnish", "app B")
    )
    results.add(
        "anonymous visitors see it within 1 s (Varnish, app B)",
        len(seen) == 2 and max(seen.values()) <= 1.0,
        figure,
        "the purge on commit (HTTP_CACHE_PURGE_URLS)",
    )
    stale = sum(
        marker not in get(port, public_path)[2] for _ in range(20) for port in (varnish_port, b, a)
    )
    results.add("no stale page after that", stale == 0, f"{stale} stale of 60 (Varnish, B, A)")

    held_back_replica(cluster, results, primary, replica, a, password)

    # 3. Throughput, everything up: Varnish against app server A alone.
    figures = []
    ratios = []
    for label, paths in (("list", ["/outcomes/"]), ("filtered", [PUBLIC[2]])):
        for port in (varnish_port, a):  # warm both
            get(port, paths[0])
        through, errors_v = wrk(varnish_port, paths)
        direct, errors_a = wrk(a, paths)
        ratios.append(through / direct)
        figures.append(
            f"{label} {through:,.0f} vs {direct:,.0f} req/s = ×{through / direct:.1f}"
            + (f" ({errors_v}+{errors_a} non-2xx)" if errors_v or errors_a else "")
        )
    results.add(
        "throughput, Varnish vs app A (wrk)",
        min(ratios) >= 2,
        "; ".join(figures),
        "s-maxage on public pages",
    )

    # Floods from one address: what reaches the app servers is limited per address
    # (deploy/varnish/default.vcl), pages kept by Varnish are not counted.
    misses = [status_from("127.0.0.3", varnish_port, f"/outcomes/?q=flood{n}") for n in range(90)]
    logins = [status_from("127.0.0.4", varnish_port, "/admin/login/", "POST") for _ in range(20)]
    hits = [status_from("127.0.0.3", varnish_port, "/outcomes/") for _ in range(100)]
    others = [status_from("127.0.0.1", varnish_port, path) for path in PUBLIC]
    results.add(
        "a flood from one address gets 429; others are served",
        misses.count(429) >= 20
        and logins.count(429) >= 5
        and set(hits) == {200}
        and set(others) == {200},
        f"429 to {misses.count(429)} of 90 uncached searches and {logins.count(429)} of 20 "
        f"login attempts from one address; {hits.count(200)} of 100 kept pages to it and "
        f"{others.count(200)} of {len(others)} pages to another answered 200",
        "vsthrottle per client address",
    )

    # What Varnish keeps now, everything up, is what it must serve when the app servers
    # stop (step 6); the steps between ask the app servers directly.
    for path in PUBLIC:
        get(varnish_port, path)
    kept = {path: get(varnish_port, path)[2] for path in PUBLIC}

    # 4. The replica stops.
    cluster.pg_stop(cluster.replica_data)
    answers = [get(port, path)[0] for port in app_ports for path in PUBLIC]
    bad = sum(status != 200 for status in answers)
    results.add(
        "replica stopped: pages keep answering",
        bad == 0,
        f"{len(answers) - bad} of {len(answers)} answered 200 (A and B)",
        "the router's fallback to the primary",
    )
    status, headers, body = get(a, "/healthz")
    try:
        health = json.loads(body)
    except ValueError:
        health = {}
    down = health.get("databases", {}).get("replica_0")
    results.add(
        "replica stopped: /healthz names it",
        status == 200 and down == "down" and health.get("status") == "degraded",
        f"HTTP {status}, "
        + (
            f"status {health.get('status')!r}, replica_0 {down!r}"
            if health
            else f"body {body.strip()[:40]!r}"
        ),
        "the JSON /healthz",
    )

    # 5. Redis stops.
    stop_redis()
    answers = [get(port, path)[0] for port in app_ports for path in PUBLIC]
    bad = sum(status != 200 for status in answers)
    try:
        cache = json.loads(get(a, "/healthz")[2]).get("cache")
    except (ValueError, AttributeError):
        cache = None
    results.add(
        "Redis stopped: pages keep answering",
        bad == 0,
        f"{len(answers) - bad} of {len(answers)} answered 200 (A and B)"
        + (f"; /healthz says cache {cache!r}" if cache else ""),
        "the fallback to per-process caches",
    )

    # 6. The app servers stop: Varnish serves what it kept (grace), since step 3.
    for stop in apps.values():
        stop()
    time.sleep(CACHE_SECONDS + 3)  # past the pages' time, and the probes say sick
    answers = [(path, *get(varnish_port, path)) for path in PUBLIC]
    served = [
        path for path, status, headers, body in answers if status == 200 and body == kept[path]
    ]
    ages = [int(headers.get("Age", 0) or 0) for _, status, headers, _ in answers if status == 200]
    results.add(
        "app servers stopped: Varnish serves kept pages (grace)",
        len(served) == len(PUBLIC),
        f"{len(served)} of {len(PUBLIC)} public pages served"
        + (f", up to {max(ages)} s old (s-maxage {CACHE_SECONDS})" if ages else ""),
        "s-maxage on public pages",
    )
    status = get(varnish_port, "/admin/login/")[0]
    results.add(
        "app servers stopped: the admin is not served from cache",
        status == 503,
        f"/admin/login/ answered {status}",
    )


def main():
    for tool in (VARNISHD, REDIS, PG_BIN / "initdb", "wrk"):
        if not shutil.which(str(tool)):
            sys.exit(f"Missing {tool}: apt-get install postgresql redis-server varnish wrk")
    cluster = Cluster()
    results = Results()

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    try:
        run(cluster, results)
    except (Exception, KeyboardInterrupt, SystemExit) as error:
        if isinstance(error, subprocess.CalledProcessError):
            print(f"{error}\n{error.stdout}\n{error.stderr}", file=sys.stderr)
        else:
            print(f"The cluster test stopped: {error!r}", file=sys.stderr)
        results.add("the run", False, f"stopped early: {type(error).__name__}")
    finally:
        print("Stopping the servers…", flush=True)
        with contextlib.suppress(Exception):
            for name in ("app-a", "app-b", "varnish"):
                tail = cluster.log_tail(name, 5)
                if results.failed and tail:
                    print(f"--- last lines of {name}.log\n{tail}")
        cluster.stop_all()
    print("\n" + results.table())
    sys.exit(1 if results.failed else 0)


if __name__ == "__main__":
    main()
