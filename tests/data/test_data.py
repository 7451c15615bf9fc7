"""/data/: the downloads' columns documented, and the whole catalogue as a Frictionless Data
Package that validates and loads back into an empty database."""

import csv
import hashlib
import io
import json
import re
import zipfile

import frictionless
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils.html import escape

from downloads import package as datapackage
from outcomes.changelog import corrections
from outcomes.models import DataVersion, Organization, Outcome, SeedRecord
from outcomes.record import COLUMNS, FIELDS
from outcomes.seeding import seed

pytestmark = pytest.mark.django_db


def write_package():
    """What the worker does after each change (downloads.package.WritePackage)."""
    datapackage.WritePackage()()


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_data_page_documents_the_download_columns_and_fields_in_their_order(client):
    html = client.get("/data/").content.decode()
    columns = html[html.index('id="columns"') : html.index('id="json"')]
    documented = re.findall(r"<tr><td><code>([a-z_]+)</code></td><td>", columns)
    assert documented == [column.name for column in COLUMNS]
    for column in COLUMNS:
        assert escape(str(column.meaning)) in columns
    fields = html[html.index('id="json"') : html.index('id="package"')]
    documented = re.findall(r"<tr><td><code>([a-z_]+)</code></td><td>", fields)
    assert documented == [field.name for field in FIELDS]
    for field in FIELDS:
        assert escape(str(field.meaning)) in fields


def test_the_data_page_documents_every_table_and_links_its_file(client):
    html = client.get("/data/").content.decode()
    assert 'href="/data/datapackage.zip"' in html
    assert 'href="/data/datapackage.json"' in html
    for table in datapackage.TABLES:
        assert f'<a href="/data/{table.path}">{table.path}</a>' in html
        for name in table.fields:
            assert f"<td><code>{name}</code></td><td>" in html
    assert "Creative Commons Attribution 4.0" in html
    assert f"Data version {DataVersion.objects.get().version}" in html


def test_the_list_and_every_page_link_to_the_data_page(client):
    assert 'href="/data/">what the columns mean' in client.get("/outcomes/").content.decode()
    assert 'href="/data/">Download the data</a>' in client.get("/").content.decode()


def downloaded(client, folder):
    """The package's files as /data/ serves them, saved into `folder`."""
    write_package()
    for name in ["datapackage.json", *(table.path for table in datapackage.TABLES)]:
        response = client.get(f"/data/{name}")
        assert response.status_code == 200, name
        (folder / name).write_bytes(body(response))
    return folder / "datapackage.json"


def errors(report):
    """(table, error type, message) of each error frictionless finds."""
    return [
        (task.name, error.type, error.message) for task in report.tasks for error in task.errors
    ] + [(None, error.type, error.message) for error in report.errors]


def test_the_data_package_validates_as_files_and_as_a_zip(client, tmp_path):
    report = frictionless.validate(str(downloaded(client, tmp_path)))
    assert report.valid, errors(report)
    response = client.get("/data/datapackage.zip")
    assert response["Cache-Control"].startswith("public")
    assert response["Content-Type"] == "application/zip"
    version = DataVersion.objects.get().version
    assert response["Content-Disposition"] == (
        f'attachment; filename="sironet-outcomes-catalogue-v{version}.zip"'
    )
    (tmp_path / "package.zip").write_bytes(body(response))
    report = frictionless.validate(str(tmp_path / "package.zip"))
    assert report.valid, errors(report)


