"""Downloads hold exactly the outcomes the list shows, in forms people can open."""

import csv
import io
import json

import openpyxl
import pytest

from outcomes.models import Outcome

pytestmark = pytest.mark.django_db

VIEWS = [
    "",
    "country=MM",
    "country=mm&category=capacity",
    "category=culture",
    "q=women",
    "region=asean&region=mekong",
    "organization=cnie&sort=title",
    "country=zz",
]


def listed(client, query):
    response = client.get(f"/outcomes/?{query}")
    page = response.context["page"]
    ids = list(page.paginator.object_list)
    by_id = dict(Outcome.objects.filter(pk__in=ids).values_list("pk", "reference"))
    return [by_id[pk] for pk in ids]


def body(response):
    """The bytes of a response, streamed (CSV, JSON) or not (XLSX)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def json_records(client, url):
    return json.loads(body(client.get(url)))


def csv_rows(client, query):
    response = client.get(f"/outcomes/export.csv?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by its BOM
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("query", VIEWS)
def test_each_export_holds_exactly_the_listed_outcomes(client, query):
    expected = listed(client, query)
    assert [row["reference"] for row in csv_rows(client, query)] == expected
    records = json_records(client, f"/outcomes/export.json?{query}")
    assert [record["reference"] for record in records] == expected
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/outcomes/export.xlsx?{query}").content)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == expected


def test_json_export_for_myanmar_matches_the_list(client):
    records = json_records(client, "/outcomes/export.json?country=MM")
    assert [r["reference"] for r in records] == ["I.1", "I.2", "I.8", "II.10"]


def test_json_records_carry_the_documented_fields(client):
    (record,) = json_records(
        client, "/outcomes/export.json?organization=china-association-for-ngo-cooperation"
    )
    assert record["reference"] == "II.1"
    assert record["category"] == "capacity"
    assert record["status"] == "completed"
    assert record["url"].startswith("http://testserver/outcomes/")
    assert record["countries"] == ["KH", "UZ"]
    assert record["regions"] == []
    assert record["organizations"] == [
        {
            "name": "China Association for NGO Cooperation",
            "slug": "china-association-for-ngo-cooperation",
            "role": "lead",
            "sironet_membership": "member",
        }
    ]
    assert record["figures"][0]["value"] == 500000
    assert record["figures"][0]["currency"] == "USD"
    assert record["figures"][0]["currency_assumed"] is True  # "dollars", not "US dollars"
    assert record["figures"][0]["display"] == "over US$500,000"
    assert set(record) >= {
        "reference",
        "title",
        "category",
        "status",
        "text",
        "url",
        "countries",
        "regions",
        "organizations",
        "figures",
        "updated",
    }


def test_many_valued_cells_use_a_separator_no_name_contains(client):
    (row,) = [r for r in csv_rows(client, "organization=cnie") if r["reference"] == "V.8"]
    assert row["organizations"] == (
        "cnie (lead);tanzania-china-friendship-promotion-association (partner);"
        "polish-house-civic-association (partner)"
    )
    assert row["countries"] == "PL;TZ"  # places: "Tanzania-China" does not place it in China
    (row,) = csv_rows(client, "q=hongbo")
    assert row["text"].startswith("Fujian Hongbo Opto-Electronics Technology Co., Ltd.")


def test_cells_that_look_like_formulas_are_escaped(client):
    Outcome.objects.filter(reference="I.1").update(title='=HYPERLINK("http://evil")')
    Outcome.objects.filter(reference="I.2").update(title="@SUM(1)")
    rows = {row["reference"]: row for row in csv_rows(client, "category=livelihood")}
    assert rows["I.1"]["title"] == '\'=HYPERLINK("http://evil")'
    assert rows["I.2"]["title"] == "'@SUM(1)"
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/outcomes/export.xlsx?category=livelihood").content)
    )
    titles = [row[3] for row in workbook.active.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://evil")' in titles


def test_exports_are_downloads_with_a_dated_name(client):
    response = client.get("/outcomes/export.json")
    assert response["Content-Disposition"].startswith('attachment; filename="sironet-outcomes-')
    assert json.loads(body(response))[0]["reference"] == "I.1"


def test_country_exports_hold_places_only(client):
    assert [r["reference"] for r in csv_rows(client, "country=cn")] == ["IV.6"]
    (row,) = [r for r in csv_rows(client, "category=culture") if r["reference"] == "IV.3"]
    assert row["countries"] == ""  # "Chinese art exhibitions" is not a place


def test_the_grouping_reach_option_is_in_every_format(client):
    query = "country=th&via=1"
    rows = csv_rows(client, query)
    assert [(r["reference"], r["reached_via"]) for r in rows] == [
        ("I.3", "Thailand (TH) via Mekong (Lancang-Mekong) countries"),
        ("IV.5", "Thailand (TH) via ASEAN"),
    ]
    assert [row["regions"] for row in rows] == [
        "mekong (members)",
        "asean (members);shanghai-cooperation-organization (members)",
    ]
    records = json_records(client, f"/outcomes/export.json?{query}")
    assert [r["reached_via"] for r in records] == [
        [{"country": "TH", "region": "mekong"}],
        [{"country": "TH", "region": "asean"}],
    ]
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/outcomes/export.xlsx?{query}").content)
    )
    header, *data = list(workbook.active.iter_rows(values_only=True))
    column = header.index("reached_via")
    assert [row[column] for row in data] == [r["reached_via"] for r in rows]
    # Without the option, Thailand is nobody's place.
    assert csv_rows(client, "country=th") == []


def test_an_assumed_currency_says_so_in_the_downloads(client):
    (row,) = csv_rows(client, "organization=amity-foundation")
    assert row["figures"] == "nearly millions of dollars (currency assumed)"
