"""The JSON API at /api/v1/: what it answers, how it pages and syncs, its errors, its headers
and its query budgets. Its schema and the generated requests are in
tests/data/test_api_schema.py."""

import json
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from api.views import OutcomeQuery
from outcomes.filters import MAX_VALUES, OutcomeFilter
from outcomes.models import Country, Figure, Organization, Outcome
from tests.pages.test_outcome_list import references

pytestmark = pytest.mark.django_db

API = "/api/v1"
OUTCOMES = f"{API}/outcomes/"


def get(client, url, params=None, status=200, **headers):
    response = client.get(url, params or {}, **headers)
    assert response.status_code == status, (url, params, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def listed(client, params=None):
    return [record["reference"] for record in get(client, OUTCOMES, params)["results"]]


def test_the_index_links_every_resource_the_schema_and_the_docs(client):
    index = get(client, f"{API}/")
    assert index["outcomes"] == "http://testserver/api/v1/outcomes/"
    assert index["openapi"] == "http://testserver/api/v1/openapi.json"
    assert index["docs"] == "http://testserver/api/v1/docs"
    for name in ("organizations", "countries", "regions", "categories", "sources"):
        assert get(client, index[name])["count"] > 0


def test_every_page_links_the_api_docs(client):
    assert '<a href="/api/v1/docs">JSON API</a>' in client.get("/about/").content.decode()


def test_the_outcome_list_reads_exactly_the_list_pages_parameters():
    assert set(OutcomeQuery.model_fields) == {*OutcomeFilter.PARAMS, "modified_since"}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"country": "mm", "via": "1"},
        {"category": ["livelihood", "culture"], "status": "completed"},
        {"q": "school", "sort": "title"},
        {"organization": "cfpd", "region": "asean"},
        {"page": "2"},
        {"later": "reported", "reading": "expanded", "sort": "-later"},
        {"later": ["none-found", "not-searched"]},
    ],
)
def test_the_outcome_list_answers_what_the_list_page_shows(client, params):
    page = client.get("/outcomes/", params)
    answer = get(client, OUTCOMES, params)
    assert [record["reference"] for record in answer["results"]] == references(page)
    assert answer["count"] == page.context["page"].paginator.count
    assert answer["facets"] == page.context["facets"]


def test_a_record_is_the_json_downloads_record(client):
    """One definition (outcomes/record.py): the API's record and the JSON download's are the
    same, field for field, with codes and slugs for programs."""
    download = json.loads(b"".join(client.get("/outcomes/export.json").streaming_content))
    records = get(client, OUTCOMES)["results"]
    first = records[0]
    assert first["source"] == {
        "slug": "sironet-cooperation-outcomes",
        "title": "Cooperation Outcomes of SIRONET Member Organizations to Promote "
        "People-to-people Connectivity along the Belt and Road Initiative in Next Three Years",
        "url": "https://sironet.cnie.org.cn/cnie_en/Documents_224/201712/t20171218_94520.html",
    }
    assert first["slug"] == Outcome.objects.get(reference="I.1").slug
    assert first["countries"] == ["MM"]
    assert first["organizations"][0]["role"] == "co-lead"
    for record, exported in zip(records, download, strict=False):
        assert list(record) == list(exported)
        updated = record.pop("updated"), exported.pop("updated")
        assert updated[0].replace("Z", "+00:00") == updated[1]
        assert record == exported


def test_reached_via_says_how_an_outcome_reaches_a_chosen_country(client):
    records = get(client, OUTCOMES, {"country": "mm", "via": "1"})["results"]
    via = {record["reference"]: record["reached_via"] for record in records}
    assert via["I.3"] == [{"country": "MM", "region": "mekong"}]
    assert via["I.1"] == []


