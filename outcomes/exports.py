"""Downloads of what the outcome list shows, in CSV, XLSX and JSON, with names beside codes.

COLUMNS is the one definition of a download's columns: their order, their meaning
(which the /data/ page and the workbook's "About" sheet show) and their values.
The admin's import and export keep their own columns (outcomes/resources.py):
slugs and codes that an editor's file round-trips.

CSV and JSON stream: the first bytes leave at once, and memory stays small
whatever the number of outcomes. The queries are the same in number for 37
outcomes or 20,000: the outcomes (read through a cursor, in the list's order),
then each kind of related row once, kept as small tuples by outcome.
"""

import codecs
import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import tablib
from django.conf import settings
from django.db.models.query import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outcomes.models import (
    Country,
    Figure,
    Mention,
    Organization,
    Outcome,
    Participation,
    Programme,
    Reach,
    Region,
    Source,
)
from outcomes.resources import escape_formula

# The largest Excel download: a workbook is built whole, in memory, for each request.
MAX_XLSX_ROWS = 2000
CHUNK = 2000

# Many values in one CSV or Excel cell are joined with this (JSON gives a list).
JOIN = "; "


def _prefetched(model, items):
    """A queryset already holding `items`, as prefetch_related leaves one."""
    queryset = QuerySet(model)
    queryset._result_cache = items
    queryset._prefetch_done = True
    return queryset


# An outcome's rows that with_relations can attach.
PARTS = ("participations", "countries", "reaches", "mentions", "figures", "programmes")


def with_relations(outcomes, parts=PARTS):
    """Yield the outcomes with their rows of `parts`: organizations, places, groupings,
    mentions, figures and programmes.

    Four queries, and one per part, whatever the number of outcomes: the outcomes
    (with their category and source); the organizations, countries and regions they
    can name; and the rows of each part as tuples. Each outcome's lists are attached
    as prefetch_related would attach them.
    """
    outcomes = outcomes.prefetch_related(None).select_related("category", "source")
    ids = outcomes.order_by().values("pk")
    organizations = Organization.objects.filter(participations__outcome__in=ids).distinct()
    organizations = {o.pk: o for o in organizations.only("name", "slug", "acronym", "membership")}
    countries = {c.pk: c for c in Country.objects.only("code", "name", "common_name")}
    regions = {r.pk: r for r in Region.objects.only("slug", "name")}

    def grouped(part, queryset, *fields):
        rows = defaultdict(list)
        if part not in parts:
            return rows
        for outcome_id, *values in queryset.values_list("outcome_id", *fields).iterator(CHUNK):
            rows[outcome_id].append(values)
        return rows

    participations = grouped(
        "participations",
        Participation.objects.filter(outcome__in=ids).order_by("position", "pk"),
        "pk",
        "organization_id",
        "role",
        "position",
    )
    country_links = grouped(
        "countries",
        Outcome.countries.through.objects.filter(outcome__in=ids).order_by("country__name"),
        "country_id",
    )
    reaches = grouped(
        "reaches",
        Reach.objects.filter(outcome__in=ids).order_by("region__name"),
        "region_id",
        "kind",
        "words",
    )
    mentions = grouped(
        "mentions",
        Mention.objects.filter(outcome__in=ids).order_by("pk"),
        "country_id",
        "region_id",
        "words",
        "reason",
    )
    figure_fields = [
        "pk",
        "position",
        "kind",
        "value",
        "qualifier",
        "currency",
        "currency_assumed",
        "unit",
        "words",
    ]
    figures = grouped(
        "figures", Figure.objects.filter(outcome__in=ids).order_by("position"), *figure_fields
    )
    programmes = grouped(
        "programmes", Programme.objects.filter(outcome__in=ids).order_by("position", "pk"), "name"
    )

    for outcome in outcomes.iterator(CHUNK):
        attached = {
            "participations": _prefetched(
                Participation,
                [
                    Participation(
                        pk=pk,
                        outcome=outcome,
                        organization=organizations[organization],
                        role=role,
                        position=position,
                    )
                    for pk, organization, role, position in participations.get(outcome.pk, [])
                    # (a row committed while the export runs is left out, not a failure)
                    if organization in organizations
                ],
            ),
            "countries": _prefetched(
                Country, [countries[c] for (c,) in country_links.get(outcome.pk, [])]
            ),
            "reaches": _prefetched(
                Reach,
                [
                    Reach(outcome=outcome, region=regions[region], kind=kind, words=words)
                    for region, kind, words in reaches.get(outcome.pk, [])
                    if region in regions
                ],
            ),
            "mentions": _prefetched(
                Mention,
                [
                    Mention(
                        outcome=outcome,
                        country=countries.get(country),
                        region=regions.get(region),
                        words=words,
                        reason=reason,
                    )
                    for country, region, words, reason in mentions.get(outcome.pk, [])
                    if country in countries or region in regions
                ],
            ),
            "figures": _prefetched(
                Figure,
                [
                    Figure(outcome=outcome, **dict(zip(figure_fields, row, strict=True)))
                    for row in figures.get(outcome.pk, [])
                ],
            ),
            "programmes": _prefetched(
                Programme,
                [
                    Programme(outcome=outcome, name=name)
                    for (name,) in programmes.get(outcome.pk, [])
                ],
            ),
        }
        outcome._prefetched_objects_cache = {part: attached[part] for part in parts}
        yield outcome


