"""The whole catalogue as a Frictionless Data Package: a CSV file per table,
datapackage.json describing them (Table Schemas, keys, licence, sources, version,
each file's size and sha256), and the same files as one zip.

TABLES is the one definition of the package. A column's type, constraints and
meaning come from its model field (help text, choices), so the package, the
/data/ page and `manage.py load_datapackage` read the same definitions. Records
are named by their keys, never by database ids: an outcome by its slug (its
reference, “I.3”, is unique only within its source), an organization, category,
region or source by its slug, a country by its ISO code.

The files are written once per data version, on the first request for one of
them, into settings.DATA_PACKAGE_DIR (shared by a host's workers; the last few
versions are kept), and then served from there: a repeated download costs what a
kept page costs, the data version's read, and sends a file.
"""

import csv
import hashlib
import io
import json
import shutil
import tempfile
import time
import zipfile
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, connection, models, transaction
from django.utils import translation
from django.utils.text import capfirst

from outcomes import routing
from outcomes.history import LOADED
from outcomes.models import (
    Category,
    Country,
    Figure,
    Membership,
    Mention,
    Organization,
    Outcome,
    Participation,
    Programme,
    Reach,
    Region,
    Source,
)
from outcomes.versioning import RELEASE, current_version

# The field that names a record of each model in the package.
KEYS = {
    Source: "slug",
    Category: "slug",
    Country: "code",
    Region: "slug",
    Organization: "slug",
    Outcome: "slug",
}

Places = Outcome.countries.through

# Rows about an outcome are listed in the order of the outcomes.
BY_OUTCOME = ("outcome__source__slug", "outcome__position", "outcome__slug")


@dataclass(frozen=True)
class Table:
    name: str
    model: Any
    fields: tuple
    primary_key: tuple
    order: tuple
    description: str = ""

    @property
    def path(self):
        return f"{self.name}.csv"

    def meaning(self):
        """What a row is: the description, or the model's docstring's first paragraph."""
        return self.description or " ".join(self.model.__doc__.split("\n\n")[0].split())


def chinese(*names):
    """The columns of a models.Translated record's Chinese: `<name>_zh`, and its credits."""
    return (*(f"{name}_zh" for name in names), "translated_by", "translation_reviewed")


TABLES = (
    Table(
        "sources",
        Source,
        ("slug", "title", "publisher", "published", "url", "note"),
        ("slug",),
        ("slug",),
    ),
    Table(
        "categories",
        Category,
        ("slug", "numeral", "order", "name", "description", *chinese("name", "description")),
        ("slug",),
        ("order",),
    ),
    Table(
        "countries",
        Country,
        ("code", "name", "name_zh", "common_name", "aliases", "numeric", "continent"),
        ("code",),
        ("code",),
        "ISO 3166-1 countries: every country, named by an outcome or not.",
    ),
    Table(
        "regions",
        Region,
        ("slug", "name", "kind", "description", *chinese("name", "description")),
        ("slug",),
        ("slug",),
    ),
    Table(
        "memberships",
        Membership,
        ("region", "country", "since", "until", "note"),
        ("region", "country", "since"),
        ("region__slug", "country__code", "since"),
    ),
    Table(
        "organizations",
        Organization,
        (
            "slug",
            "name",
            "acronym",
            "aliases",
            "type",
            "country",
            "membership",
            "founded_by",
            *chinese("name"),
        ),
        ("slug",),
        ("slug",),
    ),
    Table(
        "outcomes",
        Outcome,
        (
            "slug",
            "source",
            "reference",
            "category",
            "title",
            "text",
            "status",
            "plans",
            "year",
            "scope",
            "updated",
            *chinese("title", "text"),
        ),
        ("slug",),
        ("source__slug", "position", "slug"),
        "One item of a source document. Its slug is its key; its reference (“I.3”) is "
        "unique only within its source: (source, reference) names it too.",
    ),
    Table(
        "places",
        Places,
        ("outcome", "country"),
        ("outcome", "country"),
        (*BY_OUTCOME, "country__code"),
        str(Outcome._meta.get_field("countries").help_text),
    ),
    Table(
        "reaches",
        Reach,
        ("outcome", "region", "kind", "words"),
        ("outcome", "region"),
        (*BY_OUTCOME, "region__slug"),
    ),
    Table(
        "mentions",
        Mention,
        ("outcome", "country", "region", "words", "reason"),
        ("outcome", "words"),
        (*BY_OUTCOME, "pk"),
    ),
    Table(
        "participations",
        Participation,
        ("outcome", "organization", "role", "position"),
        ("outcome", "organization"),
        (*BY_OUTCOME, "position", "organization__slug"),
    ),
    Table(
        "figures",
        Figure,
        (
            "outcome",
            "position",
            "kind",
            "value",
            "qualifier",
            "currency",
            "currency_assumed",
            "unit",
            "unit_zh",
            "words",
        ),
        ("outcome", "position"),
        (*BY_OUTCOME, "position"),
    ),
    Table(
        "programmes",
        Programme,
        ("outcome", "name", "name_zh", "position"),
        ("outcome", "name"),
        (*BY_OUTCOME, "position", "name"),
    ),
)
TABLE_OF = {table.model: table for table in TABLES}