def test_pages_link_the_next_and_previous_keeping_the_filters(client):
    params = {"status": ["ongoing", "completed", "ongoing"], "ignored": "x", "sort": "title"}
    first = get(client, OUTCOMES, params)
    query = "sort=title&status=ongoing&status=completed"  # normalized, as the list page's
    assert first["previous"] is None
    assert first["next"] == f"http://testserver/api/v1/outcomes/?{query}&page=2"
    second = get(client, first["next"])
    assert second["previous"] == f"http://testserver/api/v1/outcomes/?{query}&page=1"
    assert second["next"] is None
    assert len(first["results"]) == 20
    assert first["count"] == len(first["results"]) + len(second["results"])


def test_an_outcome_is_addressed_by_slug_or_by_reference_within_its_source(client):
    outcome = Outcome.objects.get(reference="I.3")
    by_slug = get(client, f"{OUTCOMES}{outcome.slug}/")
    by_reference = get(client, f"{API}/sources/{outcome.source.slug}/outcomes/i.3/")
    assert by_slug == by_reference
    assert by_slug["reference"] == "I.3"
    assert by_slug["source"]["slug"] == outcome.source.slug


def test_a_reference_in_another_source_is_not_found(client):
    answer = get(client, f"{API}/sources/another-document/outcomes/I.3/", status=404)
    assert answer["detail"] == "No outcome I.3 in a source “another-document”."
    answer = get(client, f"{OUTCOMES}I.3/", status=400)  # a reference is not a slug
    assert answer["detail"].startswith("slug: String should match pattern")


@pytest.mark.parametrize(
    "url, detail",
    [
        (f"{OUTCOMES}no-such-outcome/", "No outcome has the slug “no-such-outcome”."),
        (f"{API}/organizations/nobody/", "No organization has the slug “nobody”."),
        (f"{API}/countries/zz/", "No country has the code “zz”."),
        (f"{API}/regions/atlantis/", "No region has the slug “atlantis”."),
        (f"{API}/categories/nope/", "No category has the slug “nope”."),
        (f"{API}/sources/nope/", "No source has the slug “nope”."),
        (
            f"{API}/nothing/here/",
            "There is no API address /api/v1/nothing/here/; see /api/v1/docs.",
        ),
        (f"{OUTCOMES}?page=3", "There is no page 3: the last is 2."),
    ],
)
def test_what_does_not_exist_is_404_in_words(client, url, detail):
    assert get(client, url, status=404)["detail"].startswith(detail)


@pytest.mark.parametrize(
    "params, detail",
    [
        ({"country": "zz"}, "Country: “ZZ” is not a known value."),
        ({"category": "nope", "status": "done"}, "status.0: Input should be 'planned'"),
        ({"country": ["mm"] * (MAX_VALUES + 1)}, "country: List should have at most 20 items"),
        ({"sort": "price"}, "sort: Input should be 'reference', 'title', '-updated' or '-later'"),
        ({"page": "0"}, "page: Input should be greater than or equal to 1"),
        ({"page": "two"}, "page: Input should be a valid integer"),
        ({"via": "yes"}, "via: Input should be '1'"),
        ({"later": "maybe"}, "later.0: Input should be 'reported', 'none-found' or 'not-searched'"),
        ({"reading": "thriving"}, "reading.0: Input should be 'continued'"),
        ({"q": "x" * 201}, "q: String should have at most 200 characters"),
        ({"modified_since": "yesterday"}, "modified_since: String should match pattern"),
        ({"modified_since": "1700000000"}, "modified_since: String should match pattern"),
        ({"modified_since": "2025-13-01"}, "modified_since: String should match pattern"),
        ({"modified_since": "0000-00-00"}, "modified_since: String should match pattern"),
        ({"modified_since": "2025-04-31"}, "modified_since: String should match pattern"),
        ({"modified_since": "2025-01-01T24:00"}, "modified_since: String should match pattern"),
        ({"modified_since": "2025-02-29"}, "modified_since: day is out of range for month"),
        ({"modified_since": "0001-01-01T00:00:00+05:00"}, "modified_since: date value out of"),
        ({"region": "\x00"}, "Region: “\x00” is not a known value."),
    ],
)
def test_bad_input_is_400_in_words(client, params, detail):
    assert get(client, OUTCOMES, params, status=400)["detail"].startswith(detail)


