"""The production configuration: secure settings, strict headers, health, outages, read-only."""

import csv
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import global_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.models import Outcome
from outcomes.seeding import seed

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "a-production-secret-key-that-is-long-and-random-enough-0123456789"


def run(args, **env):
    """Run a Python command with only the given environment (and the basics)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, *args], env={**base, **env}, cwd=ROOT, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_only_the_three_production_variables(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_ALLOWED_HOSTS="catalogue.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.django_db
def test_every_response_has_the_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_admin_allows_inline_styles_but_no_inline_scripts(client):
    csp = client.get("/admin/login/")["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp)[1]
    assert "'unsafe-inline'" not in script_src
    assert "style-src 'self' 'unsafe-inline'" in csp
    assert "'unsafe-inline'" not in client.get("/outcomes/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_https_is_enforced_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/outcomes/?country=mm")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/outcomes/?country=mm"
    secure = client.get("/", secure=True)
    assert secure["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def settings_read_with(monkeypatch, **env):
    """sironet/settings.py as a process with only the given environment (and the basics)
    reads it: loaded afresh, beside the settings this process runs on."""
    for name in [name for name in os.environ if name.startswith(("DJANGO_", "DATABASE_"))]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_read", ROOT / "sironet/settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_proxy_header_is_trusted_only_when_asked(monkeypatch):
    plain = settings_read_with(monkeypatch, DJANGO_SECRET_KEY=PRODUCTION_KEY)
    proxied = settings_read_with(
        monkeypatch, DJANGO_SECRET_KEY=PRODUCTION_KEY, DJANGO_BEHIND_TLS_PROXY="true"
    )
    default = global_settings.SECURE_PROXY_SSL_HEADER
    assert getattr(plain, "SECURE_PROXY_SSL_HEADER", default) is None
    assert proxied.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_templates_have_no_inline_script_or_style():
    for template in (ROOT / "templates").rglob("*.html"):
        html = template.read_text()
        # A JSON or JSON-LD data block is not a script: browsers never run it.
        data_block = r'type="application/(ld\+)?json"'
        assert not re.search(rf"<script(?![^>]*\b(src=|{data_block}))[^>]*>", html), template
        assert "<style" not in html, template
        assert not re.search(r"\sstyle=", html), template
        assert not re.search(r"\son[a-z]+=", html), template  # onclick= and the like


@pytest.mark.django_db
def test_health_answers_ok_whatever_the_host(client, worker_alive):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "databases": {"default": "ok"},
        "cache": "local",
        "worker": "ok",
        "releases": {"missing": []},
    }
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_health_says_when_no_worker_has_been_seen(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"] == "absent"


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_its_jobs_round_after_round_and_says_it_is_alive(client, settings):
    from django.core.management import call_command

    from downloads import package

    settings.DATA_PACKAGE_DIR = settings.DATA_PACKAGE_DIR / "worker"
    seed()
    assert package.newest() is None
    call_command("worker", rounds=2, interval=0)
    assert package.newest() is not None  # the data package of the version, written
    assert client.get("/healthz").json()["worker"] == "ok"


OUTAGE_SCRIPT = """
import django
from django.conf import settings
django.setup()
# As in every test: no collectstatic, so no manifest of hashed names.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.test import Client
client = Client()
for url in ["/healthz", "/", "/outcomes/?country=mm", "/outcomes/export.csv",
            "/organizations/cfpd/", "/api/v1/outcomes/"]:
    response = client.get(url)
    body = response.content.decode()
    if url.startswith(("/api/", "/healthz")):  # a program's reader gets JSON
        assert response["Content-Type"] == "application/json", (url, response["Content-Type"])
    leaks = [w for w in ("Traceback", "psycopg", "sqlite", "OperationalError", "connection")
             if w.lower() in body.lower()]
    # /healthz says it in JSON: {"status": "down", ...}
    print(url, response.status_code, any(w in body for w in ("unavailable", '"down"')), leaks)
"""


@pytest.mark.parametrize(
    "database_url",
    ["postgres://nobody:secret@127.0.0.1:1/none", "sqlite:////nonexistent/folder/db.sqlite3"],
)
def test_a_database_outage_gives_plain_503_pages(database_url):
    result = run(
        ["-c", OUTAGE_SCRIPT],
        DJANGO_SETTINGS_MODULE="sironet.settings",
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
    )
    lines = [line for line in result.stdout.strip().splitlines() if line.startswith("/")]
    assert len(lines) == 6, result.stdout + result.stderr
    for line in lines:
        url, status, says_unavailable, leaks = line.split(" ", 3)
        assert status == "503", line
        assert says_unavailable == "True", line
        assert leaks == "[]", line
    assert "does not answer" in result.stdout  # logged to standard output, for the operators


PUBLIC_URLS = [
    "/",
    "/outcomes/",
    "/outcomes/?country=mm&q=school",
    "/outcomes/export.csv",
    "/outcomes/export.json",
    "/outcomes/export.xlsx",
    "/organizations/",
    "/organizations/cfpd/",
    "/countries/",
    "/countries/mm/",
    "/regions/asean/",
    "/categories/culture/",
    "/about/",
    "/data/",
    "/data/datapackage.zip",
    "/data/outcomes.csv",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
]


def public_urls():
    return [*PUBLIC_URLS, *(o.get_absolute_url() for o in Outcome.objects.all())]


@pytest.mark.django_db
def test_public_urls_answer_only_get_and_head(client):
    from downloads.package import WritePackage

    WritePackage()()  # as the worker does: /data/'s files are there
    for url in public_urls():
        assert client.head(url).status_code == 200, url
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url)
            assert response.status_code == 405, (method, url, response.status_code)
            assert response["Allow"] == "GET, HEAD", (method, url)


@pytest.mark.django_db
def test_no_public_request_writes_to_the_database(client):
    writes = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|REPLACE)\b", re.I)
    for url in public_urls():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        written = [q["sql"] for q in queries.captured_queries if writes.match(q["sql"])]
        assert written == [], url


@pytest.mark.django_db
def test_very_many_repeated_parameters_are_refused_plainly(client):
    response = client.get("/outcomes/?" + "&".join(["country=mm"] * 2000))
    assert response.status_code == 400
    assert b"<h1>Bad Request (400)</h1>" in response.content


def listed(url, response):
    """How many outcomes a list page counts, or a download holds."""
    if url.endswith(".csv"):
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        return len(list(csv.reader(io.StringIO(body)))) - 1  # the header
    if url.endswith(".json"):
        return len(json.loads(b"".join(response.streaming_content)))
    return int(re.search(r'aria-live="polite">(\d+) outcomes?</h2>', response.content.decode())[1])


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/outcomes/", "/outcomes/export.csv", "/outcomes/export.json"])
def test_very_long_parameters_are_handled(client, url):
    """A search or a country too long to be one is refused, with a message on the list, and
    nothing is listed; a page "number" of 5,000 digits (more than Python reads as one) is
    no number, and gives the first page (downloads have no pages)."""
    every = Outcome.objects.count()
    for params, count, message in (
        ({"q": "w" * 100_000}, 0, "Search: Ensure this value has at most 200 characters"),
        ({"country": "x" * 10_000}, 0, f"Country: “{'X' * 10_000}” is not a known value."),
        ({"page": "9" * 5_000}, every, "Page 1 of 2"),
    ):
        response = client.get(url, params)
        assert response.status_code == 200
        assert listed(url, response) == count, params.keys()
        if url == "/outcomes/":
            assert message in response.content.decode()