FILES = {
    "datapackage.json": "application/json",
    "datapackage.zip": "application/zip",
    **{table.path: "text/csv; charset=utf-8" for table in TABLES},
}

TYPES = {
    "CharField": "string",
    "SlugField": "string",
    "TextField": "string",
    "URLField": "string",
    "DateField": "date",
    "DateTimeField": "datetime",
    "BooleanField": "boolean",
    "IntegerField": "integer",
    "PositiveIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
}

POSITIVE = (
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def _target(field):
    """The model a column names a record of, or None."""
    return field.related_model if field.is_relation else None


def _type(field):
    if isinstance(field, models.DecimalField):
        return "integer" if field.decimal_places == 0 else "number"
    return TYPES[field.get_internal_type()]


def schema_field(table, name):
    """The Table Schema field descriptor of a column, from its model field."""
    field = table.model._meta.get_field(name)
    target = _target(field)
    base = target._meta.get_field(KEYS[target]) if target else field
    meaning = str(field.help_text) or f"{capfirst(field.verbose_name)}."
    if target:
        meaning += f" By its {KEYS[target]} in the {TABLE_OF[target].name} table."
    constraints = {}
    if not (field.null or field.blank):
        constraints["required"] = True
    if field.choices:
        constraints["enum"] = [value for value, _ in field.choices]
        meaning += " One of: " + ", ".join(
            value if str(label) == value else f"{value} ({label})" for value, label in field.choices
        )
        meaning += "."
    if isinstance(base, models.CharField) and base.max_length:
        constraints["maxLength"] = base.max_length
    # The validators the field declares (its validators also hold the database's ranges).
    for validator in base.deconstruct()[3].get("validators", []):
        if isinstance(validator, MinValueValidator):
            constraints["minimum"] = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            constraints["maximum"] = validator.limit_value
    if isinstance(base, POSITIVE):
        constraints.setdefault("minimum", 0)
    descriptor = {
        "name": name,
        "title": capfirst(str(field.verbose_name)),
        "type": _type(base),
        "description": meaning,
    }
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def schema(table):
    foreign_keys = []
    for name in table.fields:
        target = _target(table.model._meta.get_field(name))
        if target:
            resource = "" if target is table.model else TABLE_OF[target].name
            foreign_keys.append(
                {"fields": [name], "reference": {"resource": resource, "fields": [KEYS[target]]}}
            )
    return {
        "fields": [schema_field(table, name) for name in table.fields],
        "primaryKey": list(table.primary_key),
        "foreignKeys": foreign_keys,
    }


# Writing -----------------------------------------------------------------------------------


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
    return str(value)


def rows(table):
    """The header and the rows of a table, as text: one query."""
    lookups = []
    for name in table.fields:
        field = table.model._meta.get_field(name)
        target = _target(field)
        lookups.append(f"{name}__{KEYS[target]}" if target else field.attname)
    yield list(table.fields)
    queryset = table.model._base_manager.order_by(*table.order).values_list(*lookups)
    for row in queryset.iterator(chunk_size=2000):
        yield [_text(value) for value in row]


@contextmanager
def snapshot():
    """One consistent state of the data for every query inside: a transaction, on
    PostgreSQL at REPEATABLE READ (at READ COMMITTED, each query sees later commits)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def descriptor(version, changed, sources, files):
    """datapackage.json. `files`: the tables' file paths, written."""
    return {
        "profile": "tabular-data-package",
        "name": "sironet-outcomes-catalogue",
        "title": "SIRONET Outcomes Catalogue",
        "description": "The cooperation outcomes that members of the Silk Road NGO "
        "Cooperation Network (SIRONET) published, with the organizations, countries, "
        "groupings, figures and programmes each names, as the catalogue holds them. "
        + settings.CATALOGUE_LICENSE_NOTE,
        "version": str(version),
        "created": changed.astimezone(UTC).isoformat(),
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
                "bytes": files[table.path].stat().st_size,
                "hash": f"sha256:{sha256(files[table.path])}",
                "schema": schema(table),
            }
            for table in TABLES
        ],
    }


