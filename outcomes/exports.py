"""Downloads of what the outcome list shows: CSV and XLSX (from OutcomeResource) and JSON.

CSV and JSON stream: the first bytes leave at once, and memory stays small
whatever the number of outcomes. The queries are the same in number for 37
outcomes or 20,000: the outcomes (read through a cursor, in the list's order),
then each kind of related row once, kept as small tuples by outcome.
"""

import codecs
import csv
import json
from collections import defaultdict

import tablib
from django.db.models.query import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from outcomes.models import Country, Figure, Organization, Outcome, Participation, Reach, Region
from outcomes.resources import OutcomeResource

# The largest Excel download: a workbook is built whole, in memory, for each request.
MAX_XLSX_ROWS = 2000
CHUNK = 2000


def _prefetched(model, items):
    """A queryset already holding `items`, as prefetch_related leaves one."""
    queryset = QuerySet(model)
    queryset._result_cache = items
    queryset._prefetch_done = True
    return queryset


def with_relations(outcomes):
    """Yield the outcomes with their organizations, countries, regions and figures.

    Eight queries in all, whatever the number of outcomes: the outcomes; the
    organizations, countries and regions they can name; and their participations,
    country and region links and figures as tuples. Each outcome's lists are
    attached as prefetch_related would attach them, so the code that renders one
    outcome (OutcomeResource, as_record) is the same for a page or an export.
    """
    outcomes = outcomes.prefetch_related(None).select_related("source", "category")
    ids = outcomes.order_by().values("pk")
    organizations = Organization.objects.filter(participations__outcome__in=ids).distinct()
    organizations = {o.pk: o for o in organizations.only("name", "slug", "acronym", "membership")}
    countries = {c.pk: c for c in Country.objects.only("code", "name", "common_name")}
    regions = {r.pk: r for r in Region.objects.only("slug", "name")}

    def grouped(queryset, *fields):
        rows = defaultdict(list)
        for outcome_id, *values in queryset.values_list("outcome_id", *fields).iterator(CHUNK):
            rows[outcome_id].append(values)
        return rows

    participations = grouped(
        Participation.objects.filter(outcome__in=ids).order_by("position", "pk"),
        "pk",
        "organization_id",
        "role",
        "position",
    )
    country_links = grouped(
        Outcome.countries.through.objects.filter(outcome__in=ids).order_by("country__name"),
        "country_id",
    )
    reaches = grouped(
        Reach.objects.filter(outcome__in=ids).order_by("region__name"), "region_id", "kind", "words"
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
    figures = grouped(Figure.objects.filter(outcome__in=ids).order_by("position"), *figure_fields)

    for outcome in outcomes.iterator(CHUNK):
        outcome._prefetched_objects_cache = {
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
            "figures": _prefetched(
                Figure,
                [
                    Figure(outcome=outcome, **dict(zip(figure_fields, row, strict=True)))
                    for row in figures.get(outcome.pk, [])
                ],
            ),
        }
        yield outcome


def as_record(outcome, request, via=()):
    """The JSON export's record of one outcome; `via` as OutcomeResource takes it."""
    return {
        "reference": outcome.reference,
        "title": outcome.title,
        "category": outcome.category.slug,
        "status": outcome.status,
        "plans": outcome.plans,
        "year": outcome.year,
        "scope": outcome.scope,
        "text": outcome.text,
        "url": request.build_absolute_uri(outcome.get_absolute_url()),
        "countries": [country.code for country in outcome.countries.all()],
        "regions": [
            {"slug": reach.region.slug, "reach": reach.kind, "words": reach.words}
            for reach in outcome.reaches.all()
        ],
        "reached_via": [{"country": code, "region": slug} for code, _, slug, _ in via(outcome)]
        if via
        else [],
        "organizations": [
            {
                "name": p.organization.name,
                "slug": p.organization.slug,
                "role": p.role,
                "sironet_membership": p.organization.membership,
            }
            for p in outcome.participations.all()
        ],
        "figures": [
            {
                "kind": figure.kind,
                "value": None if figure.value is None else int(figure.value),
                "qualifier": figure.qualifier or None,
                "currency": figure.currency or None,
                "currency_assumed": figure.currency_assumed,
                "unit": figure.unit or None,
                "words": figure.words,
                "display": figure.display,
            }
            for figure in outcome.figures.all()
        ],
        "updated": outcome.updated.isoformat(timespec="seconds"),
    }


def table_rows(outcomes, request, via=None):
    """The header, then one row per outcome, as OutcomeResource renders them."""
    resource = OutcomeResource(request=request, via=via)
    yield resource.get_export_headers()
    for outcome in with_relations(outcomes):
        yield resource.export_resource(outcome)


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of keeping it."""

    def write(self, line):
        return line


def csv_stream(outcomes, request, via):
    # The byte order mark makes Excel read the file as UTF-8.
    yield codecs.BOM_UTF8
    writer = csv.writer(_Echo())
    for row in table_rows(outcomes, request, via):
        yield writer.writerow(row).encode("utf-8")


def json_stream(outcomes, request, via):
    yield "["
    separator = "\n"
    for outcome in with_relations(outcomes):
        yield separator + json.dumps(as_record(outcome, request, via), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def xlsx_bytes(outcomes, request, via):
    """The XLSX export. A workbook is a zip file, built whole before it is sent."""
    rows = table_rows(outcomes, request, via)
    dataset = tablib.Dataset(headers=next(rows))
    for row in rows:
        dataset.append(row)
    return dataset.export("xlsx")


# The downloads of a list: format -> (label, media type).
DOWNLOADS = {
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("JSON", "application/json"),
}


def respond(outcomes, format, request, via=None):
    """The download of `outcomes`; `via(outcome)` lists the [(country code, region slug,
    region name)] through which a listed outcome reaches a chosen country, if asked."""
    filename = f"sironet-outcomes-{timezone.now():%Y-%m-%d}.{format}"
    if format == "csv":
        response = StreamingHttpResponse(
            csv_stream(outcomes, request, via), content_type=DOWNLOADS["csv"][1]
        )
    elif format == "json":
        response = StreamingHttpResponse(
            json_stream(outcomes, request, via), content_type=DOWNLOADS["json"][1]
        )
    elif format == "xlsx":
        response = HttpResponse(
            xlsx_bytes(outcomes, request, via), content_type=DOWNLOADS["xlsx"][1]
        )
    else:
        raise Http404("No such export format.")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
