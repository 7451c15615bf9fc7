"""The catalogue as a Frictionless Data Package (docs/reuse.md, "The data package"): TABLES,
from outcomes/record.py and the models, defines the files, /data/ and `load_datapackage`."""

import csv
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.text import capfirst

from edge import routing
from edge.pages import RELEASE
from outcomes import record
from outcomes.dataversion import current_version
from outcomes.models import (
    Category,
    Country,
    LaterReport,
    Membership,
    Organization,
    Outcome,
    Region,
    ReportFigure,
    Source,
)

logger = logging.getLogger(__name__)

Places = Outcome.countries.through
Reported = LaterReport.outcomes.through  # a later report's outcomes

BY_OUTCOME = ("outcome__source__slug", "outcome__position", "outcome__slug")


@dataclass(frozen=True)
class Table:
    name: str
    model: Any
    fields: tuple
    primary_key: tuple
    order: tuple
    description: Any = ""
    public: Any = None  # () -> the rows published, when not all are

    def records(self):
        return self.public() if self.public else self.model._base_manager.all()

    @property
    def path(self):
        return f"{self.name}.csv"

    def meaning(self):  # else the model's docstring's first paragraph
        return str(self.description) or " ".join(self.model.__doc__.split("\n\n")[0].split())


def outcome_tables():
    """The outcomes table, and one per field of the record drawn from its rows or places."""
    columns = [
        name
        for f in record.FIELDS
        for name in f.publishes.get(Outcome, ())
        if not Outcome._meta.get_field(name).many_to_many
    ]
    tables = [
        Table(
            "outcomes",
            Outcome,
            ("slug", *(name for name in columns if name != "slug")),
            ("slug",),
            ("source__slug", "position", "slug"),
            "One item of a source document. Its slug is its key; its reference (“I.3”) is "
            "unique only within its source: (source, reference) names it too.",
        )
    ]
    for f in record.FIELDS:
        if f.table and f.publishes.keys() == {Outcome}:  # the outcome's own links to countries
            pair, about = ("outcome", "country"), Outcome.countries.field.help_text
            tables.append(Table(f.table, Places, pair, pair, (*BY_OUTCOME, "country__code"), about))
        if LaterReport in f.publishes:
            tables += later_report_tables(f)
            continue
        for model in f.publishes.keys() - {Outcome}:
            ordered = any(field.name == "position" for field in model._meta.fields)
            # The row's key: what it is unique by within its outcome.
            (key,) = [
                tuple(constraint.fields)
                for constraint in model._meta.constraints
                if isinstance(constraint, models.UniqueConstraint)
                and constraint.fields[:1] == ("outcome",)
            ]
            fields = ("outcome", *(("position",) if ordered else ()), *f.publishes[model])
            order = (*BY_OUTCOME, "position" if ordered else "pk")
            tables.append(Table(f.table, model, fields, key, order))
    return tables


def later_report_tables(f):
    """The reviewed later reports of the record's field `f`, their outcomes and figures."""
    fields = [name for name in f.publishes[LaterReport] if name not in ("url", "outcomes")]
    reviewed = LaterReport.objects.reviewed
    pair = ("laterreport", "outcome")
    return [
        Table(f.table, LaterReport, ("url", *fields), ("url",), ("published", "url"), "", reviewed),
        Table(
            "later_report_outcomes",
            Reported,
            pair,
            pair,
            ("laterreport__published", "laterreport__url", *BY_OUTCOME),
            "The outcomes a later report concerns: a row for each report (by its address) "
            "and outcome.",
            lambda: Reported.objects.filter(laterreport__in=reviewed()),
        ),
        Table(
            "later_report_figures",
            ReportFigure,
            ("report", "position", *f.publishes[ReportFigure]),
            ("report", "position"),
            ("report__published", "report__url", "position"),
            "",
            lambda: ReportFigure.objects.filter(report__in=reviewed()),
        ),
    ]


# A models.Translated record's credits for its Chinese, published after the Chinese.
CREDITS = ("translated_by", "translation_reviewed")


def named(name, model, key=("slug",), order=(), description="", first=()):
    """A record outcomes name: its fields but record.PRIVATE's, `first` (or its key) first,
    then the English, the Chinese (`<name>_zh`) and its credits."""
    first = first or key
    fields = [f.name for f in model._meta.concrete_fields if f.name not in record.PRIVATE[model]]
    fields.sort(key=lambda name: (name not in first, name in CREDITS, name.endswith("_zh")))
    return Table(name, model, tuple(fields), key, order or key, description)


