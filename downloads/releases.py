"""Publishing a release, and what changed between two (docs/reuse.md, "Releases").

A release freezes the data package of the moment, in English: its files are kept under
MEDIA_ROOT/releases/<number>/, its tables (every record, as text) in the database. The
changelog compares two releases' tables, so it says exactly what the public saw change."""

import copy
import csv
import json
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.db.models.fields.json import KeyTransform
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from downloads import package
from edge import routing
from outcomes.citations import CATALOGUE_EDITORS
from outcomes.dataversion import bump_data_version
from outcomes.models import Outcome, Release, SeedRecord, Source
from outcomes.models.releases import NUMBER_RE
from outcomes.seeding import FIXTURE, seed

KEY_JOIN = " · "
KINDS = ("added", "changed", "removed")
# When a record was last saved: a save that changes nothing else is no change.
BOOKKEEPING = {"updated"}
TABLES_BY_NAME = {table.name: table for table in package.TABLES}


def next_number(today):
    numbers = Release.objects.filter(number__startswith=f"{today.year}.").values_list("number")
    return f"{today.year}.{1 + max((int(n.split('.')[1]) for (n,) in numbers), default=0)}"


def read_tables(where):
    """{table: {key: {field: value}}} from a package's CSV files in `where`."""
    tables = {}
    for table in package.TABLES:
        with open(where / table.path, encoding="utf-8", newline="") as stream:
            header, *rows = csv.reader(stream)
        key = [header.index(name) for name in table.primary_key]
        tables[table.name] = {
            KEY_JOIN.join(row[i] for i in key): dict(zip(header, row, strict=True)) for row in rows
        }
    return tables


def publish(note, now=None):
    """Freeze the catalogue as it is now as the next release; return it. The very first
    release is the source document alone (so that every correction since shows as a change
    from it): publishing on a catalogue without releases makes that one first."""
    now, outermost = now or timezone.now(), not connection.in_atomic_block
    with transaction.atomic(), translation.override("en"), routing.primary():
        if outermost and connection.vendor == "postgresql":  # one state of every table
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                # Before the snapshot: a second publisher waits here, then sees this release.
                cursor.execute(f"LOCK TABLE {Release._meta.db_table} IN EXCLUSIVE MODE")
        # Every outcome page tells of the latest release: a new data version for the pages,
        # the one the release freezes (first: its row lock, not an edit since, starts the
        # snapshot; an edit's version waits for this one).
        bump_data_version()
        # One release at a time: the number and the data it freezes agree.
        if not list(Release.objects.select_for_update().only("pk")):
            freeze(Release.DOCUMENT_NOTE, now, document=True)
        return freeze(note, now)


