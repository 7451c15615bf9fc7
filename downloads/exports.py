"""The outcome list as CSV, XLSX and JSON, from the outcome's record (docs/reuse.md,
"Downloads"). CSV and JSON stream, in as many queries for 37 outcomes as for 20,000."""

import codecs
import csv
import json

import tablib
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from outcomes import record
from outcomes.models import Country, LaterReport, Source

# The largest Excel download: a workbook is built whole, in memory, for each request.
MAX_XLSX_ROWS = 2000


def table_rows(outcomes, context):
    yield [column.name for column in record.COLUMNS]
    for outcome in outcomes.with_record_rows():
        yield record.cells(outcome, context)


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of keeping it."""

    def write(self, line):
        return line


def csv_stream(outcomes, context):
    # The byte order mark makes Excel read the file as UTF-8.
    yield codecs.BOM_UTF8
    writer = csv.writer(_Echo())
    for row in table_rows(outcomes, context):
        yield writer.writerow(row).encode("utf-8")


def json_stream(outcomes, context):
    yield "["
    separator = "\n"
    for outcome in outcomes.with_record_rows():
        yield separator + json.dumps(record.as_json(outcome, context), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def about_rows(request, count):
    """The "About" sheet: origin, terms, each column's meaning. One query: the sources."""
    license = settings.CATALOGUE_LICENSE
    terms = f"{license['title']} ({license['path']}). {settings.CATALOGUE_LICENSE_NOTE}"
    # The selection's address, shared by every request for it (edge.pages keeps its query).
    query = getattr(request, "canonical_query", "")
    address = f"{request.path}?{query}" if query else request.path
    rows = [
        (gettext("Catalogue"), gettext("SIRONET Outcomes Catalogue")),
        (gettext("Downloaded from"), request.build_absolute_uri(address)),
        (gettext("Outcomes"), count),
        (gettext("Data version"), request.data_version.number),
        (gettext("Data as of"), request.data_version.changed.isoformat(timespec="seconds")),
        (gettext("Licence"), terms),
    ]
    for source in Source.objects.all():
        published = f", {source.published:%Y-%m-%d}" if source.published else ""
        about = f"{source.title}. {source.publisher}{published}. {source.url}".strip()
        rows.append((gettext("Source “%(slug)s”") % {"slug": source.slug}, about))
    rows += [("", ""), (gettext("Column"), gettext("Meaning"))]
    rows.extend((column.name, str(column.meaning)) for column in record.COLUMNS)
    return [tuple(record.escape_formula(cell) for cell in row) for row in rows]


def xlsx_bytes(outcomes, context):
    """The XLSX download, built whole: the sheet "Outcomes", then "About"."""
    rows = table_rows(outcomes, context)
    headers = next(rows)
    sheet = tablib.Dataset(*rows, headers=headers, title="Outcomes")
    about_sheet = about_rows(context.request, len(sheet))
    about = tablib.Dataset(*about_sheet, headers=["About this file", ""], title="About")
    return tablib.Databook([sheet, about]).export("xlsx")


# The parameters that choose which outcomes a download holds (not their order or page).
CHOOSING = ("q", "category", "status", "country", "region", "organization", "later", "reading")
MAX_NAMED = 60  # characters of a file name that name the filters


def filename(format, query=None):
    """Dated, and saying "filtered" and by what (`query`, the list's canonical QueryDict) when a
    filter chose its outcomes: two downloads of the same day are told apart."""
    chosen = [
        slugify(f"{name} {value}") or name
        for name in CHOOSING
        for value in (query.getlist(name) if query is not None else ())
    ]
    named = "-".join(chosen)[:MAX_NAMED].strip("-")
    filtered = f"-filtered-{named}" if chosen else ""
    return f"sironet-outcomes{filtered}-{timezone.now():%Y-%m-%d}.{format}"


def distributions():
    """The catalogue's downloads today, for its schema.org description: [(name, address,
    media type)]."""
    package = reverse("downloads:file", args=["datapackage.zip"])
    return [
        (f"All outcomes ({label})", reverse("downloads:export", args=[format]), media)
        for format, (label, media) in record.DOWNLOAD_FORMATS.items()
    ] + [("The whole catalogue (Frictionless Data Package, zip)", package, "application/zip")]


def coverage():
    """(first day, last day, [country names]) of the catalogue today, for its schema.org
    description (three queries)."""
    days = [
        *Source.objects.exclude(published=None).values_list("published", flat=True),
        *LaterReport.objects.reviewed().values_list("published", flat=True),
    ]
    named = Country.objects.filter(outcomes__isnull=False).distinct().order_by("name")
    names = list(named.values_list("name", flat=True))
    return (min(days), max(days), names) if days else (None, None, names)
