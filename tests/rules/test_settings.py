"""The settings refuse bad values loudly, and production needs its secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from sironet.settings import envbool, envint
from tests.conftest import in_ci

ROOT = Path(__file__).resolve().parents[2]


def import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", "import sironet.settings"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = import_settings()
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_debug_runs_without_a_secret_key():
    assert import_settings(DJANGO_DEBUG="true").returncode == 0


def test_a_misspelled_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        envbool("DJANGO_DEBUG", False)


def test_a_non_number_is_refused(monkeypatch):
    monkeypatch.setenv("DJANGO_CONN_MAX_AGE", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        envint("DJANGO_CONN_MAX_AGE", 0)


def test_ci_runs_on_the_database_it_asks_for():
    """CI runs the suite twice; the PostgreSQL run must really be on PostgreSQL."""
    expected = os.environ.get("SIRONET_EXPECT_DATABASE")
    if not expected:
        if in_ci():
            pytest.fail("CI must say which database it expects (SIRONET_EXPECT_DATABASE).")
        pytest.skip("SIRONET_EXPECT_DATABASE is not set (only CI sets it).")
    assert connection.vendor == expected


def test_postgresql_statements_have_a_time_limit_and_no_jit(db):
    """gunicorn's threads ignore its timeout: the database bounds each statement. JIT
    compiling cost more than the catalogue's queries take (docs/performance.md)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_gunicorn_workers_freeze_what_they_loaded():
    """A worker's full garbage collections leave alone what it loaded at start, which
    they would otherwise scan again and again (docs/performance.md, after an edit)."""
    import gc
    import runpy

    import jieba

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    jieba.dt.initialized = False  # as in a new worker, whatever other tests searched
    try:
        config["post_worker_init"](None)
        assert gc.get_freeze_count() > 10_000
        # A first Chinese search does not load the segmenter's dictionary (issue 27).
        assert jieba.dt.initialized
    finally:
        gc.unfreeze()


def site_url(**env):
    script = "import sironet.settings as s; print(s.SITE_URL)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return (
        subprocess.run(
            [sys.executable, "-c", script], env={**clean, **env}, cwd=ROOT, capture_output=True
        )
        .stdout.decode()
        .strip()
    )


def test_the_site_address_for_e_mails_is_a_real_host_or_says_so():
    production = {"DJANGO_SECRET_KEY": "x" * 50}
    assert site_url(**production, DJANGO_SITE_URL="https://c.example.org/") == (
        "https://c.example.org"
    )
    named = site_url(**production, DJANGO_ALLOWED_HOSTS=".example.org,catalogue.example.org")
    assert named == "https://catalogue.example.org"  # not "https://.example.org"
    assert site_url(**production, DJANGO_ALLOWED_HOSTS="*") == "http://127.0.0.1:8000"
    assert site_url(DJANGO_DEBUG="true") == "http://127.0.0.1:8000"