def test_frictionless_finds_a_broken_link(client, tmp_path):
    """The keys are checked: a place naming an unknown country is an error."""
    descriptor = downloaded(client, tmp_path)
    places = tmp_path / "places.csv"
    places.write_bytes(places.read_bytes().replace(b",MM\r\n", b",XX\r\n", 1))
    package = json.loads(descriptor.read_text())
    for resource in package["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    descriptor.write_text(json.dumps(package))
    report = frictionless.validate(str(descriptor))
    assert [(table, kind) for table, kind, _ in errors(report)] == [("places", "foreign-key")]


def test_the_package_names_its_licence_sources_version_keys_and_each_files_sha256(client, tmp_path):
    descriptor = json.loads(downloaded(client, tmp_path).read_text())
    version, changed = DataVersion.objects.values_list("version", "changed").get()
    assert descriptor["version"] == str(version)
    assert descriptor["created"] == changed.isoformat()
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["sources"][0]["path"].startswith("https://sironet.cnie.org.cn/")
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert list(resources) == [table.name for table in datapackage.TABLES]
    for name, resource in resources.items():
        content = (tmp_path / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest(), name
        assert resource["bytes"] == len(content), name
    outcomes = resources["outcomes"]["schema"]
    assert outcomes["primaryKey"] == ["slug"]
    assert {"fields": ["source"], "reference": {"resource": "sources", "fields": ["slug"]}} in (
        outcomes["foreignKeys"]
    )
    assert resources["participations"]["schema"]["foreignKeys"] == [
        {"fields": ["outcome"], "reference": {"resource": "outcomes", "fields": ["slug"]}},
        {
            "fields": ["organization"],
            "reference": {"resource": "organizations", "fields": ["slug"]},
        },
    ]
    fields = {field["name"]: field for field in resources["participations"]["schema"]["fields"]}
    assert fields["role"]["constraints"]["enum"] == ["lead", "co-lead", "partner", "founded"]


def test_a_download_never_writes_and_costs_one_query(
    client, django_assert_num_queries, monkeypatch
):
    write_package()
    first = body(client.get("/data/datapackage.zip"))

    def write_again(folder):
        raise AssertionError("a download wrote a package")

    monkeypatch.setattr(datapackage, "write", write_again)
    Organization.objects.filter(slug="cfpd").update(acronym="CFPD!")
    # The data version, to say whether the newest package is the current version's.
    with django_assert_num_queries(1):
        response = client.get("/data/datapackage.zip")
    assert body(response) == first  # the newest written, until the worker writes the next
    assert response["Cache-Control"] == "no-store"  # no proxy keeps it meanwhile


def test_a_package_another_release_wrote_is_sent_until_this_ones_is_written(
    client, settings, tmp_path, monkeypatch
):
    """A worker not yet restarted with the app servers writes under its own release: its
    package is sent, never kept by a proxy, rather than nothing."""
    from edge import pages

    settings.DATA_PACKAGE_DIR = tmp_path
    monkeypatch.setattr(datapackage, "RELEASE", "the-workers-release")
    write_package()
    monkeypatch.setattr(datapackage, "RELEASE", pages.RELEASE)
    response = client.get("/data/datapackage.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    write_package()
    assert client.get("/data/datapackage.json")["Cache-Control"].startswith("public")


def test_a_package_that_cannot_be_written_is_tried_again_a_minute_later(settings, tmp_path):
    settings.DATA_PACKAGE_DIR = tmp_path / "a-file"
    settings.DATA_PACKAGE_DIR.write_text("not a folder")
    job = datapackage.WritePackage()
    with pytest.raises(OSError):
        job()
    job()  # within the minute: nothing tried, nothing raised
    assert job.retry_at > 0


def test_before_the_worker_writes_any_package_a_download_says_so(client, settings, tmp_path):
    settings.DATA_PACKAGE_DIR = tmp_path
    response = client.get("/data/outcomes.csv")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "being written" in response.content.decode()


def test_a_new_data_version_gets_a_new_package_and_old_ones_are_dropped(client, settings, tmp_path):
    settings.DATA_PACKAGE_DIR = tmp_path
    Organization.objects.filter(slug="cfpd").update(acronym="CFPD!")
    write_package()
    first = body(client.get("/data/organizations.csv")).decode()
    assert ",CFPD!," in first
    for acronym in ("A", "B", "C", "D"):
        Organization.objects.filter(slug="cfpd").update(acronym=acronym)
        write_package()
        assert f",{acronym}," in body(client.get("/data/organizations.csv")).decode()
    assert len(list(tmp_path.glob("v*"))) == datapackage.KEPT_VERSIONS
    response = client.get("/data/organizations.csv")
    again = client.get("/data/organizations.csv", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_an_unknown_file_is_not_found(client):
    assert client.get("/data/secrets.csv").status_code == 404
    assert client.get("/data/../settings.py").status_code == 404


def written(folder):
    folder.mkdir()
    datapackage.write(folder)
    return folder


def test_the_zip_holds_the_same_files_as_the_folder(tmp_path):
    folder = written(tmp_path / "package")
    with zipfile.ZipFile(folder / "datapackage.zip") as archive:
        assert sorted(archive.namelist()) == sorted(
            ["datapackage.json", *(table.path for table in datapackage.TABLES)]
        )
        for name in archive.namelist():
            assert archive.read(name) == (folder / name).read_bytes()


# Loading it back ----------------------------------------------------------------------------

# Deleted children first (no signal: the tables are emptied as a fresh database's are).
CATALOGUE = [table.model for table in reversed(datapackage.TABLES)]


def emptied():
    """As a database migrated, not seeded: no catalogue, no ledger of what was seeded."""
    from outcomes.models import SeedRecord

    for model in [*CATALOGUE, SeedRecord]:
        model._base_manager.all()._raw_delete(connection.alias)


@pytest.fixture
def commit(monkeypatch):
    """As in production, the work that changes set off (search documents, the data
    version) waits for the commit, and is done once: call the fixture to commit."""
    waiting = []
    monkeypatch.setattr(
        "django.db.transaction.on_commit",
        lambda function, *args, **kwargs: waiting.append(function),
    )

    def commit():
        for work in waiting:
            work()
        waiting.clear()

    yield commit
    # What never committed is dropped, as a rollback drops it (outcomes/dataversion.py):
    # else the changes noted would reach the next test's first commit.
    connection.catalogue_changes = None


def test_loading_the_package_into_an_empty_database_reproduces_the_catalogue(tmp_path, commit):
    before = written(tmp_path / "before")
    search = dict(Outcome.objects.values_list("slug", "search_text"))
    positions = dict(Outcome.objects.values_list("slug", "position"))
    version = DataVersion.objects.get().version
    emptied()
    call_command("load_datapackage", str(before / "datapackage.zip"))
    commit()
    assert DataVersion.objects.get().version == version + 1

    after = written(tmp_path / "after")
    for table in datapackage.TABLES:
        assert (after / table.path).read_bytes() == (before / table.path).read_bytes(), table.name
    # What saving and the search index work out is the same too.
    assert dict(Outcome.objects.values_list("slug", "search_text")) == search
    assert dict(Outcome.objects.values_list("slug", "position")) == positions
    assert Outcome.objects.search("mekong").count() > 0
    # Loading is not a correction: no outcome page lists one.
    assert not any(corrections(outcome) for outcome in Outcome.objects.all())


def test_seeding_a_loaded_catalogue_brings_back_nothing_its_editors_renamed(tmp_path, commit):
    Organization.objects.filter(slug="cfpd").update(slug="cfpd-renamed")
    folder = written(tmp_path / "package")
    emptied()
    SeedRecord.objects.all().delete()  # a new database has no ledger
    call_command("load_datapackage", str(folder))
    assert seed().added == {}
    assert not Organization.objects.filter(slug="cfpd").exists()


def test_a_package_whose_columns_come_in_another_order_loads(tmp_path, commit):
    """An older package (its columns in another order) loads: columns are read by name."""
    folder = written(tmp_path / "package")
    emptied()
    programmes = folder / "programmes.csv"
    rows = list(csv.reader(io.StringIO(programmes.read_text(encoding="utf-8"), newline="")))
    order = list(reversed(range(len(rows[0]))))
    with open(programmes, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([[row[i] for i in order] for row in rows])
    package = json.loads((folder / "datapackage.json").read_text())
    for resource in package["resources"]:
        if resource["name"] == "programmes":
            resource["hash"] = "sha256:" + hashlib.sha256(programmes.read_bytes()).hexdigest()
    (folder / "datapackage.json").write_text(json.dumps(package))
    call_command("load_datapackage", str(folder))
    commit()
    assert Outcome.objects.get(reference="I.2").programmes.count() == 2


def test_loading_refuses_a_catalogue_that_has_records(tmp_path):
    folder = written(tmp_path / "package")
    with pytest.raises(CommandError, match="The catalogue is not empty"):
        call_command("load_datapackage", str(folder))


def test_loading_refuses_a_file_that_is_not_the_one_described(tmp_path):
    folder = written(tmp_path / "package")
    emptied()
    with open(folder / "places.csv", "a") as stream:
        stream.write("nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation,TH\r\n")
    with pytest.raises(CommandError, match="places.csv is not the file datapackage.json"):
        call_command("load_datapackage", str(folder / "datapackage.json"))
    assert not Outcome.objects.exists()


def test_loading_names_the_file_row_and_column_of_an_unknown_key(tmp_path, commit):
    folder = written(tmp_path / "package")
    emptied()
    places = folder / "places.csv"
    places.write_bytes(places.read_bytes().replace(b",MM\r\n", b",XX\r\n", 1))
    package = json.loads((folder / "datapackage.json").read_text())
    for resource in package["resources"]:
        if resource["name"] == "places":
            resource["hash"] = "sha256:" + hashlib.sha256(places.read_bytes()).hexdigest()
    (folder / "datapackage.json").write_text(json.dumps(package))
    with pytest.raises(CommandError, match=r"places.csv row 2: country: no countries record “XX”"):
        call_command("load_datapackage", str(folder))
    assert not Outcome.objects.exists()


def test_loading_a_path_that_does_not_exist_names_the_zip_and_where_to_get_it(tmp_path):
    missing = r"There is no .*missing.zip\. .*datapackage\.zip.*/data/"
    with pytest.raises(CommandError, match=missing):
        call_command("load_datapackage", str(tmp_path / "missing.zip"))


def test_the_package_holds_reviewed_later_reports_and_loads_them_back_public(tmp_path, commit):
    from outcomes.models import LaterReport, LaterSearch

    waiting = LaterReport.objects.create(
        url="https://example.org/waiting",
        title="Waiting",
        publisher="A publisher",
        published="2026-11-30",
        language="en",
        reading="ended",
        summary="Not reviewed yet.",
    )
    waiting.outcomes.add(Outcome.objects.get(reference="II.1"))
    waiting.figures.create(kind="count", value=3, qualifier="exact", unit="wells", words="3")
    folder = written(tmp_path / "before")

    def table(name):
        text = (folder / f"{name}.csv").read_text(encoding="utf-8")
        return list(csv.DictReader(io.StringIO(text, newline="")))

    reports = table("later_reports")
    assert len(reports) == 26 and waiting.url not in {row["url"] for row in reports}
    links = table("later_report_outcomes")
    assert {
        "laterreport": "http://bbrtv.com/2024/0117/908671.html",
        "outcome": Outcome.objects.get(reference="I.1").slug,
    } in links
    assert waiting.url not in {row["laterreport"] for row in links}
    assert len(table("later_report_figures")) == 32
    assert waiting.url not in {row["report"] for row in table("later_report_figures")}
    assert len(table("later_searches")) == 37
    reviewed = {
        report.url: (report.reading, sorted(report.outcomes.values_list("slug", flat=True)))
        for report in LaterReport.objects.reviewed()
    }
    emptied()
    call_command("load_datapackage", str(folder / "datapackage.zip"))
    commit()
    # All public: a package holds reviewed reports only, and loads them as reviewed.
    assert LaterReport.objects.reviewed().count() == LaterReport.objects.count() == 26
    assert {
        report.url: (report.reading, sorted(report.outcomes.values_list("slug", flat=True)))
        for report in LaterReport.objects.all()
    } == reviewed
    assert LaterSearch.objects.count() == 37


def test_formula_like_text_is_escaped_in_every_package_file_and_loads_back(tmp_path, commit):
    """Issue 27: /data/outcomes.csv, /data/organizations.csv and the zip wrote formula cells
    (=, +, -, @) as they were; the list and admin downloads escaped them. One rule now."""
    Outcome.objects.filter(reference="I.3").update(title='=HYPERLINK("http://x.example","x")')
    Organization.objects.filter(slug="cfpd").update(acronym="+CFPD", aliases="@cfpd\n-cfpd")
    folder = written(tmp_path / "before")
    texts = {table.path: (folder / table.path).read_text() for table in datapackage.TABLES}
    assert "'=HYPERLINK" in texts["outcomes.csv"]
    assert ",'+CFPD," in texts["organizations.csv"]
    # No cell of any file starts a formula.
    for path, text in texts.items():
        for row in csv.reader(io.StringIO(text)):
            assert not any(cell[:1] in "=+@" for cell in row if cell), (path, row)
    with zipfile.ZipFile(folder / "datapackage.zip") as archive:
        assert "'=HYPERLINK" in archive.read("outcomes.csv").decode()
    emptied()
    call_command("load_datapackage", str(folder / "datapackage.zip"))
    commit()
    assert Outcome.objects.get(reference="I.3").title == '=HYPERLINK("http://x.example","x")'
    assert Organization.objects.get(slug="cfpd").acronym == "+CFPD"