TABLES = (
    named(
        "countries",
        Country,
        ("code",),
        description="ISO 3166-1 countries: every country, named by an outcome or not.",
        first=("code", "name", "name_zh"),
    ),
    named("sources", Source),  # after the countries: its members' own side is one
    named("categories", Category, order=("order",)),
    named("regions", Region),
    named(
        "memberships",
        Membership,
        ("region", "country", "since"),
        ("region__slug", "country__code", "since"),
    ),
    named("organizations", Organization),
    *outcome_tables(),
)
# A record is named by its table's key, never by a database id (docs/reuse.md).
KEYS = {table.model: table.primary_key[0] for table in TABLES if len(table.primary_key) == 1}
TABLE_OF = {table.model: table for table in TABLES}

FILES = {
    "datapackage.json": "application/json",
    "datapackage.zip": "application/zip",
    **{table.path: "text/csv; charset=utf-8" for table in TABLES},
}

TYPES = {
    **dict.fromkeys(["CharField", "SlugField", "TextField"], "string"),
    "DateField": "date",
    "DateTimeField": "datetime",
    "BooleanField": "boolean",
}


def _type(field):
    if isinstance(field, models.DecimalField):
        return "integer" if field.decimal_places == 0 else "number"
    kind = field.get_internal_type()
    return "integer" if kind.endswith("IntegerField") else TYPES[kind]


def schema_field(table, name):
    field = table.model._meta.get_field(name)
    named = field.related_model
    base = named._meta.get_field(KEYS[named]) if named else field
    meaning = str(field.help_text) or f"{capfirst(field.verbose_name)}."
    if named:
        meaning += f" By its {KEYS[named]} in the {TABLE_OF[named].name} table."
    constraints: dict[str, Any] = {}
    if not (field.null or field.blank):
        constraints["required"] = True
    if field.choices:
        constraints["enum"] = [value for value, _ in field.choices]
        choices = (v if str(label) == v else f"{v} ({label})" for v, label in field.choices)
        meaning += f" One of: {', '.join(choices)}."
    if isinstance(base, models.CharField) and base.max_length:
        constraints["maxLength"] = base.max_length
    # The validators the field declares (its validators also hold the database's ranges).
    for validator in base.deconstruct()[3].get("validators", []):
        if isinstance(validator, MinValueValidator):
            constraints["minimum"] = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            constraints["maximum"] = validator.limit_value
    if base.get_internal_type().startswith("Positive"):
        constraints.setdefault("minimum", 0)
    return {
        "name": name,
        "title": capfirst(str(field.verbose_name)),
        "type": _type(base),
        "description": meaning,
        **({"constraints": constraints} if constraints else {}),
    }


def schema(table):
    foreign_keys = []
    for name in table.fields:
        named = table.model._meta.get_field(name).related_model
        if named:
            resource = "" if named is table.model else TABLE_OF[named].name
            foreign_keys.append(
                {"fields": [name], "reference": {"resource": resource, "fields": [KEYS[named]]}}
            )
    return {
        "fields": [schema_field(table, name) for name in table.fields],
        "primaryKey": list(table.primary_key),
        "foreignKeys": foreign_keys,
    }


def _text(value):
    """A cell as the Table Schema types read it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    # Text a spreadsheet would run as a formula is written as text, as every download
    # writes it (record.escape_formula); the loader reads it back unchanged.
    return record.escape_formula(str(value)) if isinstance(value, str) else str(value)


def rows(table, records=None):
    """The header and the rows of a table (or of `records`, some of its records), as text:
    one query."""
    fields = [table.model._meta.get_field(name) for name in table.fields]
    lookups = [f"{f.name}__{KEYS[f.related_model]}" if f.is_relation else f.attname for f in fields]
    yield list(table.fields)
    records = table.records() if records is None else records
    queryset = records.order_by(*table.order).values_list(*lookups)
    for row in queryset.iterator(chunk_size=2000):
        yield [_text(value) for value in row]


def sha256(path):
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


TITLE = "SIRONET Outcomes Catalogue"


def descriptor(version, sources, folder):
    """datapackage.json, of the tables' files written into `folder`."""
    return {
        "profile": "tabular-data-package",
        "name": "sironet-outcomes-catalogue",
        "title": TITLE,
        "description": "The cooperation outcomes that members of the Silk Road NGO "
        "Cooperation Network (SIRONET) published, with the organizations, countries, "
        "groupings, figures and programmes each names, as the catalogue holds them. "
        + settings.CATALOGUE_LICENSE_NOTE,
        "version": str(version.number),
        "created": version.changed.astimezone(UTC).isoformat(),
        "licenses": [settings.CATALOGUE_LICENSE],
        "sources": [
            {
                "title": f"{source.publisher}: {source.title}",
                **({"path": source.url} if source.url else {}),
            }
            for source in sources
        ],
        "resources": [
            {
                "name": table.name,
                "path": table.path,
                "profile": "tabular-data-resource",
                "title": capfirst(str(table.model._meta.verbose_name_plural)),
                "description": table.meaning(),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": (folder / table.path).stat().st_size,
                "hash": f"sha256:{sha256(folder / table.path)}",
                "schema": schema(table),
            }
            for table in TABLES
        ],
    }


