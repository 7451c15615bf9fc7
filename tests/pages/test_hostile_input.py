"""Arbitrary query strings and path segments at every public URL: the one right answer (never
a 5xx), no reflected markup."""

import re
from urllib.parse import quote, urlencode

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.models import Category, Country, Organization, Outcome, Region

pytestmark = pytest.mark.django_db

LISTS = [
    "/",
    "/outcomes/",
    "/outcomes/export.csv",
    "/outcomes/export.json",
    "/outcomes/export.xlsx",
    "/organizations/",
    "/countries/",
    "/about/",
    "/sitemap.xml",
    "/robots.txt",
]
DETAILS = {
    "/outcomes/{}/": Outcome,
    "/organizations/{}/": Organization,
    "/countries/{}/": Country,
    "/regions/{}/": Region,
    "/categories/{}/": Category,
}
NAMES = ["q", "country", "category", "region", "organization", "status", "sort", "page", "type"]

# Text a browser could send: any characters but the surrogates URLs cannot carry.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(
        ["<script>alert(1)</script>", "\"'><img src=x>", "%00", "\x00", "m\x00", "mm", "MM", "cfpd"]
    ),
)
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_safe(response, *inputs):
    if response.streaming:  # an export fails, if at all, while it streams
        b"".join(response.streaming_content)
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        for value in inputs:
            if "<" in value and len(value) > 3:
                assert value not in body, f"unescaped: {value!r}"


@EXAMPLES
@given(
    url=st.sampled_from(LISTS),
    params=st.lists(st.tuples(st.sampled_from(NAMES) | TEXT, VALUES), max_size=6),
)
def test_any_query_string_on_any_list(client, url, params):
    response = client.get(f"{url}?{urlencode(params)}")
    assert response.status_code == list_status(url, params), response.status_code
    assert_safe(response, *(value for _, value in params))


def list_status(url, params):
    """A list answers any query string with its page (a bad value is shown as a problem),
    but the sitemap, asked by its own parameter `p` for a page it has not: only 1 exists."""
    pages = [value for name, value in params if name == "p"]
    if url == "/sitemap.xml" and pages:
        try:
            return 200 if int(pages[-1]) == 1 else 404
        except ValueError:
            return 404
    return 200


@EXAMPLES
@given(pattern=st.sampled_from(list(DETAILS)), segment=VALUES.filter(lambda s: s.strip("./") != ""))
def test_any_path_segment_on_any_page(client, pattern, segment):
    response = client.get(pattern.format(quote(segment, safe="")))
    assert response.status_code == detail_status(pattern, segment), response.status_code
    assert_safe(response, segment)


def detail_status(pattern, segment):
    """200 for the address of a record; 301 for a country's code in capitals (to its
    lower-case address); 404 for anything else."""
    if DETAILS[pattern] is Country:
        code = re.fullmatch("[A-Za-z]{2}", segment) and segment.upper()
        if not (code and Country.objects.filter(code=code).exists()):
            return 404
        return 200 if segment.islower() else 301
    named = re.fullmatch("[-a-zA-Z0-9_]+", segment)  # the <slug:> converter's
    return 200 if named and DETAILS[pattern].objects.filter(slug=segment).exists() else 404


# Requests whose cost a query string could multiply --------------------------------------


def test_a_crafted_4_kb_query_string_gives_a_small_page_without_repeats(client):
    from outcomes.filters import MAX_VALUES

    query = urlencode([("q", str(n)) for n in range(640)])[:4096]
    response = client.get(f"/outcomes/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 200_000
    assert html.count('class="chip"') == 1  # one search: the first
    codes = ["MM", "KH", "ET", "SD", "NP", "LK", "UZ", "PH", "IN", "PK", "IT", "MU", "SC"] * 10
    response = client.get("/outcomes/?" + urlencode([("country", code) for code in codes]))
    html = response.content.decode()
    assert len(response.content) < 200_000
    assert html.count('class="chip"') == 13  # each country once
    many = sorted(country.alpha_2 for country in pycountry.countries)[:32]
    response = client.get("/outcomes/?" + urlencode([("country", code) for code in many] * 4))
    html = response.content.decode()
    assert f"Choose at most {MAX_VALUES} values (this asks for 32)" in html
    assert html.count('class="chip"') == 0
    assert len(response.content) < 200_000


def test_repeated_values_and_unknown_parameters_cost_no_new_kept_page(client):
    from django.core.cache import caches

    pages = caches["pages"]
    client.get("/outcomes/?country=mm")
    kept = len(pages._cache)
    for variant in (
        "country=mm&country=MM&country=mm",
        "country=MM&utm_source=x",
        "country=mm&q=&page=",
        "zzz=1&country=mm",
    ):
        assert client.get(f"/outcomes/?{variant}").status_code == 200
        assert len(pages._cache) == kept, variant
    client.get("/about/?anything=1")
    client.get("/about/?anything=2")
    assert len(pages._cache) == kept + 1


def test_streamed_downloads_are_not_kept_and_a_workbook_has_a_limit(client, monkeypatch):
    from django.core.cache import caches

    from downloads import exports

    pages = caches["pages"]
    for format in ("csv", "json", "xlsx"):
        response = client.get(f"/outcomes/export.{format}?country=mm")
        assert response.status_code == 200
    assert len(pages._cache) == 1  # the workbook, made once per selection and version
    monkeypatch.setattr(exports, "MAX_XLSX_ROWS", 10)
    response = client.get("/outcomes/export.xlsx?category=capacity")
    assert response.status_code == 400
    html = response.content.decode()
    assert "These filters give 11 outcomes; an Excel download holds at most 10" in html
    assert 'href="/outcomes/export.csv?category=capacity"' in html


def test_a_host_naming_another_port_is_served_but_never_kept(client):
    """ALLOWED_HOSTS ignores ports: a page asked for with any port was kept once per port,
    its links to that port (issue 27). Only the port the request came in on is kept."""
    from django.core.cache import caches

    pages = caches["pages"]
    for port in range(8001, 8011):
        response = client.get("/outcomes/?country=mm", HTTP_HOST=f"testserver:{port}")
        assert response.status_code == 200
    assert len(pages._cache) == 0
    client.get("/outcomes/?country=mm", HTTP_HOST="testserver:80")  # the port it came in on
    client.get("/outcomes/?country=mm")
    assert len(pages._cache) == 2


def test_a_request_with_too_many_parameters_is_refused_with_one_log_line(client, capsys):
    """Issue 27: over 1,000 parameters gave 400 and a full traceback in the log."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)  # its handlers write to the captured stdout
    try:
        query = "&".join(f"p{number}=1" for number in range(1_100))
        response = client.get(f"/outcomes/?{query}")
        assert response.status_code == 400
        logged = capsys.readouterr().out
    finally:
        with capsys.disabled():  # and back to the real one, for the tests after this
            logging.config.dictConfig(settings.LOGGING)
    assert "TooManyFields" in logged or "too many" in logged.lower() or "exceeded" in logged
    assert "Traceback" not in logged
