"""Downloads hold exactly the outcomes the list shows, in forms people can open."""

import csv
import io
import json

import openpyxl
import pytest

from outcomes.models import DataVersion, Outcome
from outcomes.record import COLUMNS, FIELDS

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
    "later=reported&sort=-later",
    "later=none-found&later=not-searched&category=capacity",
    "reading=expanded&sort=-later",
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
    assert [row[0] for row in rows[1:]] == expected


def test_json_export_for_myanmar_matches_the_list(client):
    records = json_records(client, "/outcomes/export.json?country=MM")
    assert [r["reference"] for r in records] == ["I.1", "I.2", "I.8", "II.10"]


def test_json_records_are_the_outcomes_public_record(client):
    (record,) = json_records(
        client, "/outcomes/export.json?organization=china-association-for-ngo-cooperation"
    )
    assert list(record) == [field.name for field in FIELDS]
    assert record["reference"] == "II.1"
    assert record["source"]["slug"] == "sironet-cooperation-outcomes"
    assert record["category"] == "capacity"
    assert record["status"] == "completed"
    assert record["url"].startswith("http://testserver/outcomes/")
    assert record["countries"] == ["KH", "UZ"]
    assert record["regions"] == record["reached_via"] == []
    assert record["organizations"] == [
        {
            "name": "China Association for NGO Cooperation",
            "slug": "china-association-for-ngo-cooperation",
            "role": "lead",
            "sironet_membership": "member",
        }
    ]
    # The document's words, and the catalogue's reading: "dollars" is not "US dollars".
    [figure] = record["figures"]
    assert figure["words"] == "over 500,000 dollars"
    assert (figure["value"], figure["qualifier"], figure["currency"]) == (500000, "over", "USD")
    assert figure["currency_assumed"] is True
    assert figure["display"] == "over US$500,000"
    assert record["year"] is None


def test_csv_rows_carry_names_beside_codes(client):
    (row,) = csv_rows(client, "organization=china-association-for-ngo-cooperation")
    assert list(row) == [column.name for column in COLUMNS]
    assert row["source"] == "sironet-cooperation-outcomes"
    assert row["category"] == "Capacity Building and Talent Exchanges"
    assert row["category_slug"] == "capacity"
    assert row["status"] == "Completed"
    assert row["countries"] == "Cambodia; Uzbekistan"
    assert row["country_codes"] == "KH; UZ"
    assert row["organizations"] == "China Association for NGO Cooperation (lead)"
    assert row["figures"] == "over 500,000 dollars (read as over US$500,000, currency assumed)"
    assert row["year"] == ""


def test_many_valued_cells_join_names_and_codes_in_the_same_order(client):
    (row,) = [r for r in csv_rows(client, "organization=cnie") if r["reference"] == "V.8"]
    assert row["organizations"] == (
        "China NGO Network for International Exchanges (lead); "
        "Tanzania-China Friendship Promotion Association (partner); "
        "Polish House Civic Association (partner)"
    )
    assert row["organization_slugs"] == (
        "cnie; tanzania-china-friendship-promotion-association; polish-house-civic-association"
    )
    # Places: "Tanzania-China" places it neither in China nor in Tanzania: a joint name.
    assert row["countries"] == "Poland"
    assert row["country_codes"] == "PL"
    assert (
        "Tanzania, United Republic of (“Tanzania-China”: in the name of a joint body"
        in (row["mentions"])
    )
    assert (
        "China (“Tanzania-China Friendship Promotion Association”: in a partner's name"
        in (row["mentions"])
    )
    (row,) = csv_rows(client, "q=hongbo")
    assert row["text"].startswith("Fujian Hongbo Opto-Electronics Technology Co., Ltd.")