def write(folder):
    """Write the package of the data as it is now into `folder` (a query per table, the
    version and the sources); return the Version written."""
    folder, outermost = Path(folder), not connection.in_atomic_block
    # One state of the data for every query: at READ COMMITTED, each sees later commits.
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        version = current_version()
        for table in TABLES:
            with open(folder / table.path, "w", encoding="utf-8", newline="") as stream:
                csv.writer(stream).writerows(rows(table))
        sources = list(Source.objects.order_by("slug"))
    with open(folder / "datapackage.json", "w", encoding="utf-8") as stream:
        json.dump(descriptor(version, sources, folder), stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    archive(folder, version.changed)
    return version


def archive(folder, moment, extra=()):
    """datapackage.zip of the files in `folder`. The same bytes for the same data on any
    host: its members are dated `moment` (the data's time)."""
    moment = moment.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(folder / "datapackage.zip", "w") as archive:
        for name in ["datapackage.json", *(table.path for table in TABLES), *extra]:
            member = zipfile.ZipInfo(name, date_time=moment)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            with open(folder / name, "rb") as source, archive.open(member, "w") as target:
                shutil.copyfileobj(source, target)


KEPT_VERSIONS = 3  # packages kept in DATA_PACKAGE_DIR
# A folder still being written after this long was left by a process that stopped.
ABANDONED_AFTER = 3600


def folder_name(version):
    # The time of the change tells apart a restored or re-seeded database's repeated
    # version numbers; the release, another release's format.
    return f"v{version.number}-{int(version.changed.timestamp() * 1_000_000):x}-{RELEASE}"


def folder_of(version):  # None until written
    folder = Path(settings.DATA_PACKAGE_DIR) / folder_name(version)
    return folder if folder.is_dir() else None


def newest():
    """(folder, version number) of the newest package written by this release of the code,
    else by any (a worker not yet restarted with the app servers), or None."""
    root = Path(settings.DATA_PACKAGE_DIR)
    found = []
    for path in root.glob("v*-*") if root.is_dir() else ():
        digits = path.name[1:].split("-", 1)[0]
        if digits.isdigit() and path.is_dir():
            ours = path.name.endswith(f"-{RELEASE}")
            found.append((ours, path.stat().st_mtime, int(digits), path))
    if not found:
        return None
    *_, number, path = max(found)
    return path, number


def write_current():
    """Write the current data version's package (from the primary, in English); its folder."""
    root = Path(settings.DATA_PACKAGE_DIR)
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".writing-", dir=root))
    try:
        with translation.override("en"), routing.primary():
            version = write(work)
        folder = root / folder_name(version)
        try:
            work.rename(folder)
        except OSError:
            if not folder.is_dir():  # else another process wrote the same version first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # The newest KEPT_VERSIONS packages are kept (a download already open keeps its file).
    versions = [path for path in root.iterdir() if path.is_dir() and path.name.startswith("v")]
    stale = time.time() - ABANDONED_AFTER
    abandoned = [path for path in root.glob(".writing-*") if os.path.getmtime(path) < stale]
    for path in sorted(versions, key=os.path.getmtime)[:-KEPT_VERSIONS] + abandoned:
        shutil.rmtree(path, ignore_errors=True)
    return folder


# After writing failed (a folder that cannot be written), how long until the next try.
RETRY_SECONDS = 60


class WritePackage:
    """A worker job: the package of each new data version, written once."""

    retry_at = 0.0

    def __call__(self):
        if time.monotonic() < self.retry_at or folder_of(current_version()) is not None:
            return
        try:
            folder = write_current()
        except Exception:
            self.retry_at = time.monotonic() + RETRY_SECONDS
            raise
        logger.info("Wrote the data package %s.", folder.name)
