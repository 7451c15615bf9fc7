"""Downloads of what the outcome list shows: CSV, XLSX (from OutcomeResource) and JSON."""

import codecs

from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone

from outcomes.resources import OutcomeResource

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(cell):
    """A cell a spreadsheet would run as a formula is quoted so that it shows as text."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def export_queryset(outcomes):
    """Outcomes with everything an export row shows, fetched in a fixed number of queries."""
    return outcomes.prefetch_related("regions", "figures")


def as_dataset(outcomes, request):
    # A list, not a queryset: import-export pages through a queryset with
    # prefetches, which costs five queries per hundred rows instead of five in all.
    dataset = OutcomeResource(request=request).export(list(export_queryset(outcomes)))
    for index, row in enumerate(dataset):
        dataset[index] = tuple(escape_formula(cell) for cell in row)
    return dataset


def as_records(outcomes, request):
    """The JSON export: one record per outcome."""
    return [
        {
            "reference": outcome.reference,
            "title": outcome.title,
            "category": outcome.category.slug,
            "status": outcome.status,
            "year": outcome.year,
            "scope": outcome.scope,
            "text": outcome.text,
            "url": request.build_absolute_uri(outcome.get_absolute_url()),
            "countries": [country.code for country in outcome.countries.all()],
            "regions": [region.slug for region in outcome.regions.all()],
            "organizations": [
                {"name": p.organization.name, "slug": p.organization.slug, "role": p.role}
                for p in outcome.participations.all()
            ],
            "figures": [
                {
                    "kind": figure.kind,
                    "value": None if figure.value is None else int(figure.value),
                    "qualifier": figure.qualifier or None,
                    "currency": figure.currency or None,
                    "unit": figure.unit or None,
                    "words": figure.words,
                    "display": figure.display,
                }
                for figure in outcome.figures.all()
            ],
            "updated": outcome.updated.isoformat(timespec="seconds"),
        }
        for outcome in export_queryset(outcomes)
    ]


def respond(outcomes, format, request):
    filename = f"sironet-outcomes-{timezone.now():%Y-%m-%d}.{format}"
    if format == "json":
        response = JsonResponse(
            as_records(outcomes, request),
            safe=False,
            json_dumps_params={"ensure_ascii": False, "indent": 1},
        )
    elif format == "csv":
        # The byte order mark makes Excel read the file as UTF-8.
        body = codecs.BOM_UTF8 + as_dataset(outcomes, request).export("csv").encode("utf-8")
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    elif format == "xlsx":
        response = HttpResponse(
            as_dataset(outcomes, request).export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("No such export format.")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
