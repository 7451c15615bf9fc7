"""A later report waiting for review reaches nothing public: no page in either language, no
list's facet, filter or order, no download, citation, feed, API answer or data package file.
One sweep over every public address the catalogue has, with a waiting report on outcomes
that have reviewed reports and on one that has none."""

import io
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from downloads import package
from outcomes.models import LaterReport, Outcome

pytestmark = pytest.mark.django_db

MARK = "waitingmark"  # in every text of the waiting report
# Its figure: nine digits, which no digest or checksum on a page will hold by chance
# (four did: "4242" once stood in a data package's checksum).
FIGURE = 987654321
OUTCOMES = ["I.1", "I.3", "V.8"]  # two with reviewed reports, one without


@pytest.fixture
def waiting():
    report = LaterReport.objects.create(
        url=f"https://example.org/{MARK}",
        title=f"Title {MARK}",
        publisher=f"Publisher {MARK}",
        published=date(2026, 12, 1),
        language="en",
        reading="contradicts",  # no reviewed report reads so: its facet must stay empty
        summary=f"Summary {MARK}",
        summary_zh=f"摘要 {MARK}",
        added_by_name="An editor",
    )
    report.outcomes.set(Outcome.objects.filter(reference__in=OUTCOMES))
    report.figures.create(kind="count", value=FIGURE, qualifier="exact", unit="wells", words=MARK)
    package.WritePackage()()  # as the worker does after the change
    return report


def addresses():
    outcomes = Outcome.objects.filter(reference__in=OUTCOMES)
    pages = ["/", "/about/", "/countries/", "/organizations/", "/data/"]
    pages += ["/outcomes/", "/outcomes/?sort=-later", "/outcomes/?later=reported"]
    pages += ["/outcomes/?reading=contradicts", "/outcomes/?later=none-found&reading=ended"]
    pages += ["/outcomes/feed.atom", "/api/v1/outcomes/", "/api/v1/outcomes/?later=reported"]
    for outcome in outcomes:
        pages += [outcome.get_absolute_url(), reverse("outcomes:outcome_feed", args=[outcome.slug])]
        pages += [
            reverse("outcomes:outcome_cite", args=[outcome.slug, style])
            for style in ("bib", "ris", "csl.json")
        ]
        pages.append(f"/api/v1/sources/{outcome.source.slug}/outcomes/{outcome.reference}/")
        pages.append(outcome.category.get_absolute_url())
        pages.append(reverse("outcomes:category_feed", args=[outcome.category.slug]))
        for country in outcome.countries.all():
            pages += [country.get_absolute_url(), f"/countries/{country.code}/feed.atom"]
        for organization in outcome.organizations.all():
            pages.append(organization.get_absolute_url())
    for form in ("csv", "json", "xlsx"):
        pages += [f"/outcomes/export.{form}", f"/outcomes/export.{form}?sort=-later"]
    pages += [f"/data/{name}" for name in package.FILES]
    chinese = ["/zh-hans" + page for page in pages if not page.startswith("/api/")]
    return [*pages, "/sitemap.xml", *chinese]


def texts(response):
    """The response's text, and the text of each file inside it (XLSX and zip)."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    return [data.decode("utf-8", "replace")]


def test_a_waiting_report_reaches_no_public_address(client, waiting):
    seen = 0
    for address in addresses():
        response = client.get(address)
        assert response.status_code in (200, 301, 302), address
        for text in texts(response):
            assert MARK not in text, address
            assert str(FIGURE) not in text and f"{FIGURE:,}" not in text, address
        seen += 1
    assert seen > 60


def test_a_waiting_report_counts_in_no_facet_and_no_filter(client, waiting):
    facets = client.get("/outcomes/").context["facets"]
    assert {option["value"] for option in facets["reading"]["options"]} == {
        "continued",
        "expanded",
    }
    assert 'class="ref"' not in client.get("/outcomes/?reading=contradicts").text
    assert client.get("/api/v1/outcomes/?reading=contradicts").json()["count"] == 0
    # V.8 has no reviewed report: the waiting one does not make it "reported".
    reported = client.get("/api/v1/outcomes/?later=reported").json()
    assert "V.8" not in {record["reference"] for record in reported["results"]}


def test_once_reviewed_the_same_report_is_public(client, waiting, editor):
    waiting.reviewed_by = editor
    waiting.save()
    package.WritePackage()()
    assert MARK in client.get(Outcome.objects.get(reference="V.8").get_absolute_url()).text
    assert client.get("/api/v1/outcomes/?reading=contradicts").json()["count"] == 3
    assert MARK in texts(client.get("/outcomes/export.csv"))[0]
    assert any(MARK in text for text in texts(client.get("/data/datapackage.zip")))
