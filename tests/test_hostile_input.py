"""Arbitrary query strings and path segments at every public URL: no 5xx, no reflected markup."""

from urllib.parse import quote, urlencode

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
DETAILS = [
    "/outcomes/{}/",
    "/organizations/{}/",
    "/countries/{}/",
    "/regions/{}/",
    "/categories/{}/",
]
NAMES = ["q", "country", "category", "region", "organization", "status", "sort", "page", "type"]

# Text a browser could send: any characters but the surrogates URLs cannot carry.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(["<script>alert(1)</script>", "\"'><img src=x>", "%00", "\x00", "m\x00", "mm"]),
)
EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_safe(response, *inputs):
    assert response.status_code < 500, response.status_code
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
    assert_safe(response, *(value for _, value in params))


@EXAMPLES
@given(pattern=st.sampled_from(DETAILS), segment=VALUES.filter(lambda s: s.strip("./") != ""))
def test_any_path_segment_on_any_page(client, pattern, segment):
    response = client.get(pattern.format(quote(segment, safe="")))
    assert response.status_code in (200, 301, 404), response.status_code
    assert_safe(response, segment)


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


def test_downloads_are_not_kept_and_a_workbook_has_a_limit(client, monkeypatch):
    from django.core.cache import caches

    from outcomes import exports

    pages = caches["pages"]
    for format in ("csv", "json", "xlsx"):
        response = client.get(f"/outcomes/export.{format}?country=mm")
        assert response.status_code == 200
    assert len(pages._cache) == 0
    monkeypatch.setattr(exports, "MAX_XLSX_ROWS", 10)
    response = client.get("/outcomes/export.xlsx?category=capacity")
    assert response.status_code == 400
    html = response.content.decode()
    assert "These filters give 11 outcomes; an Excel download holds at most 10" in html
    assert 'href="/outcomes/export.csv?category=capacity"' in html
