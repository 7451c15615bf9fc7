"""The API's OpenAPI 3.1 schema: committed, served, true to every answer, and its docs page
under the site's Content Security Policy.

schemathesis generates requests from the committed schema (docs/openapi.json) and sends them
to the application in-process, in the test's transaction: no answer may be a server error,
and every answer must match the schema.
"""

import json
import re
from pathlib import Path

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.views import api

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
REGENERATE = (
    "DJANGO_DEBUG=true .venv/bin/python manage.py export_openapi_schema --api api.views.api "
    "--indent 2 --sorted "
    "--output docs/openapi.json"
)


def generated_schema():
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def test_the_committed_schema_is_the_one_the_api_generates():
    committed = json.loads(SCHEMA_FILE.read_text())
    assert committed == generated_schema(), f"The API's schema changed: run `{REGENERATE}`."


@pytest.mark.django_db
def test_the_api_serves_its_schema_as_openapi_3_1(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served["openapi"] == "3.1.0"
    assert served == generated_schema()


@pytest.mark.django_db
def test_the_docs_page_uses_only_our_own_files_under_the_strict_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe" not in csp
    html = response.content.decode()
    assert "<script>" not in html  # the settings are a JSON data block, not a script
    files = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert files and all(finders.find(file.removeprefix("/static/")) for file in files)
    # Nothing from elsewhere: every other address is a page of the catalogue.
    others = set(re.findall(r'(?:src|href)="([^"]+)"', html)) - set(files)
    assert others == {"/", "/data/"}
    config = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)[1])
    assert config["url"] == "/api/v1/openapi.json"
    assert config["validatorUrl"] is None  # no call to the online validator


# Generated requests ------------------------------------------------------------------------

schema = schemathesis.openapi.from_path(SCHEMA_FILE)

# Per operation (14): a few hundred requests in all, in some seconds.
EXAMPLES = 20


@pytest.fixture
def app(db):
    """Django's WSGI application, answering in the test's transaction.

    As Django's test client does, the connection is not closed at the end of each request
    (which would break the transaction the test runs in).
    """
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_matches_the_schema_and_none_is_a_server_error(case, app):
    # Every check but one: a filter's values are checked against the catalogue's (an
    # unknown slug is 400), which the schema cannot list.
    case.call_and_validate(app=app, excluded_checks=[positive_data_acceptance])


@pytest.mark.browser
def test_the_docs_page_works_in_a_browser_under_the_csp(page, live_catalogue):
    """Swagger UI draws every operation from our own files; the browser reports no CSP
    violation and asks no other host."""
    problems, hosts = [], set()
    page.on("console", lambda message: problems.append(message.text))
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_catalogue + "/api/v1/docs")
    operations = page.locator(".opblock-summary-path")
    operations.first.wait_for()
    assert operations.count() == len(schema.raw_schema["paths"])
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p]
    assert hosts == {live_catalogue.split("/")[2]}
