"""Import in the admin: preview, then confirm; all rows or none; re-importing changes nothing."""

import importlib
import re

import pytest
import tablib
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from outcomes.models import Country, Organization, Outcome
from outcomes.resources import (
    CountryResource,
    OrganizationResource,
    OutcomeResource,
    row_messages,
)
from tests.conftest import EDITORS_MIGRATION, log_in

# Django's own on_commit, before tests/conftest.py runs the work at once.
COMMIT = transaction.on_commit

FORMATS = ["csv", "xlsx", "json"]  # in the order the admin offers them


def exported(resource, queryset, change=None):
    """An export of the queryset as a Dataset, with `change(row)` applied to each row dict."""
    dataset = resource().export(queryset)
    rows = [dict(row) for row in dataset.dict]
    for row in rows:
        if change:
            change(row)
    result = tablib.Dataset(headers=dataset.headers)
    for row in rows:
        result.append([row[header] for header in dataset.headers])
    return result


def preview(client, model, dataset, format="csv"):
    """Upload a file to the import page: the dry run and its report."""
    data = dataset.export(format)
    if isinstance(data, str):
        data = data.encode("utf-8")
    upload = SimpleUploadedFile(f"upload.{format}", data)
    return client.post(
        reverse(f"admin:outcomes_{model}_import"),
        {
            "import_file": upload,
            "format": str(FORMATS.index(format)),
            "resource": "0",
            "change_reason": "Corrections from a spreadsheet",
        },
    )


def confirm(client, model, response):
    form = response.context["confirm_form"]
    return client.post(reverse(f"admin:outcomes_{model}_process_import"), form.initial, follow=True)


def test_a_file_with_one_bad_row_writes_nothing_and_says_which_row_and_why(editor_client):
    def change(row):
        if row["reference"] == "I.1":
            row["title"] = "Changed by the import"
        if row["reference"] == "I.5":
            row["countries"] = "MM;ZZ"

    dataset = exported(OutcomeResource, Outcome.objects.all(), change)
    # As a spreadsheet numbers it: the header is row 1.
    bad_row = [row[1] for row in dataset].index("I.5") + 2

    response = preview(editor_client, "outcome", dataset)

    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [bad_row]
    content = response.content.decode()
    assert "Unknown country codes: ZZ." in content
    assert f"<td>{bad_row} </td>" in content
    assert "confirm_form" not in response.context  # nothing to confirm
    assert Outcome.objects.get(reference="I.1").title != "Changed by the import"


def test_a_bad_row_rolls_back_the_good_rows_on_confirmation_too(editor):
    """What the confirmation step runs, should a bad row get through the preview."""
    from outcomes.admin import OutcomeAdmin

    def change(row):
        if row["reference"] == "I.1":
            row["title"] = "Changed by the import"
        if row["reference"] == "I.5":
            row["category"] = "no-such-category"

    dataset = exported(OutcomeResource, Outcome.objects.all(), change)
    kwargs = OutcomeAdmin(Outcome, admin.site).get_import_data_kwargs()

    result = OutcomeResource().import_data(dataset, dry_run=False, user=editor, **kwargs)

    assert result.has_validation_errors()
    assert Outcome.objects.get(reference="I.1").title != "Changed by the import"


def test_unknown_names_and_bad_references_are_errors_of_their_rows(editor_client):
    problems = {
        "I.2": ("category", "nowhere", "Unknown category slug “nowhere”."),
        "I.3": ("regions", "no-such-region", "Unknown region slugs: no-such-region."),
        "I.4": ("organizations", "nobody (lead)", "Unknown organization slugs: nobody."),
        "I.6": ("organizations", "cfpd (boss)", "Unknown role “boss”"),
    }

    def change(row):
        if row["reference"] in problems:
            column, value, _ = problems[row["reference"]]
            row[column] = value
        if row["reference"] == "I.7":
            row["reference"] = "VI-1"

    dataset = exported(OutcomeResource, Outcome.objects.all(), change)
    response = preview(editor_client, "outcome", dataset)

    content = response.content.decode()
    for _, _, message in problems.values():
        assert message in content
    assert "A reference is the section numeral" in content
    assert len(response.context["result"].invalid_rows) == len(problems) + 1


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize(
    "model,resource,queryset",
    [
        ("outcome", OutcomeResource, Outcome.objects.all()),
        ("organization", OrganizationResource, Organization.objects.all()),
        ("country", CountryResource, Country.objects.filter(code__in=["MM", "KH", "ET", "PK"])),
    ],
)
def test_reimporting_an_unchanged_export_changes_nothing(
    editor_client, model, resource, queryset, format
):
    dataset = exported(resource, queryset)

    response = preview(editor_client, model, dataset, format)

    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == len(dataset) > 0
    assert result.totals["update"] == result.totals["new"] == 0
    done = confirm(editor_client, model, response)
    messages = [str(message) for message in done.context["messages"]]
    assert f"0 new, 0 updated, 0 deleted and {len(dataset)} skipped" in messages[0]


