"""Releases (issue 28): numbered, frozen states of the catalogue, with a changelog derived
from what each froze, a compare page and JSON that agree, and files that never change."""

import importlib
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

import feedparser
import frictionless
import pyshacl
import pytest
import rdflib.namespace as vocabularies
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF

from downloads import package, releases
from downloads.dcat import DCAT
from outcomes.dataversion import current_version
from outcomes.models import Country, Figure, LaterReport, Organization, Outcome, Release
from tests.conftest import publish_releases
from tests.data.test_data import emptied

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def publish(note="A release", now=None):
    return releases.publish(note, now=now or timezone.make_aware(datetime(2026, 12, 7, 12, 0)))


def corrected_outcome():
    outcome = Outcome.objects.get(source__slug="sironet-cooperation-outcomes", reference="I.3")
    old = outcome.title
    outcome.title = "A corrected title"
    outcome.save()
    return outcome, old


def outcome_added_after(beside, reference, slug):
    """A new outcome in `beside`'s source and category."""
    return Outcome.objects.create(
        source=beside.source,
        category=beside.category,
        reference=reference,
        slug=slug,
        title="New",
        text="New",
    )


def test_releases_are_numbered_by_year_and_count():
    first = publish("Round one")  # after the document's own release
    second = publish("Nothing new")
    assert list(Release.objects.values_list("number", flat=True)) == ["2026.3", "2026.2", "2026.1"]
    assert (first.number, second.number) == ("2026.2", "2026.3")
    next_year = timezone.make_aware(datetime(2027, 1, 2, 9, 0))
    assert publish(now=next_year).number == "2027.1"
    assert second.counts == {"added": 0, "changed": 0, "removed": 0}


def test_a_release_freezes_the_data_version_that_pages_then_show(
    client, django_capture_on_commit_callbacks
):
    """Publishing bumps the data version once (every outcome page tells of the latest
    release), and the release is that version: the catalogue's downloads say the same."""
    before = current_version().number
    with django_capture_on_commit_callbacks(execute=True):
        release = publish()
    assert release.data_version == current_version().number == before + 1
    assert f"{release.number}" in client.get("/releases/").content.decode()


def test_the_first_release_is_the_document_alone_and_every_change_since_shows(client):
    outcome, old = corrected_outcome()  # an editor's correction before any release
    publish("Round one")
    document, now = Release.objects.order_by("pk")
    assert document.note == Release.DOCUMENT_NOTE and document.data_version == 0
    assert len(document.tables["outcomes"]) == 37
    assert document.tables["outcomes"][outcome.slug]["title"] == old
    assert not document.tables["later_reports"]
    # What the test database was seeded with beyond the document: its later reports.
    assert len(now.tables["later_reports"]) == LaterReport.objects.reviewed().count() > 0
    found = {(c.table, c.key, c.kind) for c in releases.changes(document.tables, now.tables)}
    assert ("outcomes", outcome.slug, "changed") in found
    assert {kind for table, _, kind in found if table == "later_reports"} == {"added"}
    page = client.get(f"/releases/{now.number}/").content.decode()
    assert "Title: “" + old + "” became “A corrected title”" in page
    # Building it committed nothing: the catalogue is as it was, the correction kept.
    assert Outcome.objects.get(pk=outcome.pk).title == "A corrected title"
    assert Outcome.objects.count() == 37


def test_a_correction_between_two_releases_is_in_the_changelog_field_by_field(client):
    first = publish("First")
    outcome, old = corrected_outcome()
    second = publish("A corrected title")
    assert second.counts == {"added": 0, "changed": 1, "removed": 0}

    page = client.get(f"/releases/{second.number}/").content.decode()
    assert "Title: “" + old + "” became “A corrected title”" in page
    # The record is named and linked as that release froze it.
    link = f'href="{outcome.get_absolute_url()}?release={second.number}" lang="en">'
    assert f"{link}I.3. A corrected title</a>" in page
    compare = client.get(f"/releases/{first.number}/compare/{second.number}/").content.decode()
    assert "Title: “" + old + "” became “A corrected title”" in compare

    answer = client.get(f"/releases/{first.number}/compare/{second.number}.json").json()
    assert answer == {
        "from": "2026.2",
        "to": "2026.3",
        "changes": [
            {
                "table": "outcomes",
                "key": outcome.slug,
                "change": "changed",
                "fields": [{"field": "title", "before": old, "after": "A corrected title"}],
            }
        ],
    }
    # Backwards: the older release first, as every changelog.
    back = client.get(f"/releases/{second.number}/compare/{first.number}.json")
    assert back.status_code == 302
    assert back["Location"] == f"/releases/{first.number}/compare/{second.number}.json"


