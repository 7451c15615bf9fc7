"""Arbitrary query strings and path segments at every public URL: no 5xx, no reflected markup."""

from urllib.parse import quote, urlencode

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