def test_a_reimport_updates_in_place_and_is_recorded_in_the_history(editor_client, editor):
    outcome = Outcome.objects.get(reference="I.1")
    partner = Organization.objects.exclude(participations__outcome=outcome).first()
    lead = outcome.participations.first().organization

    def change(row):
        if row["reference"] == "I.1":
            row["title"] = "Changed by the import"
            row["organizations"] = f"{lead.slug} (lead);{partner.slug} (partner)"

    count = Outcome.objects.count()
    response = preview(
        editor_client, "outcome", exported(OutcomeResource, Outcome.objects.all(), change)
    )
    assert response.context["result"].totals["update"] == 1
    confirm(editor_client, "outcome", response)

    assert Outcome.objects.count() == count
    outcome.refresh_from_db()
    assert outcome.title == "Changed by the import"
    assert [(p.organization, p.role, p.position) for p in outcome.participations.all()] == [
        (lead, "lead", 1),
        (partner, "partner", 2),
    ]
    assert outcome.history.latest().history_user == editor
    assert outcome.participations.get(organization=partner).history.latest().history_user == editor


def test_import_needs_the_change_permission_and_export_the_view_permission(client, db):
    viewer = User.objects.create_user("vera", password="x", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_outcome"))
    log_in(client, viewer)

    refused = client.get(reverse("admin:outcomes_outcome_import"))
    assert refused.status_code == 403
    assert "<h1>Not allowed</h1>" in refused.content.decode()
    export = client.get(reverse("admin:outcomes_outcome_export"))
    assert export.status_code == 200
    assert "<h1>Export</h1>" in export.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_import_bumps_the_data_version_once_at_commit_and_its_preview_never(client):
    """One bump and one search refresh per import, after it commits; none for the preview,
    which rolls back, so no lock on the data version is held while a preview runs."""
    from django.contrib.auth.models import Group

    from outcomes.dataversion import current_version
    from outcomes.seeding import seed

    seed()
    editors = importlib.import_module(EDITORS_MIGRATION)
    group, _ = Group.objects.get_or_create(name=editors.GROUP)
    group.permissions.set(editors.editor_permissions(Permission))
    user = User.objects.create_user("ivy", password="x", is_staff=True)
    user.groups.add(group)
    log_in(client, user)

    def change(row):
        row["title"] = f"Retitled {row['reference']} zebracorn"

    dataset = exported(OutcomeResource, Outcome.objects.filter(category__slug="culture"), change)
    before = current_version()[0]
    response = preview(client, "outcome", dataset)
    assert not response.context["result"].has_errors()
    assert current_version()[0] == before
    confirm(client, "outcome", response)
    assert current_version()[0] == before + 1
    found = Outcome.objects.filter(search_text__contains=" zebracorn ")
    assert found.count() == 6


def test_the_admin_export_escapes_formulas_as_the_public_one_does(editor_client):
    import io

    import openpyxl

    Outcome.objects.filter(reference="I.1").update(title='=HYPERLINK("http://evil")')
    response = editor_client.post(
        reverse("admin:outcomes_outcome_export"),
        {
            "format": str(FORMATS.index("xlsx")),
            "resource": "0",
            "outcomeresource_reference": "on",
            "outcomeresource_title": "on",
        },
    )
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    titles = dict(rows[1:])
    assert titles["I.1"] == '\'=HYPERLINK("http://evil")'


# Imports that cannot hurt ---------------------------------------------------------------


def upload(client, model, name, content, format="csv"):
    return client.post(
        reverse(f"admin:outcomes_{model}_import"),
        {
            "import_file": SimpleUploadedFile(name, content),
            "format": str(FORMATS.index(format)),
            "resource": "0",
            "change_reason": "Corrections from a spreadsheet",
        },
    )


def test_a_file_too_large_or_a_zip_bomb_is_refused_before_it_is_read(editor_client):
    import io
    import zipfile

    response = upload(editor_client, "outcome", "big.csv", b"reference\n" + b"x" * 2_200_000)
    assert response.status_code == 200
    assert "an import takes at most 2 MB" in response.content.decode()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 30 * 2**20)
    assert len(bomb.getvalue()) < 100_000
    response = upload(editor_client, "outcome", "bomb.xlsx", bomb.getvalue(), "xlsx")
    assert "This file unpacks to 30 MB; an XLSX import takes at most 20 MB" in (
        response.content.decode()
    )
    assert (
        "at most 2 MB, 2,000 rows and 50 columns"
        in editor_client.get(reverse("admin:outcomes_outcome_import")).content.decode()
    )