def test_added_and_removed_records_are_listed():
    first = publish()
    outcome = Figure.objects.earliest("pk").outcome
    figures = list(outcome.figures.values_list("pk", flat=True))
    outcome.figures.all().delete()
    second = publish()
    found = releases.changes(first.tables, second.tables)
    assert {(c.table, c.kind) for c in found} == {("figures", "removed")}
    assert len(found) == len(figures) > 0
    assert {(c.table, c.kind) for c in releases.changes(second.tables, first.tables)} == {
        ("figures", "added")
    }


def test_the_release_pages_list_and_feed_in_both_languages(client):
    publish("First")
    corrected_outcome()
    publish("Second")
    listing = client.get("/releases/").content.decode()
    assert listing.index("2026.3") < listing.index("2026.2") < listing.index("2026.1")
    assert "Second" in listing
    chinese = client.get("/zh-hans/releases/")
    assert chinese.status_code == 200 and 'lang="zh-Hans"' in chinese.content.decode()
    for prefix, word in [("", "Release 2026.3"), ("/zh-hans", "版本 2026.3")]:
        feed = client.get(f"{prefix}/releases/feed.atom")
        assert feed["Content-Type"].startswith("application/atom+xml")
        parsed = feedparser.parse(feed.content)
        assert not parsed.bozo, parsed.bozo_exception
        assert [entry.title for entry in parsed.entries][0] == word
        assert len(parsed.entries) == 3


def test_each_release_keeps_its_package_which_validates_and_names_the_release(client):
    release = publish()
    folder = release.folder
    described = json.loads((folder / "datapackage.json").read_text())
    assert described["version"] == release.number
    assert described["created"].startswith("2026-12-07T")
    assert frictionless.validate(folder / "datapackage.json").valid
    assert package.sha256(folder / "datapackage.zip") == release.checksum
    response = client.get(f"/releases/{release.number}/datapackage.zip")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (folder / "datapackage.zip").read_bytes()
    assert "immutable" in response["Cache-Control"]
    assert client.get(f"/releases/{release.number}/secrets.txt").status_code == 404
    assert client.get("/releases/2026.9/datapackage.zip").status_code == 404
    # The package of a release loads back as the tables the release froze.
    again = releases.read_tables(folder)
    assert again == release.tables


def test_no_path_changes_or_deletes_a_release(admin_client):
    release = publish()
    release.note = "Rewritten"
    release.save()  # the instance's other fields are never written again
    assert Release.objects.get(pk=release.pk).note == "A release"
    with pytest.raises(ValidationError):
        release.delete()
    with pytest.raises(ValidationError):
        Release.objects.all().delete()
    with pytest.raises(ValidationError):
        Release.objects.update(note="Rewritten")
    # Nor the base manager (related lookups), bulk writes, or an INSERT … ON CONFLICT UPDATE.
    with pytest.raises(ValidationError):
        Release._base_manager.filter(pk=release.pk).update(note="Rewritten")
    with pytest.raises(ValidationError):
        Release.objects.bulk_update([release], ["note"])
    with pytest.raises(ValidationError):
        Release.objects.bulk_create(
            [Release(number=release.number, note="Rewritten", tables={}, data_version=0)],
            update_conflicts=True,
            unique_fields=["number"],
            update_fields=["note"],
        )
    # The DOI is set once, right, then never changed.
    release.doi = "not a DOI"
    with pytest.raises(ValidationError):
        release.save()
    release.doi = "10.5281/zenodo.123"
    release.save()
    release.doi = "10.5281/zenodo.456"
    with pytest.raises(ValidationError):
        release.save()
    assert Release.objects.get(pk=release.pk).doi == "10.5281/zenodo.123"

    # Nor the admin: no delete, everything read-only once the DOI is set.
    base = f"/admin/outcomes/release/{release.pk}/"
    assert admin_client.get(base + "delete/").status_code == 403
    form = admin_client.get(base + "change/").content.decode()
    assert 'name="note"' not in form and 'name="doi"' not in form
    admin_client.post(base + "change/", {"note": "Rewritten", "doi": "10.1/x"})
    assert Release.objects.get(pk=release.pk).doi == "10.5281/zenodo.123"
    assert Release.objects.get(pk=release.pk).note == "A release"
    # Nor the public site: its pages take no POST.
    assert admin_client.post(f"/releases/{release.number}/").status_code == 405