def write(folder):
    """Write the package of the data as it is now into `folder`: each table's CSV file,
    datapackage.json, and datapackage.zip holding them all. A query per table, and two
    more (the version, the sources), in one snapshot. Returns (version, changed)."""
    folder = Path(folder)
    with snapshot():
        version, changed = current_version()
        files = {}
        for table in TABLES:
            files[table.path] = folder / table.path
            with open(files[table.path], "w", encoding="utf-8", newline="") as stream:
                csv.writer(stream).writerows(rows(table))
        sources = list(Source.objects.order_by("slug"))
    with open(folder / "datapackage.json", "w", encoding="utf-8") as stream:
        json.dump(
            descriptor(version, changed, sources, files), stream, ensure_ascii=False, indent=2
        )
        stream.write("\n")
    # The same bytes for the same version on any host: members dated by the data's time.
    moment = changed.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(folder / "datapackage.zip", "w") as archive:
        for name in ["datapackage.json", *files]:
            member = zipfile.ZipInfo(name, date_time=moment)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            with open(folder / name, "rb") as source, archive.open(member, "w") as target:
                shutil.copyfileobj(source, target)
    return version, changed


# Packages kept in DATA_PACKAGE_DIR: the newest few versions' folders.
KEPT_VERSIONS = 3
# A folder still being written after this long was left by a process that stopped.
ABANDONED_AFTER = 3600


def _name(version, changed):
    # The time of the change tells apart a restored or re-seeded database's repeated
    # version numbers; the release, another release's format.
    return f"v{version}-{int(changed.timestamp() * 1_000_000):x}-{RELEASE}"


def ready(version, changed):
    """(folder, version) of the package of this data version (as versioning.versioned
    read it), written if it is missing: then of the version the writing reads, which
    may be newer. No query when it is there."""
    root = Path(settings.DATA_PACKAGE_DIR)
    folder = root / _name(version, changed)
    if folder.is_dir():
        return folder, version
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".writing-", dir=root))
    try:
        # In English, whichever page asked; from the primary, its own snapshot.
        with translation.override("en"), routing.primary():
            version, changed = write(work)
        folder = root / _name(version, changed)
        try:
            work.rename(folder)
        except OSError:
            if not folder.is_dir():  # else another worker wrote the same version first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    prune(root)
    return folder, version