def test_too_many_rows_or_no_key_column_is_a_plain_message(editor_client, settings):
    settings.DEBUG = False
    rows = b"reference,title\n" + b"".join(b"I.%d,x\n" % n for n in range(1, 2002))
    html = upload(editor_client, "outcome", "rows.csv", rows).content.decode()
    assert "This file has more than 2,000 rows; an import takes at most 2,000" in html
    html = upload(editor_client, "outcome", "nokey.csv", b"title\nx\n").content.decode()
    assert "This file has no “source” or “reference” column" in html
    assert "Traceback" not in html and "/site-packages/" not in html


def workbook(change=None, **cells):
    """An XLSX file with the given cells ({"A1": value}), its first sheet's XML changed by
    `change` (bytes to bytes) after openpyxl wrote it."""
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    for reference, value in cells.items():
        book.active[reference] = value
    written = io.BytesIO()
    book.save(written)
    if change is None:
        return written.getvalue()
    changed = io.BytesIO()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, change(data) if item.filename.endswith("sheet1.xml") else data)
    return changed.getvalue()


def declared_everywhere(sheet):
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', sheet)


HOSTILE_FILES = {
    "100,000 rows": ("csv", b"reference,title\n" + b"I.1,x\n" * 100_000, "more than 2,000 rows"),
    "1,000,000 lines": ("csv", b"x\n" * 1_000_000, "more than 2,000 rows"),
    "16,384 columns": ("csv", b",".join([b"c"] * 16_384), "Row 1 has more than 50 columns"),
    "a cell at row 20,000": ("xlsx", workbook(A1="reference", A20000="x"), "more than 2,000"),
    "a cell at column XFD": ("xlsx", workbook(A1="reference", XFD1="x"), "more than 50 columns"),
    "A1:XFD1048576 declared": (
        "xlsx",
        workbook(declared_everywhere, A1="reference"),
        "more than 50 columns",
    ),
    "100,000 records": (
        "json",
        b"[" + b",".join([b'{"a":1}'] * 100_000) + b"]",
        "more than 2,000 rows",
    ),
    "nested 100,000 deep": ("json", b"[" * 100_000, "cannot be read as JSON"),
    "not a workbook": ("xlsx", b"reference\nI.1\n", "cannot be read as XLSX"),
}