@dataclass(frozen=True)
class Download:
    """What a row's values may depend on besides the outcome."""

    request: Any
    # via(outcome): [(country code, country name, region slug, region name)] through
    # which the outcome reaches a chosen country (?via=1), or None.
    via: Any = None


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    # value(outcome, download): a cell's value; a list for a column of many values.
    value: Any
    many: bool = False


def figure_words(figure):
    """A figure as the document words it, then how the catalogue reads it where that differs."""
    notes = []
    if figure.value is not None and figure.display != figure.words:
        notes.append(f"read as {figure.display}")
    if figure.currency_assumed:
        notes.append("currency assumed")
    return f"{figure.words} ({', '.join(notes)})" if notes else figure.words


COLUMNS = [
    Column(
        "reference",
        _(
            "The item’s number in its source document: the section’s numeral and the item’s "
            "number (“II.10”). Unique only within its source."
        ),
        lambda outcome, _: outcome.reference,
    ),
    Column(
        "source",
        _(
            "The source document, by its short name (slug); the data package’s sources table "
            "gives its title, publisher, date and address."
        ),
        lambda outcome, _: outcome.source.slug,
    ),
    Column(
        "slug",
        _(
            "The outcome’s key in the catalogue, unique across sources: its page is "
            "/outcomes/<slug>/."
        ),
        lambda outcome, _: outcome.slug,
    ),
    Column(
        "title",
        _("A short title of the catalogue’s own, saying nothing the text does not say."),
        lambda outcome, _: outcome.title,
    ),
    Column(
        "category",
        _("The section of the document the item is in, by name."),
        lambda outcome, _: outcome.category.name,
    ),
    Column(
        "category_slug",
        _("The same section, by its short name (as in /categories/<slug>/)."),
        lambda outcome, _: outcome.category.slug,
    ),
    Column(
        "status",
        _(
            "Planned, Ongoing, Completed or Unknown, read from the text’s verbs by the rules on "
            "the about page."
        ),
        lambda outcome, _: outcome.get_status_display(),
    ),
    Column(
        "plans",
        _(
            "What the text says is planned or only advocated, in its words, when the item also "
            "reports something done."
        ),
        lambda outcome, _: outcome.plans,
    ),
    Column(
        "year",
        _("The year, only where the text states one."),
        lambda outcome, _: outcome.year,
    ),
    Column(
        "countries",
        _(
            "The outcome’s places, by name: the countries where the text says the work happens, "
            "or that it names as the other side of the cooperation."
        ),
        lambda outcome, _: [country.name for country in outcome.countries.all()],
        many=True,
    ),
    Column(
        "country_codes",
        _("The same places, by ISO 3166-1 alpha-2 code, in the same order."),
        lambda outcome, _: [country.code for country in outcome.countries.all()],
        many=True,
    ),
    Column(
        "regions",
        _(
            "The groupings the text names, by name, each with its kind of reach: “via the "
            "grouping” (each country that was a member on the source’s date is reached) or "
            "“somewhere in” (an unnamed part of it: no single country)."
        ),
        lambda outcome, _: [
            f"{reach.region.name} ({reach.get_kind_display()})" for reach in outcome.reaches.all()
        ],
        many=True,
    ),
    Column(
        "region_slugs",
        _("The same groupings, by short name (as in /regions/<slug>/), in the same order."),
        lambda outcome, _: [reach.region.slug for reach in outcome.reaches.all()],
        many=True,
    ),
    Column(
        "reached_via",
        _(
            "Only when the list’s option “also outcomes that reach a chosen country through a "
            "grouping” is on: how the outcome reaches each chosen country it does not name as a "
            "place, as “Country (code) via grouping”."
        ),
        lambda outcome, download: (
            [
                f"{country} ({code}) via {region}"
                for code, country, _, region in download.via(outcome)
            ]
            if download.via
            else []
        ),
        many=True,
    ),
    Column(
        "scope",
        _(
            "Reach the text gives without naming countries, in its words (“20 Belt and Road "
            "countries”)."
        ),
        lambda outcome, _: outcome.scope,
    ),
    Column(
        "mentions",
        _(
            "Countries and groupings the text names without placing the work there, each with "
            "the text’s words and the reason it is not a place. Never a place."
        ),
        lambda outcome, _: [
            f"{mention} (“{mention.words}”: {mention.get_reason_display()})"
            for mention in outcome.mentions.all()
        ],
        many=True,
    ),
    Column(
        "organizations",
        _(
            "The organizations the item names, in its order, as “Name (role)”: lead, co-lead, "
            "partner or founded body."
        ),
        lambda outcome, _: [
            f"{p.organization.name} ({p.get_role_display().lower()})"
            for p in outcome.participations.all()
        ],
        many=True,
    ),
    Column(
        "organization_slugs",
        _(
            "The same organizations, by short name (as in /organizations/<slug>/), in the "
            "same order."
        ),
        lambda outcome, _: [p.organization.slug for p in outcome.participations.all()],
        many=True,
    ),
    Column(
        "figures",
        _(
            "Amounts of money and counts, in the document’s words; then, in brackets, how the "
            "catalogue reads the number where that differs, and “currency assumed” where the "
            "text does not name the currency (“dollars” read as US dollars)."
        ),
        lambda outcome, _: [figure_words(figure) for figure in outcome.figures.all()],
        many=True,
    ),
    Column(
        "programmes",
        _("Programmes, projects, platforms and bodies the item names, as it writes them."),
        lambda outcome, _: [programme.name for programme in outcome.programmes.all()],
        many=True,
    ),
    Column(
        "text",
        _("The item’s text exactly as the document prints it."),
        lambda outcome, _: outcome.text,
    ),
    Column(
        "url",
        _("The outcome’s page in the catalogue."),
        lambda outcome, download: download.request.build_absolute_uri(outcome.get_absolute_url()),
    ),
    Column(
        "updated",
        _("When the catalogue’s record last changed (ISO 8601, UTC)."),
        lambda outcome, _: outcome.updated.isoformat(timespec="seconds"),
    ),
]