def prune(root):
    """Keep the newest KEPT_VERSIONS packages (a download already open keeps its file)."""
    now = time.time()
    kept = sorted(
        (path for path in root.iterdir() if path.is_dir() and path.name.startswith("v")),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    abandoned = [
        path for path in root.glob(".writing-*") if now - path.stat().st_mtime > ABANDONED_AFTER
    ]
    for path in kept[KEPT_VERSIONS:] + abandoned:
        shutil.rmtree(path, ignore_errors=True)


# Loading --------------------------------------------------------------------------------


class PackageError(Exception):
    """A package that cannot be loaded; the message says why, and where."""


@contextmanager
def package_files(path):
    """read(name) -> bytes of a file of the package at `path`: its zip, its folder, or
    its datapackage.json."""
    path = Path(path)
    if not path.exists():
        raise PackageError(
            f"There is no {path}. Give the package's zip file (datapackage.zip, downloaded "
            "from the catalogue's /data/ page), its folder, or its datapackage.json."
        )
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:

            def read(name):
                try:
                    return archive.read(name)
                except KeyError:
                    raise PackageError(f"{path} holds no {name}.") from None

            yield read
        return
    folder = path if path.is_dir() else path.parent

    def read(name):
        try:
            return (folder / name).read_bytes()
        except OSError as error:
            raise PackageError(f"Cannot read {name}: {error.strerror}.") from None

    yield read


def table_texts(read):
    """{table name: its CSV text}, each checked against datapackage.json's size and sha256."""
    try:
        package = json.loads(read("datapackage.json"))
        resources = {resource["name"]: resource for resource in package["resources"]}
    except (ValueError, KeyError, TypeError) as error:
        raise PackageError(
            f"datapackage.json is not a data package descriptor ({error})."
        ) from None
    texts = {}
    for table in TABLES:
        resource = resources.get(table.name)
        if resource is None:
            raise PackageError(f"datapackage.json has no “{table.name}” resource.")
        if resource.get("path") != table.path:
            raise PackageError(f"The “{table.name}” resource must be the file {table.path}.")
        content = read(table.path)
        expected = resource.get("hash", "")
        if expected != f"sha256:{hashlib.sha256(content).hexdigest()}":
            raise PackageError(
                f"{table.path} is not the file datapackage.json describes (its sha256 differs)."
            )
        texts[table.name] = content.decode("utf-8")
    return texts


# As _text writes them (Django's BooleanField reads "True" and "False", not these).
BOOLEANS = {"true": True, "false": False}


def _value(field, cell):
    if cell == "":
        text = isinstance(field, models.CharField | models.TextField)
        return "" if text and not field.null else None
    if isinstance(field, models.BooleanField) and cell in BOOLEANS:
        return BOOLEANS[cell]
    return field.to_python(cell)


class Loader:
    """Saves a package's rows as an editor's saves would (history, derived fields)."""

    def __init__(self):
        self.known = defaultdict(dict)  # model -> {key: record}
        self.counts = {}

    def record(self, field, cell, where):
        """The record a cell names by its key, loaded before (or None for an empty cell)."""
        if not cell:
            return None
        target = _target(field)
        try:
            return self.known[target][cell]
        except KeyError:
            raise PackageError(
                f"{where}: {field.name}: no {TABLE_OF[target].name} record “{cell}”."
            ) from None

    def values(self, fields, row, where):
        """The row's values by field name, but links to records of its own table."""
        values = {}
        for field in fields:
            cell = row[field.name] or ""
            if _target(field) is field.model:
                continue
            if _target(field):
                values[field.name] = self.record(field, cell, where)
                continue
            try:
                values[field.name] = _value(field, cell)
            except ValidationError as error:
                raise PackageError(f"{where}: {field.name}: {' '.join(error.messages)}") from None
        return values

    def load(self, table, text):
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames != list(table.fields):
            raise PackageError(f"{table.path}: the columns must be {', '.join(table.fields)}.")
        model = table.model
        fields = [model._meta.get_field(name) for name in table.fields]
        own = [field for field in fields if _target(field) is model]
        stamps = [field for field in fields if getattr(field, "auto_now", False)]
        later, stamped, places = [], [], defaultdict(list)
        count = 0
        for count, row in enumerate(reader, start=1):
            where = f"{table.path} row {count + 1}"
            values = self.values(fields, row, where)
            if model is Places:  # set per outcome, as a form does (its history records it)
                places[values["outcome"]].append(values["country"])
                continue
            instance = model(**values)
            self.save(instance, where)
            if model in KEYS:
                self.known[model][getattr(instance, KEYS[model])] = instance
            later.extend((instance, field, row[field.name], where) for field in own)
            for field in stamps:  # saving set it to now: put back the package's time
                setattr(instance, field.attname, values[field.name])
            if stamps:
                stamped.append(instance)
        for outcome, countries in places.items():
            outcome.countries.set(countries)
        for instance, field, cell, where in later:
            if cell:
                setattr(instance, field.name, self.record(field, cell, where))
                instance.save(update_fields=[field.name])
        if stamped:
            model._base_manager.bulk_update(stamped, [f.name for f in stamps], batch_size=500)
        self.counts[table.name] = count

    def save(self, instance, where):
        # Links were found above, saving works out the fields it derives, and the
        # database checks uniqueness (a failure rolls the whole load back).
        exclude = [f.name for f in instance._meta.fields if f.is_relation or not f.editable]
        # Its history (and that of its places, set later) says so: loading is not a correction.
        instance._change_reason = LOADED
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise PackageError(f"{where}: {' '.join(error.messages)}") from None
        try:
            instance.save()
        except IntegrityError as error:
            raise PackageError(f"{where}: {error}") from None


def load(path):
    """Fill an empty catalogue with the package at `path` (its zip, its folder or its
    datapackage.json); return {table name: rows}.

    One transaction: a package with any error loads nothing. Each record is saved as
    an editor's save would be (with its history, and the fields saving works out); the
    search documents are rebuilt and the data version bumped once, when it commits
    (outcomes/signals.py).
    """
    with package_files(path) as read:
        texts = table_texts(read)
    with transaction.atomic():
        filled = [table.name for table in TABLES if table.model._base_manager.exists()]
        if filled:
            raise PackageError(
                f"The catalogue is not empty (it has {', '.join(filled)}): a package is "
                "loaded into a database that has been migrated and not seeded."
            )
        loader = Loader()
        for table in TABLES:
            loader.load(table, texts[table.name])
    return loader.counts
