"""nginx in front of gunicorn (deploy/): slow clients wait in nginx, not in gunicorn's threads.

The servers run as `make serve-proxy` runs them (deploy/serve-proxy), as local processes,
on the suite's own test database (migrated and seeded once per session), with the static
files collected in a temporary directory.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.test import RequestFactory

from corrections.models import CorrectionReport, SenderCount
from edge.middleware import client_address
from outcomes.models import Outcome
from tests.conftest import EDITOR_PASSWORD, need, totp
from tests.editors.test_import import HOSTILE_FILES
from tools.soak import SlowClients, request, worker_memory

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Ports of their own, clear of make run's and make serve's 8000.
PORTS = range(8750, 8770)
SLOW_CLIENTS = 50

# Among the database tests, so that pytest-django runs them before the live-server tests,
# which empty the database the servers read.
pytestmark = pytest.mark.django_db


def free_ports(count):
    found = []
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    pytest.fail(f"fewer than {count} free ports in {PORTS}")


def served_database(directory):
    """The address of the suite's test database, for the servers: an SQLite one lives in
    memory, so it is copied to a file; a PostgreSQL one is shared (the servers only read)."""
    from django.db import connection

    assert Outcome.objects.exists(), "the test database is not seeded"
    if connection.vendor == "sqlite":
        path = directory / "db.sqlite3"
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(path)) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{path}"
    address = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(address._replace(path="/" + connection.settings_dict["NAME"]))


def prepare(directory, database_url):
    """The production environment on that database, its static files collected."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "sironet.settings",
        "DATABASE_URL": database_url,
        "DJANGO_STATIC_ROOT": str(directory / "static"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_BEHIND_TLS_PROXY": "true",
        "DJANGO_LOG_LEVEL": "WARNING",
        # Four threads in all, so that the control below needs only a few slow clients
        # to hold every one of them.
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
    }
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return env


