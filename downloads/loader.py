"""`manage.py load_datapackage`: a data package (downloads/package.py) into an empty
catalogue, in one transaction (docs/reuse.md, "The data package")."""

import csv
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from downloads.package import KEYS, TABLE_OF, TABLES, Places
from outcomes import record
from outcomes.history import LOADED
from outcomes.models import LaterReport

# A package holds reviewed later reports only, without their editors (record.PRIVATE).
PACKAGE_REVIEWER = "Reviewed in the catalogue the data package was written from"


class PackageError(Exception):
    """A package that cannot be loaded; the message says why, and where."""


def table_texts(path):
    """{table name: its CSV text} of the package at `path` (its zip, its folder or its
    datapackage.json), each file checked against datapackage.json's sha256."""
    path = Path(path)
    if not path.exists():
        raise PackageError(
            f"There is no {path}. Give the package's zip file (datapackage.zip, downloaded "
            "from the catalogue's /data/ page), its folder, or its datapackage.json."
        )
    folder = path if path.is_dir() else path.parent
    with zipfile.ZipFile(path) if zipfile.is_zipfile(path) else nullcontext() as archive:

        def read(name):
            try:
                return archive.read(name) if archive else (folder / name).read_bytes()
            except KeyError:
                raise PackageError(f"{path} holds no {name}.") from None
            except OSError as error:
                raise PackageError(f"Cannot read {name}: {error.strerror}.") from None

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
            if resource.get("hash") != f"sha256:{hashlib.sha256(content).hexdigest()}":
                raise PackageError(
                    f"{table.path} is not the file datapackage.json describes (its sha256 differs)."
                )
            texts[table.name] = content.decode("utf-8")
    return texts


# As _text writes them (Django's BooleanField reads "True" and "False", not these).
BOOLEANS = {"true": True, "false": False}


def _value(field, cell):
    text = isinstance(field, models.CharField | models.TextField)
    if cell == "":
        return "" if text and not field.null else None
    if text:
        cell = record.unescape_formula(cell)  # package.py's escape_formula undone
    if isinstance(field, models.BooleanField) and cell in BOOLEANS:
        return BOOLEANS[cell]
    return field.to_python(cell)


class Loader:
    """Saves a package's rows as an editor's saves would (history, derived fields)."""

    def __init__(self):
        self.known: defaultdict[Any, dict] = defaultdict(dict)  # model -> {key: record}
        self.counts = {}

    def record(self, field, cell, where):
        """The record a cell names by its key, loaded before (None for an empty cell)."""
        if not cell:
            return None
        named = field.related_model
        try:
            return self.known[named][cell]
        except KeyError:
            raise PackageError(
                f"{where}: {field.name}: no {TABLE_OF[named].name} record “{cell}”."
            ) from None

    def values(self, fields, row, where):
        """The row's values by field name, but links to records of its own table."""
        values = {}
        for field in fields:
            cell = row[field.name] or ""
            if field.related_model:
                if field.related_model is not field.model:
                    values[field.name] = self.record(field, cell, where)
                continue
            try:
                values[field.name] = _value(field, cell)
            except ValidationError as error:
                raise PackageError(f"{where}: {field.name}: {' '.join(error.messages)}") from None
        return values

    def load(self, table, text):
        reader = csv.DictReader(io.StringIO(text, newline=""))
        # Read by name: a package whose columns come in another order (an older one) loads.
        if sorted(reader.fieldnames or ()) != sorted(table.fields):
            raise PackageError(f"{table.path}: the columns must be {', '.join(table.fields)}.")
        model = table.model
        fields = [model._meta.get_field(name) for name in table.fields]
        own = [field for field in fields if field.related_model is model]
        stamps = [field for field in fields if getattr(field, "auto_now", False)]
        unchecked = [f.name for f in model._meta.fields if f.is_relation or not f.editable]
        later: list[tuple] = []
        saved: list = []
        places: defaultdict[Any, list] = defaultdict(list)
        count = 0
        for count, row in enumerate(reader, start=1):
            where = f"{table.path} row {count + 1}"
            values = self.values(fields, row, where)
            if model is Places:  # set per outcome, as a form does (its history records it)
                places[values["outcome"]].append(values["country"])
                continue
            instance = model(**values)
            if model is LaterReport:
                instance.reviewed_by_name = PACKAGE_REVIEWER
            # Its history (and that of its places, set later) says so: not a correction.
            instance._change_reason = LOADED
            # Links were found above, saving derives fields, the database checks uniqueness.
            try:
                instance.full_clean(
                    exclude=unchecked, validate_unique=False, validate_constraints=False
                )
                instance.save()
            except ValidationError as error:
                raise PackageError(f"{where}: {' '.join(error.messages)}") from None
            except IntegrityError as error:
                raise PackageError(f"{where}: {error}") from None
            if model in KEYS:
                self.known[model][getattr(instance, KEYS[model])] = instance
            later.extend((instance, field, row[field.name], where) for field in own)
            for field in stamps:  # saving set it to now: put back the package's time
                setattr(instance, field.attname, values[field.name])
            saved.append(instance)
        for outcome, countries in places.items():
            outcome.countries.set(countries)
        for instance, field, cell, where in later:
            if cell:
                setattr(instance, field.name, self.record(field, cell, where))
                instance.save(update_fields=[field.name])
        if stamps:
            model._base_manager.bulk_update(saved, [f.name for f in stamps], batch_size=500)
        self.counts[table.name] = count


def load(path):
    """Fill an empty catalogue with the package at `path`; return {table name: rows}. Search
    and the data version are refreshed once, at commit (outcomes/dataversion.py)."""
    texts = table_texts(path)
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