@pytest.mark.parametrize("shape", HOSTILE_FILES)
def test_an_import_past_its_limits_is_refused_before_anything_parses_it(
    editor_client, monkeypatch, shape
):
    """The red team's files (issue 27): import-export never starts reading them."""
    from import_export.formats.base_formats import TablibFormat

    def parse(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(TablibFormat, "create_dataset", parse)
    format, content, message = HOSTILE_FILES[shape]
    response = upload(editor_client, "outcome", f"hostile.{format}", content, format)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_files_within_the_limits_are_read_as_before(editor_client):
    """At the limits exactly: 2,000 rows and a header; an export's own XLSX and JSON."""
    rows = b"source,reference,title\n" + b"".join(
        b"sironet-2017,I.%d,x\n" % n for n in range(1, 2001)
    )
    html = upload(editor_client, "outcome", "rows.csv", rows).content.decode()
    assert "more than 2,000 rows" not in html and "Errors" in html  # read, rows refused
    for format in ("xlsx", "json"):
        content = exported(OutcomeResource, Outcome.objects.all()).export(format)
        content = content.encode() if isinstance(content, str) else content
        response = upload(editor_client, "outcome", f"all.{format}", content, format)
        assert "confirm_form" in response.context, format


def test_every_bad_value_is_reported_by_row_and_field_in_words(editor_client):
    def change(row):
        if row["reference"] in ("I.2", "I.4"):
            row["year"] = "abc"

    dataset = exported(OutcomeResource, Outcome.objects.filter(category__slug="livelihood"), change)
    response = preview(editor_client, "outcome", dataset)
    result = response.context["result"]
    reported = {row.number: row_messages(row) for row in result.invalid_rows}
    assert reported == {
        3: ["year: “abc” is not a whole number."],
        5: ["year: “abc” is not a whole number."],
    }
    html = response.content.decode()
    assert "ConversionSyntax" not in html
    # in plain view (not in a tooltip), and the table scrolls inside its own box
    assert "<li>row 3: year: “abc” is not a whole number.</li>" in html
    assert '<div class="import-scroll" tabindex="0" role="region"' in html


def test_a_confirm_after_another_editor_changed_a_row_imports_nothing_and_says_which(
    editor_client,
):
    from django.contrib.admin.models import LogEntry

    def change(row):
        row["scope"] = "scoped by the import"

    outcomes = Outcome.objects.filter(category__slug="culture")
    dataset = exported(OutcomeResource, outcomes, change)
    response = preview(editor_client, "outcome", dataset)
    assert not response.context["result"].has_validation_errors()
    other = Outcome.objects.get(reference="IV.3")
    other.title = "Retitled by another editor meanwhile"
    other.save()  # after the preview
    logged = LogEntry.objects.count()
    page = confirm(editor_client, "outcome", response).content.decode()
    assert "Nothing was imported." in page
    assert "row 4: changed by another editor since the preview" in page
    assert "Import finished" not in page
    assert LogEntry.objects.count() == logged
    assert not Outcome.objects.filter(scope="scoped by the import").exists()


def test_an_import_that_changes_organizations_shows_it_and_history_names_it(editor_client):
    def change(row):
        if row["reference"] == "V.8":
            row["organizations"] = row["organizations"].replace(
                "polish-house-civic-association (partner)",
                "polish-house-civic-association (co-lead)",
            )

    dataset = exported(OutcomeResource, Outcome.objects.filter(category__slug="mechanism"), change)
    response = preview(editor_client, "outcome", dataset)
    html = response.content.decode()
    assert re.search(  # the preview shows the change (it showed the column blank)
        r"polish-house-civic-association \(</span><del[^>]*>partner</del><ins[^>]*>co-lead", html
    )
    confirm(editor_client, "outcome", response)
    outcome = Outcome.objects.get(reference="V.8")
    reason = outcome.history.first().history_change_reason
    assert "“Polish House Civic Association (Partner) in V.8”, role “Partner” → “Co-lead”" in (
        reason
    )


def test_exporting_and_importing_a_file_changes_nothing_even_formula_like_cells(editor_client):
    Outcome.objects.filter(reference="I.4").update(scope="-20 countries, or so")
    dataset = exported(OutcomeResource, Outcome.objects.filter(reference="I.4"))
    assert dataset.dict[0]["scope"] == "'-20 countries, or so"  # shown as text
    response = preview(editor_client, "outcome", dataset)
    assert [row.import_type for row in response.context["result"].rows] == ["skip"]


def test_a_confirm_after_another_editor_changed_an_outcomes_row_imports_nothing(editor_client):
    def change(row):
        row["scope"] = "scoped by the import"

    dataset = exported(OutcomeResource, Outcome.objects.filter(reference="V.8"), change)
    response = preview(editor_client, "outcome", dataset)
    participation = Outcome.objects.get(reference="V.8").participations.get(position=2)
    participation.role = "co-lead"  # in the participations' own admin, say
    participation.save()
    page = confirm(editor_client, "outcome", response).content.decode()
    assert "row 2: changed by another editor since the preview" in page
    assert not Outcome.objects.filter(scope="scoped by the import").exists()


def queries_of_preview(client, dataset):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = preview(client, "outcome", dataset)
    assert not response.context["result"].has_validation_errors()
    # Savepoints aside: import-export sets one for each row.
    return sum(not query["sql"].startswith(("SAVEPOINT", "RELEASE")) for query in queries)


# A changed outcome's row costs these queries, however many rows the file has: its
# save, its history (with its places'), and the uniqueness and constraint checks.
QUERIES_PER_CHANGED_ROW = 9


def test_an_imports_queries_grow_only_with_its_changed_rows(editor_client, monkeypatch):
    """Links (places, organizations, reach) are read once for the whole file: an
    unchanged row costs no query, and a changed one a fixed few."""
    # A preview rolls back: its search refresh, due at commit, never runs.
    monkeypatch.setattr("django.db.transaction.on_commit", COMMIT)
    every = Outcome.objects.in_document_order()
    few = every[:5]

    def retitle(row):
        row["title"] += " (checked)"

    unchanged_few = queries_of_preview(editor_client, exported(OutcomeResource, few))
    unchanged_all = queries_of_preview(editor_client, exported(OutcomeResource, every))
    assert unchanged_all == unchanged_few

    changed_few = queries_of_preview(editor_client, exported(OutcomeResource, few, retitle))
    changed_all = queries_of_preview(editor_client, exported(OutcomeResource, every, retitle))
    more_rows = every.count() - 5
    assert changed_all - changed_few <= more_rows * QUERIES_PER_CHANGED_ROW