def freeze(note, now, document=False):
    number = next_number(timezone.localdate(now))
    root = Release(number="").folder
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{number}-", dir=root))
    try:
        version = document_package(work) if document else package.write(work).number
        described = json.loads((work / "datapackage.json").read_text(encoding="utf-8"))
        described |= {"version": number, "created": now.astimezone(UTC).isoformat()}
        with open(work / "datapackage.json", "w", encoding="utf-8") as stream:
            json.dump(described, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        (work / CITATION).write_text(citation_file(number, now), encoding="utf-8")
        package.archive(work, now, extra=[CITATION])
        tables = read_tables(work)
        before = Release.objects.only("tables").first()
        found = changes(before.tables if before else {}, tables)
        release = Release.objects.create(
            number=number,
            published=now,
            note=note,
            data_version=version,
            checksum=package.sha256(work / "datapackage.zip"),
            tables=tables,
            records=records_by_outcome(tables),
            organization_records=records_by_organization(tables),
            counts={kind: sum(c.kind == kind for c in found) for kind in KINDS},
        )
        # A folder of this number without its release: left by a publish rolled back.
        shutil.rmtree(release.folder, ignore_errors=True)
        work.rename(release.folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return release


CITATION = "CITATION.cff"


def citation_file(number, now):
    """CITATION.cff (Citation File Format 1.2.0) of a release: what reference managers and
    repositories such as Zenodo read. Values are JSON strings, which YAML reads as they are."""
    sources = Source.objects.order_by("slug")
    address = settings.SITE_URL + reverse("downloads:release", args=[number])
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use these data, please cite this release of the catalogue."',
        "type: dataset",
        f"title: {json.dumps(package.TITLE)}",
        f"version: {json.dumps(number)}",
        f"date-released: {timezone.localdate(now).isoformat()}",
        "authors:",
        f"  - name: {json.dumps(CATALOGUE_EDITORS)}",
        f"license: {settings.CATALOGUE_LICENSE['name']}",
        f"url: {json.dumps(address)}",
        "references:",
    ]
    for source in sources:
        lines += [
            "  - type: report",
            f"    title: {json.dumps(source.title, ensure_ascii=False)}",
            "    authors:",
            f"      - name: {json.dumps(source.publisher, ensure_ascii=False)}",
        ]
        if source.published:
            lines.append(f"    date-released: {source.published.isoformat()}")
        if source.url:
            lines.append(f"    url: {json.dumps(source.url)}")
    return "\n".join(lines) + "\n"


def document_package(work):
    """Write into `work` the package of the source document's fixture alone: the catalogue
    emptied and seeded afresh inside a savepoint that is then rolled back (nothing of it is
    committed, nor announced). Its data version: 0, no state of the database."""
    noted = copy.deepcopy(getattr(connection, "catalogue_changes", None))
    point = transaction.savepoint()
    try:
        for model in [*(table.model for table in reversed(package.TABLES)), SeedRecord]:
            model._base_manager.all()._raw_delete(connection.alias)
        seed(fixtures=(FIXTURE,))
        package.write(work)
    finally:
        transaction.savepoint_rollback(point)
        setattr(connection, "catalogue_changes", noted)  # noqa: B010 (as in dataversion)
    return 0


@dataclass
class Change:
    table: str
    key: str
    kind: str  # "added", "changed", "removed"
    fields: list = field(default_factory=list)  # [(name, before, after)] of a change


def differing(table, old, new):
    """[(field, before, after)] of the fields two frozen rows of `table` differ in, in the
    table's order (a save alone is no change: BOOKKEEPING)."""
    return [
        (name, old.get(name, ""), new.get(name, ""))
        for name in table.fields
        if old.get(name, "") != new.get(name, "") and name not in BOOKKEEPING
    ]


def changes(before, after):
    """What changed from the tables `before` to `after`, record by record, in the package's
    table order; each change field by field."""
    found = []
    for table in package.TABLES:
        old, new = before.get(table.name, {}), after.get(table.name, {})
        for key in sorted(old.keys() | new.keys()):
            if key not in old:
                found.append(Change(table.name, key, "added"))
            elif key not in new:
                found.append(Change(table.name, key, "removed"))
            elif fields := differing(table, old[key], new[key]):
                found.append(Change(table.name, key, "changed", fields))
    return found


@dataclass
class Shown:
    """A change as a page shows it: the record's name and link, the fields."""

    change: Change
    name: str  # an outcome's reference and title, an organization's name…; else its key
    url: str
    fields: list  # [(label, before, after)]


@dataclass
class Group:
    """The changes to one table's records, with their counts."""

    label: str
    main: bool  # outcomes and organizations: open on the page; the rest folded
    counts: dict
    changes: list  # [Shown]


def field_label(model, name):
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def table_label(table, plural=False):
    """What a table's records are, in the page's language (a link table: the field's name,
    "Places"; "Later reports: outcomes" where its owner is not the outcome)."""
    meta = table.model._meta
    if not (owner := meta.auto_created):
        return capfirst(meta.verbose_name_plural if plural else meta.verbose_name)
    (linked,) = [f for f in owner._meta.many_to_many if f.remote_field.through is table.model]
    if owner is Outcome:
        return capfirst(linked.verbose_name)
    return f"{capfirst(owner._meta.verbose_name_plural)}: {linked.verbose_name}"


def link(table, key, row, number):
    """The page of the record a row is (an outcome, an organization) or belongs to, as of
    release `number`."""
    if table.name in AS_OF:
        return f"{reverse(AS_OF[table.name], args=[key])}?release={number}"
    if row.get("outcome"):
        return f"{reverse(AS_OF['outcomes'], args=[row['outcome']])}?release={number}"
    return ""


def shown(before, after, number, found=None):
    """The changes from the tables `before` to `after` (those of release `number`) for a
    page, by table (None: nothing before to compare)."""
    if before is None:
        return None
    groups: dict[str, Group] = {}
    for change in changes(before, after) if found is None else found:
        table = TABLES_BY_NAME[change.table]
        row = (after if change.kind != "removed" else before)[change.table][change.key]
        fields = [(field_label(table.model, n), old, new) for n, old, new in change.fields]
        url = link(table, change.key, row, number) if change.kind != "removed" else ""
        group = groups.get(table.name) or groups.setdefault(
            table.name, Group(table_label(table, True), table.name in AS_OF, Counter(), [])
        )
        group.counts[change.kind] += 1
        group.changes.append(Shown(change, label(table, row) or change.key, url, fields))
    return list(groups.values())


def as_json(older, newer, found):
    """The changes from release `older` to `newer`, as /releases/<a>/compare/<b>.json."""
    return {
        "from": older.number,
        "to": newer.number,
        "changes": [
            {
                "table": change.table,
                "key": change.key,
                "change": change.kind,
                "fields": [
                    {"field": name, "before": old, "after": new} for name, old, new in change.fields
                ],
            }
            for change in found
        ],
    }


@dataclass
class FrozenPart:
    label: str
    rows: list  # [[(field label, value, link, language)]]


TABLES_BY_MODEL = {table.model: table for table in package.TABLES}
# The records with a page that can show them as of a release: their frozen tables, their pages.
AS_OF = {"outcomes": "outcomes:outcome", "organizations": "outcomes:organization"}
RECORDS = {"outcomes": "records", "organizations": "organization_records"}  # Release's fields


def record_key(slug):
    """A record's key in Release.records: never a number, which a JSON path would read as
    an array's index (a slug may be "2030")."""
    return f"slug:{slug}"


def with_record(releases, table, slug):
    """Releases with `record`: the frozen record `slug` of `table` (in AS_OF) in each, None
    where absent, read from the database alone, not the whole frozen copy."""
    found = KeyTransform(record_key(slug), RECORDS[table])
    return releases.annotate(record=found).only("number", "published")


def holding(table, slug):
    """The numbers of the releases, newest first, that froze the record `slug` of `table`."""
    holds = {f"{RECORDS[table]}__has_key": record_key(slug)}
    return list(Release.objects.filter(**holds).values_list("number", flat=True))


def former_slugs(table, slug):
    """The slugs that the record now at `slug` had before (its history), newest first: a
    release froze it under the slug it had then."""
    model = TABLES_BY_NAME[table].model
    history = model.history.filter(id__in=model.objects.filter(slug=slug).values("pk"))
    slugs = history.exclude(slug=slug).order_by("-history_date").values_list("slug", flat=True)
    return list(dict.fromkeys(slugs))


def frozen_record(table, number, slug):
    """Release `number` with the record `slug` of `table` it froze; None if it has none (or
    `number` is no release's: checked before any query)."""
    if not NUMBER_RE.match(number):
        return None
    release = with_record(Release.objects.filter(number=number), table, slug).first()
    return release if release and release.record else None


def frozen_sources(tables):
    """The sources frozen tables hold, by slug (a release's description names them)."""
    return [frozen_source(row) for _, row in sorted(tables["sources"].items())]


def frozen_source(row):
    """A source as frozen (its row), for a citation of the document's item."""
    published = date.fromisoformat(row["published"]) if row.get("published") else None
    return Source(
        slug=row["slug"],
        title=row["title"],
        publisher=row["publisher"],
        published=published,
        url=row.get("url", ""),
    )


def ordered_record(record):
    """A frozen record's rows by table, in the package's order of tables and columns (what
    the API gives: PostgreSQL's jsonb keeps no order)."""
    return {
        table.name: [
            {name: row.get(name, "") for name in table.fields} for row in record[table.name]
        ]
        for table in package.TABLES
        if table.name in record
    }


def linked_table(model, name):
    """The frozen table that a row's field `name` names a record of (None: not a link)."""
    try:
        return TABLES_BY_MODEL.get(model._meta.get_field(name).related_model)
    except FieldDoesNotExist:
        return None


def label(table, row):
    """What a page calls a frozen record: an outcome's reference and title, else its name."""
    if table.model is Outcome:
        return f"{row['reference']}. {row['title']}"
    return row.get("name") or row.get("title") or ""


def with_labels(record, tables):
    """`record` with "labels": {table: {key: label}} of every record its rows name, so that
    its page names them (as they were) without the whole frozen copy."""
    labels: dict[str, dict[str, str]] = {}
    for name, rows in record.items():
        for row in rows:
            for field_name, value in row.items():
                target = linked_table(TABLES_BY_NAME[name].model, field_name)
                if target and (named := tables[target.name].get(value)):
                    labels.setdefault(target.name, {})[value] = label(target, named)
    return {**record, "labels": labels}


def records_by_outcome(tables):
    """{record_key(slug): {table: [row]}}: each outcome's record in frozen tables: its own
    row, the rows that name it (places, organizations, figures…), its source, its later
    reports and their figures."""
    found = {
        slug: {"outcomes": [row], "sources": [tables["sources"][row["source"]]]}
        for slug, row in tables["outcomes"].items()
    }
    for table in package.TABLES:
        if "outcome" not in table.fields:
            continue
        for row in tables.get(table.name, {}).values():
            if (record := found.get(row["outcome"])) is None:
                continue
            if table.name == "later_report_outcomes":
                report = tables["later_reports"][row["laterreport"]]
                record.setdefault("later_reports", []).append(report)
                figures = tables["later_report_figures"].values()
                if shown := [row for row in figures if row["report"] == report["url"]]:
                    record.setdefault("later_report_figures", []).extend(shown)
            else:
                record.setdefault(table.name, []).append(row)
    return {record_key(slug): with_labels(record, tables) for slug, record in found.items()}


def records_by_organization(tables):
    """{record_key(slug): {table: [row]}}: each organization's record in frozen tables: its
    own row and the outcomes it took part in (participations), in the document's order."""
    found = {slug: {"organizations": [row]} for slug, row in tables["organizations"].items()}
    for row in tables["participations"].values():
        found[row["organization"]].setdefault("participations", []).append(row)
    return {record_key(slug): with_labels(record, tables) for slug, record in found.items()}


def record_now(outcome):
    """The outcome's record as a release would freeze it now, as records_by_outcome gives
    it: a query per table of the record."""
    found = {}
    for table in package.TABLES:
        if table.model is Outcome:
            records = table.records().filter(pk=outcome.pk)
        elif table.model is Source:
            records = table.records().filter(pk=outcome.source_id)
        elif table.name == "later_reports":
            records = table.records().filter(outcomes=outcome)
        elif table.name == "later_report_figures":
            records = table.records().filter(report__outcomes=outcome)
        elif "outcome" in table.fields and table.name != "later_report_outcomes":
            records = table.records().filter(outcome=outcome)
        else:
            continue
        header, *rows = package.rows(table, records)
        if rows:
            found[table.name] = [dict(zip(header, row, strict=True)) for row in rows]
    return found


def changed_since(frozen, now):
    """What differs between an outcome's frozen record and today's: the labels of its own
    fields that changed and of the kinds of rows that did (a save alone is no change)."""
    before, after = frozen["outcomes"][0], now["outcomes"][0]
    own = differing(TABLES_BY_NAME["outcomes"], before, after)
    labels = [field_label(Outcome, name) for name, _, _ in own]
    for table in package.TABLES:  # rows as a set: an order they keep is a field (position)
        if table.model is not Outcome and as_set(frozen, table) != as_set(now, table):
            labels.append(table_label(table, plural=True))
    return labels


def as_set(record, table):
    return sorted(json.dumps(row, sort_keys=True) for row in record.get(table.name, []))


# Not shown on a record's page as of a release: when it was saved, the rows' order (shown
# by the order itself).
HIDDEN = BOOKKEEPING | {"position"}


def shown_value(model, name, value):
    """(text, its language) of a frozen value: a choice or a yes/no in the page's language
    (its language then left to the page, ""); else the value, in Chinese or English."""
    found = model._meta.get_field(name)
    if found.choices:
        return dict(found.flatchoices).get(value, value), ""
    if isinstance(found, models.BooleanField):
        return (gettext("Yes") if value == "true" else gettext("No")), ""
    return value, "zh-Hans" if "_zh" in name else "en"  # name_zh, its page's title…


def frozen(record, name, number):
    """A frozen record of table `name` (records_by_outcome, records_by_organization) for a
    page: ([(field label, value, link, language)] of its own fields, [FrozenPart] of its
    rows). Values that name a record show its label; an outcome or organization links to its
    page as of the same release. The record itself is not named again in its rows."""
    labels, key = record.get("labels", {}), next(iter(TABLES_BY_NAME[name].primary_key))

    def values(table, row):  # in the package's order (PostgreSQL's jsonb keeps no order)
        shown = []
        for field_name in table.fields:
            value = row.get(field_name)
            target = linked_table(table.model, field_name)
            if not value or field_name in HIDDEN or (field_name == key and table.name == name):
                continue
            if target and target.name == name and value == record[name][0][key]:
                continue
            address = ""
            if target and target.name in AS_OF:
                address = f"{reverse(AS_OF[target.name], args=[value])}?release={number}"
            if target:
                value, lang = labels.get(target.name, {}).get(value, value), "en"
            else:
                value, lang = shown_value(table.model, field_name, value)
            shown.append((field_label(table.model, field_name), value, address, lang))
        return shown

    parts = [
        FrozenPart(
            table_label(table, True), [values(table, row) for row in in_order(record, table, name)]
        )
        for table in package.TABLES
        if table.name != name and table.name in record
    ]
    return values(TABLES_BY_NAME[name], record[name][0]), parts


def in_order(record, table, name):
    """A frozen record's rows of `table`: an outcome's in the package's order where its rows
    hold it, else by their key (positions as numbers); else as frozen (the document's)."""
    rows = record[table.name]
    if name != "outcomes":
        return rows
    fields = [f for f in table.order if f in table.fields] + list(table.primary_key)

    def key(row):
        return [
            (0, int(v), "") if v.isdigit() else (1, 0, v) for v in (row.get(f, "") for f in fields)
        ]

    return sorted(rows, key=key)


def coverage(tables):
    """(first day, last day, [country names]) of what frozen tables hold: from the sources'
    and the later reports' dates, and the countries outcomes name."""
    days = sorted(
        row["published"]
        for name in ("sources", "later_reports")
        for row in tables.get(name, {}).values()
        if row.get("published")
    )
    countries = tables["countries"]
    named = sorted({countries[row["country"]]["name"] for row in tables["places"].values()})
    if not days:
        return None, None, named
    return date.fromisoformat(days[0]), date.fromisoformat(days[-1]), named


def release_downloads(release):
    """A release's files, for its schema.org and DCAT descriptions: [(name, address, media
    type)]: the zip, its descriptor, each table's CSV, the citation file."""
    described = {
        "datapackage.zip": "The release's data package (Frictionless Data Package, zip)",
        "datapackage.json": "Its descriptor (datapackage.json)",
        **{table.path: f"Its table {table.name} (CSV)" for table in package.TABLES},
        CITATION: "Its citation file (CITATION.cff)",
    }
    media = {**package.FILES, CITATION: "application/x-yaml"}
    return [
        (name, reverse("downloads:release_file", args=[release.number, file]), media[file])
        for file, name in described.items()
    ]