def test_editors_publish_a_release_in_the_admin_and_set_its_doi_once(admin_client):
    response = admin_client.post("/admin/outcomes/release/add/", {"note": "Round one"})
    assert response.status_code == 302
    release = Release.objects.first()  # after the document's
    assert release.note == "Round one" and release.number.endswith(".2")
    assert release.folder.is_dir()
    change = f"/admin/outcomes/release/{release.pk}/change/"
    assert 'name="doi"' in admin_client.get(change).content.decode()
    assert admin_client.post(change, {"doi": "not a doi"}).status_code == 200
    admin_client.post(change, {"doi": "10.5281/zenodo.77"})
    assert Release.objects.get(pk=release.pk).doi == "10.5281/zenodo.77"


def test_the_command_publishes_and_wants_a_note():
    call_command("publish_release", note="From a script")
    assert Release.objects.first().note == "From a script"
    with pytest.raises(CommandError, match="needs a note"):
        call_command("publish_release", note="  ")


def test_an_unknown_release_is_not_found(client):
    assert client.get("/releases/2026.1/").status_code == 404
    assert client.get("/releases/2026.1/compare/2026.2/").status_code == 404
    assert client.get("/releases/latest/").status_code == 404


def test_health_reports_a_release_whose_files_are_missing(client, worker_alive):
    release = publish()
    assert client.get("/healthz").json()["status"] == "ok"
    (release.folder / "datapackage.zip").unlink()
    health = client.get("/healthz").json()
    assert health["status"] == "degraded"
    assert health["releases"] == {"missing": [release.number]}
    page = client.get(f"/releases/{release.number}/")
    assert page.status_code == 200 and "missing" in page.content.decode()
    assert client.get(f"/releases/{release.number}/datapackage.zip").status_code == 404


