"""Later reports in the outcome's record, the downloads, the API and the list's filters,
facets and order: reviewed reports only, whatever an editor has waiting for review."""

import csv
import io
import json
import re
from datetime import date

import openpyxl
import pytest

from outcomes.models import LaterReport, LaterSearch, Outcome
from outcomes.record import JOIN

pytestmark = pytest.mark.django_db

LIST = "/outcomes/"
WAITING = "https://example.org/a-report-waiting-for-review"


def waiting_report(reference, published=date(2026, 11, 30), reading="ended"):
    """A report an editor added and no second editor reviewed yet, with a figure."""
    report = LaterReport.objects.create(
        url=WAITING,
        title="Not reviewed yet",
        publisher="A publisher",
        published=published,
        language="en",
        reading=reading,
        summary="An unreviewed summary.",
        added_by_name="An editor",
    )
    report.outcomes.add(Outcome.objects.get(reference=reference))
    report.figures.create(kind="count", value=77, qualifier="exact", unit="wells", words="77")
    return report


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def references(response):
    return re.findall(r'<span class="ref">([^<]+)</span>', response.content.decode())


def csv_rows(client, query=""):
    text = body(client.get(f"/outcomes/export.csv?{query}")).decode("utf-8-sig")
    return {row["reference"]: row for row in csv.DictReader(io.StringIO(text))}


def test_the_record_gives_reviewed_later_reports_oldest_first_and_the_last_search(client):
    record = client.get("/api/v1/sources/sironet-cooperation-outcomes/outcomes/I.1/").json()
    assert record["last_searched"] == "2026-12-07"
    (report,) = record["later_reports"]
    assert report["published"] == "2024-01-17"
    assert report["reading"] == "expanded"
    assert report["url"] == "http://bbrtv.com/2024/0117/908671.html"
    assert report["language"] == "zh"
    assert "19 primary and secondary schools" in report["summary"]
    assert "19所中小学" in report["summary_zh"]
    assert report["figures"][0] == {
        "kind": "count",
        "value": 19,
        "qualifier": "exact",
        "currency": None,
        "currency_assumed": False,
        "aim": False,
        "unit": "schools",
        "unit_zh": "所中小学",
        "words": "19所中小学",
        "display": "19 schools",
    }
    reports = client.get("/api/v1/sources/sironet-cooperation-outcomes/outcomes/I.2/").json()
    days = [report["published"] for report in reports["later_reports"]]
    assert len(days) == 8 and days == sorted(days)


def test_an_outcome_never_searched_has_no_last_search(client):
    LaterSearch.objects.filter(outcome__reference="II.1").delete()
    record = client.get("/api/v1/sources/sironet-cooperation-outcomes/outcomes/II.1/").json()
    assert record["last_searched"] is None
    assert record["later_reports"] == []
    assert csv_rows(client)["II.1"]["last_searched"] == ""


def test_the_csv_and_excel_give_readings_with_dates_and_the_addresses_beside(client):
    rows = csv_rows(client)
    assert rows["I.3"]["later_reports"] == "continued 2018-05-09; continued 2019-11-22"
    assert rows["I.3"]["later_report_urls"] == JOIN.join(
        [
            "http://www.chinanews.com/gn/2018/05-09/8509664.shtml",
            "http://www.xinhuanet.com/world/2019-11/22/c_1125264588.htm",
        ]
    )
    assert rows["I.3"]["last_searched"] == "2026-12-07"
    assert rows["II.1"]["later_reports"] == rows["II.1"]["later_report_urls"] == ""
    # Each entry parses back as a reading and a day.
    for row in rows.values():
        for entry in filter(None, row["later_reports"].split(JOIN)):
            reading, day = entry.split(" ")
            assert reading in {"continued", "expanded", "delivered", "changed", "ended"} | {
                "contradicts"
            }
            date.fromisoformat(day)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/outcomes/export.xlsx").content))
    sheet = list(workbook["Outcomes"].iter_rows(values_only=True))
    header = sheet[0]
    i3 = next(row for row in sheet if row[0] == "I.3")
    assert i3[header.index("later_reports")] == rows["I.3"]["later_reports"]


def test_a_report_waiting_for_review_is_in_no_download_and_no_answer(client):
    waiting_report("II.1")
    waiting_report_on_i1 = LaterReport.objects.get(url=WAITING)
    waiting_report_on_i1.outcomes.add(Outcome.objects.get(reference="I.1"))
    for address in (
        "/outcomes/export.csv",
        "/outcomes/export.json",
        "/outcomes/export.xlsx",
        "/api/v1/outcomes/",
        "/api/v1/outcomes/?later=reported",
        "/api/v1/sources/sironet-cooperation-outcomes/outcomes/II.1/",
        "/api/v1/sources/sironet-cooperation-outcomes/outcomes/I.1/",
    ):
        content = body(client.get(address))
        assert WAITING.encode() not in content, address
        assert b"An unreviewed summary" not in content, address
    records = json.loads(body(client.get("/outcomes/export.json")))
    by_reference = {record["reference"]: record for record in records}
    assert by_reference["II.1"]["later_reports"] == []
    assert len(by_reference["I.1"]["later_reports"]) == 1
    assert "ended" not in csv_rows(client)["I.1"]["later_reports"]