def test_an_address_without_its_slash_is_redirected(client):
    response = client.get(f"{API}/outcomes")
    assert response.status_code == 301
    assert response["Location"] == OUTCOMES


def test_every_answer_has_the_data_versions_etag_and_a_revisit_gets_304(client):
    first = client.get(OUTCOMES, {"country": "mm"})
    assert first["ETag"] == client.get("/about/")["ETag"]  # the pages' data version
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=300"
    again = client.get(OUTCOMES, {"country": "mm"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    Outcome.objects.filter(reference="I.1").update(title="A corrected title")
    edited = client.get(OUTCOMES, {"country": "mm"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert edited.status_code == 200
    assert edited.json()["results"][0]["title"] == "A corrected title"


def test_any_origin_may_read_the_api_and_its_etag(client):
    response = client.get(OUTCOMES, HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "ETag"
    preflight = client.options(
        OUTCOMES,
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    # The pages are not the API's.
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN="https://example.org")


def test_modified_since_lists_the_outcomes_whose_record_changed(client, monkeypatch):
    # The edits below happen an hour from now: after all that seeding wrote.
    edited = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: edited)
    since = (edited - timedelta(seconds=1)).isoformat()
    assert listed(client, {"modified_since": since}) == []
    figure = Figure.objects.filter(outcome__reference="II.1").first()
    figure.words = figure.words + " "
    figure.save()  # one of its rows
    Outcome.objects.get(reference="IV.2").save()  # the outcome itself
    Outcome.objects.get(reference="V.1").countries.add(Country.objects.get(code="LA"))  # a place
    assert listed(client, {"modified_since": since}) == ["II.1", "IV.2", "V.1"]
    cfpd = Organization.objects.get(slug="cfpd")
    cfpd.name = "China Foundation for Peace and Development (renamed)"
    cfpd.save()  # an organization it names
    assert listed(client, {"modified_since": since}) == ["I.1", "II.1", "II.11", "IV.2", "V.1"]
    # with the list's filters, and a time without offset read as UTC
    naive = (edited - timedelta(seconds=1)).astimezone(UTC).replace(tzinfo=None).isoformat()
    assert listed(client, {"modified_since": naive, "category": "capacity"}) == ["II.1", "II.11"]
    later = (edited + timedelta(seconds=1)).isoformat()
    assert listed(client, {"modified_since": later}) == []


def test_modified_since_lists_the_outcomes_whose_later_reports_changed(client, monkeypatch):
    from outcomes.models import LaterReport, LaterSearch, ReportFigure

    edited = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: edited)
    since = (edited - timedelta(seconds=1)).isoformat()
    report = LaterReport.objects.get(outcomes__reference="I.1")
    report.summary_zh += "。"
    report.save()  # a report: its outcome's record reads differently
    figure = ReportFigure.objects.filter(report__outcomes__reference="I.2").first()
    figure.words += " "
    figure.save()  # a figure of a report on I.2
    LaterSearch.objects.create(
        outcome=Outcome.objects.get(reference="V.6"),
        searched=edited.date() + timedelta(days=1),  # a day the seeded searches are not
        queries="q",
    )
    assert listed(client, {"modified_since": since}) == ["I.1", "I.2", "V.6"]


def test_modified_since_is_kept_in_the_page_links(client):
    answer = get(client, OUTCOMES, {"modified_since": "2000-01-01"})
    assert answer["count"] == 37
    assert answer["next"] == (
        "http://testserver/api/v1/outcomes/?modified_since=2000-01-01T00%3A00%3A00%2B00%3A00&page=2"
    )


def test_the_records_outcomes_name(client):
    organizations = get(client, f"{API}/organizations/")
    cfpd = next(o for o in organizations["results"] if o["slug"] == "cfpd")
    assert cfpd == get(client, f"{API}/organizations/cfpd/")
    assert cfpd["outcome_count"] == 2
    assert cfpd["outcomes"] == "http://testserver/api/v1/outcomes/?organization=cfpd"
    assert listed(client, {"organization": "cfpd"}) == ["I.1", "II.11"]
    countries = get(client, f"{API}/countries/")
    assert countries["count"] > 200 and len(countries["results"]) == 100
    assert countries["next"] == "http://testserver/api/v1/countries/?page=2"
    assert get(client, f"{API}/countries/mm/")["name"] == "Myanmar"
    mekong = get(client, f"{API}/regions/mekong/")
    assert {member["country"] for member in mekong["members"]} == {
        "CN", "KH", "LA", "MM", "TH", "VN"
    }  # fmt: skip
    categories = get(client, f"{API}/categories/")["results"]
    assert [c["numeral"] for c in categories] == ["I", "II", "III", "IV", "V"]
    sources = get(client, f"{API}/sources/")["results"]
    assert [s["published"] for s in sources] == ["2017-12-18"]


# Query budgets, pinned at the document's size and with 500 more outcomes, as the pages'
# (tests/pages/test_pages.py). Every answer first reads the data version: + 1.
RECORDS = 10  # an outcome's record (Outcome.objects.with_record_rows): outcomes (+category,
# source); participations (+organization); places (+country); reaches (+region); mentions
# (+country, region); figures; programmes; reviewed later reports; their figures; searches
BUDGETS = [
    (f"{API}/", 0, 200),
    # ids, count and facets from the facet index (tests/pages/test_outcome_list.py); the records
    (OUTCOMES, RECORDS, 200),
    (f"{OUTCOMES}?country=mm&category=livelihood&via=1", RECORDS, 200),
    (f"{OUTCOMES}?q=school", 1 + RECORDS, 200),  # the search, then as above
    (f"{OUTCOMES}?sort=title", 2 + RECORDS, 200),  # count and ids from the database
    (f"{OUTCOMES}?modified_since=2000-01-01", 2 + RECORDS, 200),  # the same
    (f"{OUTCOMES}nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation/", RECORDS, 200),
    (f"{API}/sources/sironet-cooperation-outcomes/outcomes/I.1/", RECORDS, 200),
    (f"{OUTCOMES}?country=zz", 0, 400),  # refused: values checked against the index
    (f"{OUTCOMES}no-such-outcome/", 1, 404),  # the outcome, found missing: no rows read
    (f"{API}/organizations/", 2, 200),  # count; the page (+country, founder, outcome count)
    (f"{API}/organizations/cfpd/", 1, 200),
    (f"{API}/countries/", 2, 200),  # count; the page
    (f"{API}/countries/mm/", 1, 200),
    (f"{API}/regions/", 3, 200),  # count; the page; memberships (+country)
    (f"{API}/regions/mekong/", 2, 200),
    (f"{API}/categories/", 2, 200),
    (f"{API}/categories/livelihood/", 1, 200),
    (f"{API}/sources/", 2, 200),
    (f"{API}/sources/sironet-cooperation-outcomes/", 1, 200),
]


@pytest.mark.parametrize("url, queries, status", BUDGETS)
def test_api_query_budget(client, django_assert_num_queries, catalogue_size, url, queries, status):
    from outcomes.dataversion import current_version
    from outcomes.facets import facet_index

    facet_index(current_version())  # built once per data version and process
    with django_assert_num_queries(queries + 1):
        response = client.get(url)
    assert response.status_code == status


def test_an_answer_is_kept_per_data_version_and_the_parameters_it_reads(
    client, django_assert_num_queries
):
    first = client.get(f"{OUTCOMES}?country=MM&ignored=1")
    with django_assert_num_queries(1):  # the data version; the answer is kept
        again = client.get(f"{OUTCOMES}?ignored=2&country=MM")
    assert again.content == first.content
    assert client.get(f"{OUTCOMES}?country=mm").status_code == 200  # read as given
    assert client.get(f"{OUTCOMES}?modified_since=").status_code == 400  # checked, not kept
