"""Loading the catalogue's data into a database without ever overwriting it (`manage.py
seed`; docs/data.md, "Seeding never overwrites")."""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.serializers.base import DeserializationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from outcomes.dataversion import bump_data_version
from outcomes.history import LOADED
from outcomes.models import Country, Organization, Outcome, SeedRecord
from outcomes.places import iso_countries

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "catalogue.json"
# Later reports on the document's outcomes, and the searches for them: a fixture of their
# own, so that catalogue.json stays the document.
LATER = Path(settings.BASE_DIR) / "fixtures" / "later_reports.json"
NAMES = Path(settings.BASE_DIR) / "fixtures" / "names.json"


@dataclass
class SeedReport:
    countries_added: int = 0
    added: Counter = field(default_factory=Counter)
    kept: int = 0
    orphaned: int = 0

    def __str__(self):
        added = ", ".join(f"{count} {label}" for label, count in sorted(self.added.items()))
        text = (
            f"Added {self.countries_added} countries and {added or 'no other records'}; "
            f"left {self.kept} existing records as they were"
        )
        if self.orphaned:
            text += f"; skipped {self.orphaned} that refer to records renamed or deleted since"
        return text + "."


def seed_countries():
    """Create the ISO countries that are missing; of the ones that exist, fill in only a
    Chinese name or aliases that are empty (an editor's are kept)."""
    existing = {country.code: country for country in Country.objects.all()}
    missing, filled = [], []
    for row in iso_countries():
        country = existing.get(row["code"])
        if country is None:
            missing.append(Country(**row))
            continue
        empty = {name: row[name] for name in ("name_zh", "aliases") if not getattr(country, name)}
        if any(empty.values()):
            for name, value in empty.items():
                setattr(country, name, value)
            filled.append(country)
    bulk_create_with_history(missing, Country)  # with their first historical records
    Country.objects.bulk_update(filled, ["name_zh", "aliases"])
    return len(missing) + len(filled)


def fixture_records(fixture):
    """(Each record deserialized, its ledger entry), each read once the one before is saved,
    or None for one that refers to a record renamed or deleted since."""
    with open(fixture, encoding="utf-8") as stream:
        records = json.load(stream)
    for record in records:
        try:
            (deserialized,) = serializers.deserialize("python", [record])
        except DeserializationError:
            yield None
            continue
        instance = deserialized.object
        key = json.dumps(instance.natural_key(), ensure_ascii=False, default=str)  # type: ignore[attr-defined]
        yield deserialized, (instance._meta.label_lower, key)


@transaction.atomic
def seed(fixtures=(FIXTURE, LATER)):
    report = SeedReport(countries_added=seed_countries())
    seeded = {(record.model, record.key) for record in SeedRecord.objects.all()}
    for item in (item for fixture in fixtures for item in fixture_records(fixture)):
        if item is None:
            report.orphaned += 1
            continue
        deserialized, (label, key) = item
        instance = deserialized.object
        if (label, key) in seeded or instance.pk is not None:
            report.kept += 1  # seeded before, or made by an editor or an import
        else:
            # save(), not a raw fixture save: derived fields and timestamps are filled in.
            instance._change_reason = LOADED  # its history says so (not a correction)
            instance.save()
            for name, values in deserialized.m2m_data.items():
                getattr(instance, name).set(values)
            report.added[str(instance._meta.verbose_name_plural)] += 1
        if (label, key) not in seeded:
            SeedRecord.objects.create(model=label, key=key)
    seed_names()  # saves records: their outcomes' search documents follow (signals)
    if report.countries_added:
        # Countries made or named by bulk writes send no signal: the documents that name
        # them are brought up to date here, and only then (not on every start of `make run`).
        Outcome.objects.all().refresh_search_text()
        bump_data_version()
    return report


def seed_names(names=NAMES):
    """Fill in fixtures/names.json's Chinese names where empty and add its missing aliases,
    each once (the SeedRecord ledger): an editor's name is kept, a removed alias not back."""
    with open(names, encoding="utf-8") as stream:
        data = json.load(stream)
    seeded = set(SeedRecord.objects.filter(model="names").values_list("key", flat=True))
    for model, field_name, records in (
        (Country, "code", data["countries"]),
        (Organization, "slug", data["organizations"]),
    ):
        for record in model.objects.filter(**{f"{field_name}__in": records}):
            given = records[getattr(record, field_name)]
            label = f"{model._meta.label_lower} {getattr(record, field_name)}"
            new, changed = [], False
            if given.get("name_zh") and f"{label} name_zh" not in seeded:
                new.append(f"{label} name_zh")
                if not record.name_zh:
                    record.name_zh = given["name_zh"]
                    record.translated_by = "catalogue editors"  # (organizations)
                    record.translation_reviewed = False
                    changed = True
            # The page that publishes an organization's Chinese name, beside that name.
            source = given.get("source")
            if source and f"{label} source" not in seeded:
                new.append(f"{label} source")
                if record.name_zh == given["name_zh"] and not record.name_zh_url:
                    record.name_zh_url = source["url"]
                    record.name_zh_publisher = source["publisher"]
                    record.name_zh_page_title = source["title"] or ""
                    published = source["date"]
                    record.name_zh_published = published and date.fromisoformat(published)
                    changed = True
            aliases = record.aliases.splitlines()
            for alias in given.get("aliases", []):
                if f"{label} alias {alias}" not in seeded:
                    new.append(f"{label} alias {alias}")
                    if alias not in aliases:
                        aliases.append(alias)
                        changed = True
            if changed:
                record.aliases = "\n".join(aliases)
                record._change_reason = LOADED
                record.save()
            SeedRecord.objects.bulk_create([SeedRecord(model="names", key=key) for key in new])


@transaction.atomic
def mark_seeded(fixtures=(FIXTURE, LATER)):
    """Note every fixture record as seeded, creating none: a catalogue loaded from a data
    package may have renamed or deleted some, and `seed` must not bring those back."""
    seeded = set(SeedRecord.objects.values_list("model", "key"))
    records = (item for fixture in fixtures for item in fixture_records(fixture))
    new = {item[1] for item in records if item} - seeded
    SeedRecord.objects.bulk_create(SeedRecord(model=model, key=key) for model, key in sorted(new))