def test_the_later_filter_splits_the_catalogue_in_three(client):
    LaterSearch.objects.filter(outcome__reference__in=["II.1", "II.2", "I.1"]).delete()
    facets = client.get(LIST).context["facets"]
    counts = {option["value"]: option["count"] for option in facets["later"]["options"]}
    # I.1 has a reviewed report: reported, searched or not.
    assert counts == {"reported": 12, "none-found": 23, "not-searched": 2}
    assert sum(counts.values()) == Outcome.objects.count()
    assert references(client.get(LIST, {"later": "not-searched"})) == ["II.1", "II.2"]
    reported = references(client.get(LIST, {"later": "reported"}))
    assert reported[:3] == ["I.1", "I.2", "I.3"] and len(reported) == 12
    both = references(client.get(LIST, {"later": ["reported", "not-searched"]}))
    assert len(both) == 14
    labels = {option["value"]: option["label"] for option in facets["later"]["options"]}
    assert labels == {
        "reported": "Has later reports",
        "none-found": "None found (searched)",
        "not-searched": "Not searched yet",
    }


def test_the_reading_filter_counts_outcomes_with_a_reviewed_report_of_that_reading(client):
    waiting_report("II.1", reading="ended")
    response = client.get(LIST, {"reading": "expanded"})
    assert references(response) == ["I.1", "I.2", "II.8", "IV.5", "V.1", "V.2"]
    counts = {o["value"]: o["count"] for o in response.context["facets"]["reading"]["options"]}
    assert counts == {"continued": 10, "expanded": 6}  # one count per outcome
    assert references(client.get(LIST, {"reading": "ended"})) == []  # only a waiting one
    html = client.get(LIST, {"reading": "expanded", "later": "reported"}).content.decode()
    assert "What later reports say:\n              Expanded" in html  # its chip
    assert 'name="reading" value="expanded" checked>Expanded' in html


def test_an_unknown_later_or_reading_value_is_a_clear_problem(client):
    html = client.get(LIST, {"later": "maybe", "reading": "thriving"}).content.decode()
    assert "these filters could not be used" in html
    assert "Later reports: Select a valid choice. maybe is not one of" in html
    assert "What later reports say: Select a valid choice. thriving" in html


def test_the_latest_report_order_puts_the_newest_first_and_the_rest_in_document_order(client):
    waiting_report("II.1", published=date(2026, 12, 1))  # the newest, but not public
    newest_first = ["II.8", "III.2", "V.1", "I.1", "V.2", "I.2", "IV.5", "IV.2", "IV.3", "IV.6"]
    newest_first += ["I.3", "V.7"]
    shown = references(client.get(LIST, {"sort": "-later"}))
    others = [o.reference for o in Outcome.objects.in_document_order()]
    others = [reference for reference in others if reference not in newest_first]
    assert shown == (newest_first + others)[:20]


def test_a_row_shows_its_latest_later_report_in_both_languages(client):
    html = client.get(LIST, {"later": "reported"}).content.decode()
    assert (
        'Latest later report: Expanded, <time datetime="2024-01-17">17 January 2024</time>' in html
    )
    chinese = client.get("/zh-hans/outcomes/", {"later": "reported"}).content.decode()
    assert '最新后续报道：已扩展，<time datetime="2024-01-17">' in chinese
    assert "后续报道所述" in chinese and "最新后续报道在前" in chinese  # the facet, the order


def index_content(index):
    """What an index answers: each facet's masks and values, and each latest report."""
    facets = {
        name: (
            {value: mask for value, mask in facet.masks.items() if mask},
            [sorted(values) for values in facet.values_of],
            facet.links,
        )
        for name, facet in index.facets.items()
    }
    return facets, index.latest


def test_the_index_follows_an_editors_reports_and_searches(db, catalogue_size):
    """Each change to a report, its review, its links or a search is read again by the
    next request's index (patched, not rebuilt) as a rebuilt index reads it."""
    from outcomes.dataversion import current_version
    from outcomes.facets import FacetIndex, facet_index, forget_index

    forget_index()
    first = facet_index(current_version())
    outcome = Outcome.objects.get(reference="II.1")

    def later_of(index):
        return list(index.facets["later"].values_of[index.bit[outcome.pk]])

    def patched():
        index = facet_index(current_version())
        assert index.ids is first.ids  # patched: what is unchanged is shared
        assert index_content(index) == index_content(FacetIndex())
        return index

    report = waiting_report("II.1")  # added
    assert later_of(patched()) == ["none-found"]
    report.reviewed_by_name = "A second editor"
    report.save()  # reviewed
    index = patched()
    assert later_of(index) == ["reported"]
    assert index.latest_report(outcome.pk)["day"] == date(2026, 11, 30)
    LaterReport.objects.filter(pk=report.pk).update(reading="delivered")  # edited in bulk
    assert patched().facets["reading"].values_of[index.bit[outcome.pk]] == ("delivered",)
    report.outcomes.add(Outcome.objects.get(reference="II.2"))  # linked to another
    patched()
    report.delete()
    LaterSearch.objects.filter(outcome=outcome).delete()
    index = patched()
    assert later_of(index) == ["not-searched"]
    assert index.latest_report(outcome.pk) is None
    LaterSearch.objects.create(outcome=outcome, searched=date(2026, 12, 8), queries="II.1")
    assert later_of(patched()) == ["none-found"]