def cells(outcome, download):
    """One outcome's row of a CSV or Excel file: many values joined, formulas shown as text."""
    row = []
    for column in COLUMNS:
        value = column.value(outcome, download)
        if column.many:
            value = JOIN.join(value)
        row.append(escape_formula("" if value is None else value))
    return row


def as_record(outcome, download):
    """The JSON download's record of one outcome: the same columns, many values as lists."""
    return {column.name: column.value(outcome, download) for column in COLUMNS}


def table_rows(outcomes, download):
    yield [column.name for column in COLUMNS]
    for outcome in with_relations(outcomes):
        yield cells(outcome, download)


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of keeping it."""

    def write(self, line):
        return line


def csv_stream(outcomes, download):
    # The byte order mark makes Excel read the file as UTF-8.
    yield codecs.BOM_UTF8
    writer = csv.writer(_Echo())
    for row in table_rows(outcomes, download):
        yield writer.writerow(row).encode("utf-8")


def json_stream(outcomes, download):
    yield "["
    separator = "\n"
    for outcome in with_relations(outcomes):
        yield separator + json.dumps(as_record(outcome, download), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def about_rows(download, count):
    """The workbook's "About" sheet: where the rows come from, under which terms, and what
    each column means. One query: the sources (versioning.versioned read the version)."""
    request = download.request
    license = settings.CATALOGUE_LICENSE
    rows = [
        (gettext("Catalogue"), gettext("SIRONET Outcomes Catalogue")),
        (gettext("Downloaded from"), request.build_absolute_uri()),
        (gettext("Outcomes"), count),
        (gettext("Data version"), request.data_version.number),
        (gettext("Data as of"), request.data_version.changed.isoformat(timespec="seconds")),
        (
            gettext("Licence"),
            f"{license['title']} ({license['path']}). {settings.CATALOGUE_LICENSE_NOTE}",
        ),
    ]
    for source in Source.objects.all():
        published = f", {source.published:%Y-%m-%d}" if source.published else ""
        rows.append(
            (
                gettext("Source “%(slug)s”") % {"slug": source.slug},
                f"{source.title}. {source.publisher}{published}. {source.url}".strip(),
            )
        )
    rows.append(("", ""))
    rows.append((gettext("Column"), gettext("Meaning")))
    rows.extend((column.name, str(column.meaning)) for column in COLUMNS)
    return [tuple(escape_formula(cell) for cell in row) for row in rows]


def xlsx_bytes(outcomes, download):
    """The XLSX download: the sheet "Outcomes", then "About". A workbook is a zip file,
    built whole before it is sent."""
    rows = table_rows(outcomes, download)
    sheet = tablib.Dataset(headers=next(rows), title="Outcomes")
    for row in rows:
        sheet.append(row)
    about = tablib.Dataset(headers=["About this file", ""], title="About")
    for row in about_rows(download, len(sheet)):
        about.append(row)
    return tablib.Databook([sheet, about]).export("xlsx")


# The downloads of a list: format -> (label, media type).
DOWNLOADS = {
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("JSON", "application/json"),
}


def respond(outcomes, format, request, via=None):
    """The download of `outcomes`; `via(outcome)` lists the [(country code, country name,
    region slug, region name)] through which a listed outcome reaches a chosen country,
    if asked."""
    filename = f"sironet-outcomes-{timezone.now():%Y-%m-%d}.{format}"
    download = Download(request=request, via=via)
    if format == "csv":
        response = StreamingHttpResponse(
            csv_stream(outcomes, download), content_type=DOWNLOADS["csv"][1]
        )
    elif format == "json":
        response = StreamingHttpResponse(
            json_stream(outcomes, download), content_type=DOWNLOADS["json"][1]
        )
    elif format == "xlsx":
        response = HttpResponse(xlsx_bytes(outcomes, download), content_type=DOWNLOADS["xlsx"][1])
    else:
        raise Http404("No such export format.")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