def test_every_row_names_its_source_item_category_status_and_programmes(client):
    rows = {row["reference"]: row for row in csv_rows(client, "")}
    assert {row["source"] for row in rows.values()} == {"sironet-cooperation-outcomes"}
    assert len({row["slug"] for row in rows.values()}) == len(rows)
    row = rows["I.2"]
    assert row["category"] == "Livelihood Cooperation and Donation"
    assert row["status"] == "Ongoing"
    assert row["programmes"] == "Paukphaw Scholarship Project; Smiling Children Project"
    assert rows["I.3"]["regions"] == "Mekong (Lancang-Mekong) countries (via the grouping)"
    assert rows["V.6"]["figures"] == (
        "nearly 100 million RMB (read as nearly CN¥100 million); 20 Belt and Road countries "
        "(read as 20 countries)"
    )


def test_the_workbook_has_an_outcomes_sheet_and_an_about_sheet(client):
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/outcomes/export.xlsx?category=culture").content)
    )
    assert workbook.sheetnames == ["Outcomes", "About"]
    header = next(workbook["Outcomes"].iter_rows(values_only=True))
    assert list(header) == [column.name for column in COLUMNS]
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about["Downloaded from"] == "http://testserver/outcomes/export.xlsx?category=culture"
    assert about["Outcomes"] == Outcome.objects.filter(category__slug="culture").count()
    assert about["Data version"] == DataVersion.objects.get().version
    assert "Creative Commons Attribution 4.0" in about["Licence"]
    assert about["Source “sironet-cooperation-outcomes”"].startswith("Cooperation Outcomes of")
    for column in COLUMNS:
        assert about[column.name] == column.meaning


def test_cells_that_look_like_formulas_are_escaped(client):
    Outcome.objects.filter(reference="I.1").update(title='=HYPERLINK("http://evil")')
    Outcome.objects.filter(reference="I.2").update(title="@SUM(1)")
    rows = {row["reference"]: row for row in csv_rows(client, "category=livelihood")}
    assert rows["I.1"]["title"] == '\'=HYPERLINK("http://evil")'
    assert rows["I.2"]["title"] == "'@SUM(1)"
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/outcomes/export.xlsx?category=livelihood").content)
    )
    header, *rows = workbook.active.iter_rows(values_only=True)
    titles = [row[header.index("title")] for row in rows]
    assert '\'=HYPERLINK("http://evil")' in titles


def test_exports_are_downloads_with_a_dated_name(client):
    response = client.get("/outcomes/export.json")
    assert response["Content-Disposition"].startswith('attachment; filename="sironet-outcomes-')
    assert json.loads(body(response))[0]["reference"] == "I.1"


def test_a_filtered_download_says_so_in_its_name(client):
    """Two downloads of one day are told apart: a filtered one names its filters."""
    plain = client.get("/outcomes/export.csv")["Content-Disposition"]
    filtered = client.get("/outcomes/export.csv?country=MM&category=livelihood&sort=title")
    searched = client.get("/zh-hans/outcomes/export.json?q=缅甸")["Content-Disposition"]
    assert "filtered" not in plain
    name = filtered["Content-Disposition"]
    assert '"sironet-outcomes-filtered-category-livelihood-country-mm-' in name
    assert "sort" not in name and name.endswith('.csv"')
    assert '"sironet-outcomes-filtered-q-' in searched and searched.isascii()


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
    assert [row["region_slugs"] for row in rows] == [
        "mekong",
        "asean; shanghai-cooperation-organization",
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


def test_an_excel_file_is_made_once_per_selection_and_data_version(
    client, django_assert_num_queries
):
    """16 clients on one Excel download slowed every visitor (issue 27): the file is kept
    like a page, per data version and the selection it holds (its parameters in order)."""
    from outcomes.dataversion import bump_data_version

    first = client.get("/outcomes/export.xlsx?country=mm&category=culture")
    with django_assert_num_queries(1):  # the data version, and the file as kept
        again = client.get("/outcomes/export.xlsx?category=culture&country=mm&utm_source=x")
    assert again.content == first.content
    about = openpyxl.load_workbook(io.BytesIO(again.content))["About"]
    cells = {row[0].value: row[1].value for row in about.iter_rows()}
    assert cells["Downloaded from"].endswith("/outcomes/export.xlsx?category=culture&country=MM")
    bump_data_version()
    changed = client.get("/outcomes/export.xlsx?country=mm&category=culture")
    assert changed["ETag"] != first["ETag"]