@pytest.fixture(scope="module")
def pair(tmp_path_factory, django_db_setup, django_db_blocker):
    """nginx on one port in front of gunicorn on another; yields the two ports."""
    need(Path(NGINX).exists(), "nginx is missing: apt-get install -y nginx")
    directory = tmp_path_factory.mktemp("proxy")
    port, app_port = free_ports(2)
    with django_db_blocker.unblock():
        editor = proxy_editor()
        database_url = served_database(directory)
    env = {
        **prepare(directory, database_url),
        "PORT": str(port),
        "APP_PORT": str(app_port),
        "GUNICORN": str(Path(sys.executable).parent / "gunicorn"),
        "CATALOGUE_PYTHON": sys.executable,
        "NGINX": NGINX,
    }
    log = (directory / "servers.log").open("w")
    servers = subprocess.Popen(
        [ROOT / "deploy" / "serve-proxy"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            if servers.poll() is not None:
                break
            try:
                get(port, "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        assert servers.poll() is None, (directory / "servers.log").read_text()
        yield port, app_port, servers.pid, env
    finally:
        # As Ctrl-C does: deploy/serve-proxy stops both servers and removes its files.
        os.killpg(servers.pid, signal.SIGINT)
        try:
            servers.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(servers.pid, signal.SIGKILL)
            servers.wait()
        log.close()
        # A PostgreSQL test database is shared with the other tests: what the servers wrote
        # goes with them.
        with django_db_blocker.unblock():
            editor.delete()
            CorrectionReport.objects.all().delete()
            SenderCount.objects.all().delete()


def proxy_editor():
    from django.contrib.auth.models import Group, User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_user("proxy-editor", "", EDITOR_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    TOTPDevice.objects.create(user=user, name="default")
    return user


def logged_in(port, editor):
    """A session of the editor's, logged in through nginx as a browser would."""
    session = requests.Session()
    login = f"http://127.0.0.1:{port}/account/login/?next=/admin/"
    session.get(login, timeout=5)
    token = session.cookies["csrftoken"]
    steps = [
        {"auth-username": "proxy-editor", "auth-password": EDITOR_PASSWORD},
        {"token-otp_token": totp(editor)},
    ]
    for name, data in zip(("auth", "token"), steps, strict=True):
        data |= {"login_view-current_step": name, "csrfmiddlewaretoken": token}
        answer = session.post(login, data=data, timeout=5)
    assert answer.url.endswith("/admin/"), answer.text[:500]
    return session


def get(port, path, timeout=5, headers=None):
    """GET a path; the status, the body and the seconds it took."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read(), time.monotonic() - started


def status(port, path, source, method="GET", body=None, headers=None):
    """The status of one request from the loopback address `source`: a visitor beside a
    flooder (tools/soak.py's, as make soak sends them)."""
    return request(source, path, method, body, headers, port=port)[0]


def visitors_meanwhile(port, seconds):
    """A visitor's requests, from 127.0.0.1, while a flood runs: their statuses."""
    statuses = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in ("/", "/outcomes/", "/outcomes/?country=mm"):
            statuses.append(status(port, path, "127.0.0.1"))
        time.sleep(0.2)
    return statuses


def test_normal_requests_answer_within_a_second_beside_fifty_slow_clients(pair):
    port, *_ = pair
    with SlowClients(port, SLOW_CLIENTS) as slow:
        timings = []
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            for path in ("/healthz", "/outcomes/", "/outcomes/?country=mm"):
                status, _, seconds = get(port, path)
                assert status == 200, path
                timings.append((seconds, path))
            time.sleep(0.2)
        # Still holding their connections at the end: the attack went on throughout.
        assert slow.open() == SLOW_CLIENTS
    slowest = max(timings)
    assert slowest[0] < 1, slowest
    assert len(timings) >= 15


def test_a_thousand_slow_connections_from_one_address_leave_room_for_visitors(pair):
    """nginx holds 4,096 connections per worker (it held 1,024 in all: 1,100 slow
    connections from one address made a quarter of visitors' requests fail)."""
    port, *_ = pair
    with SlowClients(port, 1_100, source="127.0.0.2") as slow:
        statuses = visitors_meanwhile(port, 4)
        assert slow.open() > 1_000
    assert set(statuses) == {200}, statuses


def test_one_address_past_its_rates_gets_429_and_others_are_served(pair):
    """Per address, at the front: pages, downloads and forms, and login attempts each
    have a rate (deploy/nginx/templates/default.conf.template); the address past one is
    answered 429 by nginx, for nothing, and another address is served as before."""
    from concurrent.futures import ThreadPoolExecutor

    port, *_ = pair
    floods = {
        "127.0.0.3": ("GET", "/outcomes/?page=2", 150, 61),  # a burst of 60, then 20 a second
        "127.0.0.4": ("GET", "/outcomes/export.csv?country=mm", 30, 11),
        "127.0.0.5": ("POST", "/admin/login/", 30, 2),
    }
    for source, (method, path, count, allowed) in floods.items():
        with ThreadPoolExecutor(10) as pool:
            sent = [pool.submit(status, port, path, source, method, b"") for _ in range(count)]
            statuses = [request.result() for request in sent]
        refused = statuses.count(429)
        assert count - allowed - 5 <= refused <= count - allowed + 5, (path, statuses)
    assert set(visitors_meanwhile(port, 1)) == {200}


def test_the_worker_beside_the_servers_writes_the_data_package(pair):
    """make serve-proxy starts `manage.py worker`: the package is written after the
    responses, and a download then serves it."""
    port, *_ = pair
    for _ in range(300):
        try:
            status, body, _ = get(port, "/data/datapackage.json")
        except urllib.error.HTTPError as error:
            assert error.code == 503  # not written yet: said so, never a 500
            time.sleep(0.1)
            continue
        assert status == 200 and b'"tabular-data-package"' in body
        break
    else:
        raise AssertionError("the worker wrote no data package within 30 seconds")
    health = json.loads(get(port, "/healthz")[1])
    assert health["worker"] == "ok"


def raw(port, request):
    """The status line and headers nginx sends back to a request written by hand."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := connection.recv(4096)):
            answer += chunk
    head = answer.split(b"\r\n\r\n")[0].decode()
    return head.splitlines()[0], dict(line.split(": ", 1) for line in head.splitlines()[1:])


def test_nginx_refuses_bodies_over_three_megabytes_with_its_own_safe_headers(pair):
    port, *_ = pair
    line, headers = raw(
        port,
        b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: text/csv\r\nContent-Length: %d\r\n\r\n" % (3 * 2**20 + 1),
    )
    assert line.startswith("HTTP/1.1 413 ")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    line, headers = raw(port, b"TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert line.startswith("HTTP/1.1 405 ") and headers["Allow"] == "GET, HEAD, POST"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    # Django's pages keep their own policy, not nginx's.
    line, headers = raw(port, b"GET /outcomes/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert line.startswith("HTTP/1.1 200 ")
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_a_large_body_nginx_lets_through_is_answered_by_django_not_502(pair):
    """Bodies of 2.5 to 3 MB: Django reads them whole and answers (it refused them unread,
    gunicorn closed the connection under nginx, and the visitor got 502)."""
    port, *_ = pair
    body = b"what=" + b"x" * (3 * 2**20 - 100)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    # A page (no CSRF token), a path that is none, and a check answered before any view.
    for path, expected in (("/", 403), ("/no-such-page/", 404), ("/healthz", 405)) * 2:
        assert status(port, path, "127.0.0.6", "POST", body, form) == expected, path


def test_an_import_past_its_limits_is_refused_at_once_and_no_worker_grows(pair):
    """The red team's files (issue 27) through nginx and gunicorn: each refused within a
    second, and the workers' memory stays where it was (it grew by gigabytes)."""
    port, _, servers, _ = pair
    from django.contrib.auth.models import User

    session = logged_in(port, User.objects.get(username="proxy-editor"))
    address = f"http://127.0.0.1:{port}/admin/outcomes/outcome/import/"
    session.get(address, timeout=5)
    before = worker_memory(servers)
    assert len(before) == 2, before
    for shape, (format, content, message) in HOSTILE_FILES.items():
        started = time.monotonic()
        answer = session.post(
            address,
            data={
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
                "format": str(["csv", "xlsx", "json"].index(format)),
                "resource": "0",
                "change_reason": "A hostile file",
            },
            files={"import_file": (f"hostile.{format}", content)},
            timeout=30,
        )
        seconds = time.monotonic() - started
        assert answer.status_code == 200 and message in answer.text, shape
        assert seconds < 1, (shape, seconds)
    after = worker_memory(servers)
    grown = {pid: after[pid] - before[pid] for pid in before if pid in after}
    assert max(grown.values()) < 50, grown


def test_the_client_cannot_claim_https_through_nginx(pair):
    """nginx writes X-Forwarded-Proto itself; gunicorn alone trusts it from 127.0.0.1."""
    port, app_port, *_ = pair
    # Two searches, so that neither page comes from the page cache.
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"}
    _, page, _ = get(port, "/outcomes/?q=water", headers=spoofed)
    assert f'href="http://127.0.0.1:{port}/outcomes/?q=water"'.encode() in page
    _, page, _ = get(app_port, "/outcomes/?q=school", headers={"X-Forwarded-Proto": "https"})
    assert f'href="https://127.0.0.1:{app_port}/outcomes/?q=school"'.encode() in page


def test_failed_logins_count_per_client_behind_the_proxy(settings):
    """django-axes takes the address nginx wrote last, not one the client wrote before it,
    and only behind the proxy that settings trust."""
    request = RequestFactory().post(
        "/admin/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5"
    )
    assert client_address(request) == "127.0.0.1"  # no proxy trusted: the socket's peer
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_address(request) == "203.0.113.5"
    assert client_address(RequestFactory().get("/")) == "127.0.0.1"


def test_gunicorn_replaces_a_worker_after_its_share_of_requests(pair):
    """Whatever a request leaves in a worker's memory is given back when gunicorn replaces
    it, after GUNICORN_MAX_REQUESTS requests, give or take a tenth (gunicorn.conf.py). A
    gunicorn of its own, on the pair's database."""
    *_, env = pair
    (port,) = free_ports(1)
    env = {**env, "PORT": str(port), "GUNICORN_WORKERS": "1", "GUNICORN_MAX_REQUESTS": "20"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [gunicorn, "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        workers = set()
        for _ in range(300):
            workers |= set(worker_memory(server.pid))
            try:
                get(port, "/robots.txt")
            except OSError:
                time.sleep(0.05)
            if len(workers) >= 3:
                break
        assert len(workers) >= 3, workers  # the first, and two that replaced it
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_sixty_reports_at_once_from_one_address_pass_its_limit_of_five_only(pair):
    """The count per address is one conditional UPDATE (corrections.limits.take): of 60
    posts at the same moment, 13 passed the old limit of 5. Sent to gunicorn as nginx
    would forward them (nginx's own rate would refuse most before they reach Django);
    the form stays open to another address."""
    from concurrent.futures import ThreadPoolExecutor

    port, app_port, *_ = pair
    session = requests.Session()
    session.get(f"http://127.0.0.1:{port}/corrections/new/", timeout=5)
    data = {"what": "A flood", "csrfmiddlewaretoken": session.cookies["csrftoken"]}

    def post(address):
        return session.post(
            f"http://127.0.0.1:{app_port}/corrections/new/",
            data=data,
            headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "http"},
            allow_redirects=False,
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(60) as pool:
        answers = list(pool.map(post, ["203.0.113.60"] * 60))
    assert sorted(answers) == [302] * 5 + [429] * 55
    assert post("198.51.100.9") == 302