def test_each_release_carries_a_citation_file(client):
    release = publish()
    cff = (release.folder / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in cff
    assert f'version: "{release.number}"' in cff
    assert "date-released: 2026-12-07" in cff
    assert "date-released: 2017-12-18" in cff  # the source document, as a reference
    with zipfile.ZipFile(release.folder / "datapackage.zip") as archive:
        assert archive.read("CITATION.cff").decode() == cff
    response = client.get(f"/releases/{release.number}/CITATION.cff")
    assert b"".join(response.streaming_content).decode() == cff


def test_an_outcome_as_of_a_release_shows_what_that_release_froze(client):
    outcome, old = corrected_outcome()
    first = publish()  # the document's release comes first: 2026.1
    document = Release.objects.get(number="2026.1")
    page = client.get(f"{outcome.get_absolute_url()}?release={document.number}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<h1 lang="en">I.3. {old}</h1>' in html
    assert "A corrected title" not in html
    assert f'href="{document.get_absolute_url()}"' in html and "not as it is today" in html
    today = client.get(f"{outcome.get_absolute_url()}?release={first.number}").content.decode()
    assert '<h1 lang="en">I.3. A corrected title</h1>' in today
    # The plain page is today's, kept apart from the frozen ones.
    assert "A corrected title" in client.get(outcome.get_absolute_url()).content.decode()
    # The rows of its record (for I.3: the groupings it reaches, its organizations…).
    assert len(re.findall(r"<h2>[^<]+</h2>", html)) >= 2


def test_an_outcome_absent_from_a_release_is_not_found_there(client):
    release = publish()
    outcome = Outcome.objects.get(source__slug="sironet-cooperation-outcomes", reference="I.3")
    assert client.get(f"{outcome.get_absolute_url()}?release=2031.4").status_code == 404
    later = outcome_added_after(outcome, "I.99", "new-one")
    assert client.get(f"/outcomes/{later.slug}/?release={release.number}").status_code == 404
    assert client.get(f"/outcomes/{later.slug}/").status_code == 200


# Query budgets, equal at the document's size and with more outcomes (catalogue_size).
RELEASE_BUDGETS = [
    ("/releases/", 1),  # the releases (without their tables)
    (
        "/releases/2026.2/",
        2,
    ),  # the release (its sources as frozen, for its JSON-LD); the one before
    ("/releases/2026.1/compare/2026.2/", 2),  # the two releases
    ("/releases/2026.1/compare/2026.2.json", 2),
    # the release with the outcome's frozen record (its source too, for the citations)
    ("/outcomes/nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation/?release=2026.1", 1),
    ("/organizations/cfpd/?release=2026.1", 1),
    (
        "/outcomes/nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation/cite.ris?release=2026.1",
        1,
    ),
    ("/api/v1/releases/", 2),  # how many; the page
    (
        "/api/v1/releases/2026.1/outcomes/nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation/",
        1,
    ),
    ("/api/v1/releases/2026.1/organizations/cfpd/", 1),
    ("/releases/feed.atom", 1),
    # the latest release with the outcome's frozen record; the record now (releases.
    # record_now: the outcome, its source, its places, reaches, mentions, participations, figures,
    # programmes, searches for later reports, reviewed later reports and their figures);
    # the releases that froze it; the page's own
    ("/outcomes/nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation/", 15 + 1 + 12 + 1),
    ("/data/catalogue.ttl", 1),  # the releases (without their tables)
    ("/data/catalogue.jsonld", 1),
]


@pytest.mark.parametrize("url, queries", RELEASE_BUDGETS)
def test_release_page_query_budget(client, django_assert_num_queries, catalogue_size, url, queries):
    publish_releases()
    # Every public page first reads the data version (outcomes/dataversion.py): + 1.
    with django_assert_num_queries(queries + 1):
        assert client.get(url).status_code == 200


# schema.org's vocabulary as rdflib ships it (its SDO namespace: every type and property).
SCHEMA_ORG = set(vocabularies.SDO.__annotations__)
DATASET = [
    "name",
    "description",
    "url",
    "license",
    "creator",
    "publisher",
    "version",
    "temporalCoverage",
    "spatialCoverage",
    "isBasedOn",
    "citation",
    "distribution",
]


def json_ld(html):
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    )


def terms(node):
    """Every type and property a JSON-LD tree uses."""
    if isinstance(node, list):
        for item in node:
            yield from terms(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                yield value
            elif not key.startswith("@"):
                yield key
                yield from terms(value)


def test_the_data_page_and_each_release_describe_a_schema_org_dataset(client):
    release = publish()
    for url in ["/data/", release.get_absolute_url(), "/about/", "/zh-hans/data/"]:
        described = json_ld(client.get(url).content.decode())
        assert described["@type"] == "Dataset", url
        assert [key for key in DATASET if not described.get(key)] == [], url
        assert set(terms(described)) <= SCHEMA_ORG, url
    described = json_ld(client.get(release.get_absolute_url()).content.decode())
    assert described["version"] == release.number
    assert described["temporalCoverage"].startswith("2017-12-18/")
    assert {"name": "Myanmar", "@type": "Country"} in described["spatialCoverage"]
    files = {
        d["contentUrl"].rsplit("/", 1)[1]: d["encodingFormat"] for d in described["distribution"]
    }
    assert files["datapackage.zip"] == "application/zip"


def test_the_vocabulary_check_knows_schema_org_from_a_made_up_term():
    assert {"Dataset", "DataDownload", "temporalCoverage", "encodingFormat"} <= SCHEMA_ORG
    assert not {"DataSet", "temporalCoverages", "encodingFormats"} & SCHEMA_ORG


SHAPES = Path(__file__).parent / "shapes" / "dcat-ap-3.ttl"


def conforms(graph):
    ok, _, report = pyshacl.validate(graph, shacl_graph=str(SHAPES), shacl_graph_format="turtle")
    return ok, report


def test_the_dcat_description_passes_dcat_ap_shapes_in_both_syntaxes(client):
    release = publish()
    turtle = client.get("/data/catalogue.ttl")
    assert turtle["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.content.decode(), format="turtle")
    ok, report = conforms(graph)
    assert ok, report
    from_json = Graph().parse(data=client.get("/data/catalogue.jsonld").content, format="json-ld")
    assert isomorphic(graph, from_json)
    # The releases: a series, each release a dataset in it, each file a distribution.
    series = URIRef("http://testserver/releases/")
    assert (series, RDF.type, DCAT.DatasetSeries) in graph
    node = URIRef(f"http://testserver{release.get_absolute_url()}")
    assert (node, DCAT.inSeries, series) in graph
    zips = [
        o
        for o in graph.objects(None, DCAT.downloadURL)
        if str(o).endswith(f"{release.number}/datapackage.zip")
    ]
    assert len(zips) == 1
    assert 'href="/data/catalogue.ttl"' in client.get("/data/").content.decode()


def test_the_shapes_fail_when_a_mandatory_property_is_removed(client):
    publish()
    graph = Graph().parse(data=client.get("/data/catalogue.ttl").content.decode(), format="turtle")
    for removed in (DCTERMS.publisher, DCAT.accessURL, FOAF.name, DCTERMS.title):
        broken = Graph()
        for triple in graph:
            if triple[1] != removed:
                broken.add(triple)
        ok, report = conforms(broken)
        assert not ok, removed
        assert f"Result Path: {graph.namespace_manager.normalizeUri(removed)}" in report


def test_a_release_loads_back_into_an_empty_database_identical(tmp_path):
    outcome, _ = corrected_outcome()
    release = publish()
    emptied()
    call_command("load_datapackage", str(release.folder / "datapackage.zip"))
    again = tmp_path / "again"
    again.mkdir()
    package.write(again)
    assert releases.read_tables(again) == release.tables
    assert Outcome.objects.get(slug=outcome.slug).title == "A corrected title"


def test_an_outcome_page_says_what_changed_since_the_latest_release(client):
    release = publish()
    outcome = Outcome.objects.get(source__slug="sironet-cooperation-outcomes", reference="I.3")
    other = Outcome.objects.get(source__slug="sironet-cooperation-outcomes", reference="I.4")
    assert f'Unchanged since release <a href="{release.get_absolute_url()}">' in (
        client.get(other.get_absolute_url()).content.decode()
    )
    outcome.title = "A corrected title"
    outcome.save()
    outcome.countries.add(Country.objects.get(code="FR"))
    html = client.get(outcome.get_absolute_url()).content.decode()
    assert (
        f'Changed since release <a href="{release.get_absolute_url()}">{release.number}</a>: '
        "Title, Places." in html
    )
    assert f'href="{outcome.get_absolute_url()}?release={release.number}"' in html
    new = outcome_added_after(outcome, "I.98", "newer")
    assert "New since release" in client.get(new.get_absolute_url()).content.decode()


def test_right_after_a_release_every_outcome_is_unchanged_since_it():
    """For every item (places, groupings, figures, later reports and their figures…): the
    record a release froze is the record as it would be frozen now."""
    release = publish()
    for outcome in Outcome.objects.all():
        now = releases.record_now(outcome)
        assert (
            releases.changed_since(release.records[releases.record_key(outcome.slug)], now) == []
        ), outcome.slug
    reported = {row["outcome"] for row in release.tables["later_report_outcomes"].values()}
    records = [release.records[releases.record_key(slug)] for slug in reported]
    figured = [record for record in records if "later_report_figures" in record]
    assert figured  # the later reports' figures are frozen with their outcomes


def test_an_organization_as_of_a_release_shows_what_that_release_froze(client):
    organization = Organization.objects.get(slug="cfpd")
    old = organization.name
    organization.name = "A corrected name"
    organization.save()
    publish()  # 2026.1: the document; 2026.2: today
    html = client.get(f"{organization.get_absolute_url()}?release=2026.1").content.decode()
    assert f'<h1 lang="en">{old}</h1>' in html and "A corrected name" not in html
    assert "not as it is today" in html
    # Its outcomes, named as that release froze them, each linked as of the same release.
    for outcome in Outcome.objects.filter(participations__organization=organization):
        link = f'<a href="{outcome.get_absolute_url()}?release=2026.1">'
        assert f"{link}{outcome.reference}. {outcome.title}</a>" in html
    today = client.get(f"{organization.get_absolute_url()}?release=2026.2").content.decode()
    assert '<h1 lang="en">A corrected name</h1>' in today
    missing = client.get(f"{organization.get_absolute_url()}?release=2031.4")
    assert missing.status_code == 404
    added = Organization.objects.create(slug="a-later-one", name="A later one", type="ngo")
    assert client.get(f"{added.get_absolute_url()}?release=2026.2").status_code == 404


def test_an_outcome_as_of_a_release_is_cited_as_that_release(client):
    outcome, old = corrected_outcome()
    publish()
    address = f"{outcome.get_absolute_url()}?release=2026.1"
    html = client.get(address).content.decode()
    assert "(Version 2026.1) [Data set]" in html  # APA: a version of a data set (10.10)
    assert f"http://testserver{address}" in html
    assert "Retrieved" not in html  # a frozen record does not change
    assert f'href="{outcome.get_absolute_url()}cite.ris?release=2026.1"' in html
    response = client.get(f"{outcome.get_absolute_url()}cite.ris?release=2026.1")
    assert response.status_code == 200
    assert (
        'filename="sironet-cooperation-outcomes-I.3-2026.1.ris"' in response["Content-Disposition"]
    )
    ris = response.content.decode()
    assert f"TI  - I.3. {old}" in ris and "ET  - 2026.1" in ris
    assert f"UR  - http://testserver{address}" in ris
    assert "TI  - SIRONET Cooperation Outcomes" in ris or "Item I.3" in ris  # the document item
    csl = json.loads(
        client.get(f"{outcome.get_absolute_url()}cite.csl.json?release=2026.1").content
    )
    assert csl[0]["version"] == "2026.1" and csl[0]["type"] == "dataset"
    assert client.get(f"{outcome.get_absolute_url()}cite.ris?release=2031.4").status_code == 404


def test_the_api_serves_releases_and_records_as_of_one(client):
    outcome, old = corrected_outcome()
    publish()
    listed = client.get("/api/v1/releases/").json()
    assert [release["number"] for release in listed["results"]] == ["2026.2", "2026.1"]
    assert listed["results"][1]["data_package"].endswith("/releases/2026.1/datapackage.zip")
    assert client.get("/api/v1/").json()["releases"] == "http://testserver/api/v1/releases/"
    frozen = client.get(f"/api/v1/releases/2026.1/outcomes/{outcome.slug}/").json()
    assert frozen["record"]["outcomes"][0]["title"] == old
    assert frozen["url"] == f"http://testserver{outcome.get_absolute_url()}?release=2026.1"
    assert {row["organization"] for row in frozen["record"]["participations"]}
    now = client.get(f"/api/v1/releases/2026.2/outcomes/{outcome.slug}/").json()
    assert now["record"]["outcomes"][0]["title"] == "A corrected title"
    organization = client.get("/api/v1/releases/2026.1/organizations/cfpd/").json()
    assert organization["record"]["organizations"][0]["slug"] == ("cfpd")
    gone = client.get(f"/api/v1/releases/2031.4/outcomes/{outcome.slug}/")
    assert gone.status_code == 404 and "2031.4" in gone.json()["detail"]
    assert client.get(f"/api/v1/releases/2026/outcomes/{outcome.slug}/").status_code == 400


def test_a_release_describes_each_of_its_files(client):
    release = publish()
    described = json_ld(client.get(release.get_absolute_url()).content.decode())
    files = {d["contentUrl"].rsplit("/", 1)[1] for d in described["distribution"]}
    assert files == {*package.FILES, releases.CITATION}
    for name in files:  # each is served
        assert client.get(f"/releases/{release.number}/{name}").status_code == 200, name


def test_releases_published_before_get_their_records_by_the_migration():
    """Migration 0017 derives, from a release's own frozen tables, what publishing keeps
    now: records by outcome (with labels and later reports' figures) and by organization."""
    release = publish()
    state = MigrationExecutor(connection).loader.project_state(
        ("outcomes", "0017_release_organizations")
    )
    migration = importlib.import_module("outcomes.migrations.0017_release_organizations")
    migration.refreeze(state.apps, None)
    tables = Release.objects.get(pk=release.pk).tables

    def normalized(records):
        return {
            slug: {
                name: sorted(json.dumps(row, sort_keys=True) for row in rows)
                if isinstance(rows, list)
                else rows
                for name, rows in record.items()
            }
            for slug, record in records.items()
        }

    migrated = Release.objects.get(pk=release.pk)
    assert normalized(migrated.records) == normalized(releases.records_by_outcome(tables))
    assert normalized(migrated.organization_records) == normalized(
        releases.records_by_organization(tables)
    )


def test_an_as_of_address_never_fails_on_odd_input(client):
    """A slug a JSON path would read as a number, a NUL or any odd ?release=: 404, not 500."""
    beside = Outcome.objects.get(source__slug="sironet-cooperation-outcomes", reference="I.3")
    numbered = outcome_added_after(beside, "I.97", "2030")
    release = publish()
    assert client.get(f"/outcomes/2030/?release={release.number}").status_code == 200
    assert client.get(f"/api/v1/releases/{release.number}/outcomes/2030/").status_code == 200
    assert "Unchanged since release" in client.get(numbered.get_absolute_url()).content.decode()
    for path in ["/outcomes/-1/", "/outcomes/99999999999999999999999/", "/organizations/-5/"]:
        assert client.get(f"{path}?release={release.number}").status_code == 404, path
    for odd in ["%00", "2026.1%00", "x" * 500, "2026.01", "２０２６.1"]:
        for path in [
            beside.get_absolute_url(),
            f"{beside.get_absolute_url()}cite.ris",
            "/organizations/cfpd/",
        ]:
            assert client.get(f"{path}?release={odd}").status_code == 404, (path, odd)
    for slug in ["-1", "99999999999999999999999"]:
        answer = client.get(f"/api/v1/releases/{release.number}/organizations/{slug}/")
        assert answer.status_code == 404, slug


def test_release_lists_do_not_read_the_frozen_copies(client):
    publish()
    for url in ["/releases/", "/releases/feed.atom", "/data/catalogue.ttl", "/api/v1/releases/"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        read = " ".join(query["sql"] for query in queries.captured_queries)
        assert "records" not in read and '"tables"' not in read, url


def test_changes_name_fields_in_the_tables_order_on_every_database(client):
    first = publish()
    outcome = Outcome.objects.get(source__slug="sironet-cooperation-outcomes", reference="I.3")
    outcome.text, outcome.reading_note, outcome.title = "New text", "A new note", "A new title"
    outcome.save()
    second = publish()
    answer = client.get(f"/releases/{first.number}/compare/{second.number}.json").json()
    (change,) = [c for c in answer["changes"] if c["table"] == "outcomes"]
    assert [field["field"] for field in change["fields"]] == ["title", "reading_note", "text"]
    frozen = client.get(f"/api/v1/releases/{second.number}/outcomes/{outcome.slug}/").json()
    assert list(frozen["record"]) == [t.name for t in package.TABLES if t.name in frozen["record"]]
    assert list(frozen["record"]["outcomes"][0]) == list(releases.TABLES_BY_NAME["outcomes"].fields)


def test_a_record_renamed_since_a_release_is_found_under_its_slug_then(client):
    outcome = Outcome.objects.get(source__slug="sironet-cooperation-outcomes", reference="I.3")
    old = outcome.slug
    release = publish()
    outcome.slug = "brightness-action-renamed"
    outcome.save()
    html = client.get(outcome.get_absolute_url()).content.decode()
    assert "New since release" not in html and "Changed since release" in html
    answer = client.get(f"{outcome.get_absolute_url()}?release={release.number}")
    assert answer.status_code == 302
    assert answer["Location"] == f"/outcomes/{old}/?release={release.number}"
    assert client.get(answer["Location"]).status_code == 200


def test_each_release_page_says_how_to_cite_it(client):
    release = publish()
    html = client.get(release.get_absolute_url()).content.decode()
    assert "SIRONET Outcomes Catalogue editors. (2026). <i>SIRONET Outcomes Catalogue</i>" in html
    assert f"(Version {release.number}) [Data set]" in html and "Retrieved" not in html
    ris = client.get(f"/releases/{release.number}/cite.ris")
    assert (
        f'filename="sironet-outcomes-catalogue-{release.number}.ris"' in ris["Content-Disposition"]
    )
    assert f"ET  - {release.number}" in ris.content.decode()
    assert f"UR  - http://testserver{release.get_absolute_url()}" in ris.content.decode()
    assert client.get(f"/releases/{release.number}/cite.doc").status_code == 404
    release.doi = "10.5281/zenodo.123"
    release.save()
    csl = json.loads(client.get(f"/releases/{release.number}/cite.csl.json").content)
    assert csl[0]["DOI"] == "10.5281/zenodo.123"
    assert csl[0]["URL"] == "https://doi.org/10.5281/zenodo.123"
