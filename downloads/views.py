"""The downloads: a list's outcomes as CSV, Excel or JSON, the /data/ guide, the package."""

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from downloads import dcat, exports, package, releases
from edge.pages import public_page
from outcomes import citations, record
from outcomes.dataversion import current_version
from outcomes.filters import OutcomeFilter
from outcomes.models import Outcome, Release, Source


@require_safe
@public_page(parameters=lambda query: OutcomeFilter.canonical_query(query).urlencode())
def outcome_export(request, format):
    """A list's outcomes as a file. An Excel file is made once per selection and data
    version and kept as pages are (edge.pages); CSV and JSON stream, never kept."""
    filterset = OutcomeFilter(request.GET, version=request.data_version)
    outcomes = filterset.qs if filterset.is_valid() else Outcome.objects.none()
    if format == "xlsx" and (count := outcomes.count()) > exports.MAX_XLSX_ROWS:
        return render(
            request,
            "downloads/export_too_large.html",
            {"count": count, "limit": exports.MAX_XLSX_ROWS, "query": filterset.data.urlencode()},
            status=400,
        )
    if format not in record.DOWNLOAD_FORMATS:
        raise Http404("No such export format.")
    context = record.Context(request=request, via=filterset.reach_labels())
    media = record.DOWNLOAD_FORMATS[format][1]
    response: HttpResponseBase
    if format == "xlsx":
        response = HttpResponse(exports.xlsx_bytes(outcomes, context), content_type=media)
    else:
        stream = exports.csv_stream if format == "csv" else exports.json_stream
        response = StreamingHttpResponse(stream(outcomes, context), content_type=media)
    filename = exports.filename(format, filterset.data)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@public_page
def data(request):
    return render(
        request,
        "downloads/data.html",
        {
            "columns": record.COLUMNS,
            "fields": record.FIELDS,
            "join": record.JOIN,
            "tables": [
                {"table": table, "fields": package.schema(table)["fields"]}
                for table in package.TABLES
            ],
            "version": request.data_version.number,
            "changed": request.data_version.changed,
            "license": settings.CATALOGUE_LICENSE,
            "json_ld": citations.json_ld(
                citations.catalogue_schema(
                    request,
                    request.data_version,
                    Source.objects.all(),
                    exports.distributions(),
                    exports.coverage(),
                )
            ),
        },
    )


@require_safe
def data_file(request, name):
    """A file of the newest data package the worker wrote (downloads/package.py): that of
    the current data version once written, the one before until then."""
    if name not in package.FILES:
        return HttpResponse(gettext("No such file in the data package."), status=404)
    newest = package.newest()
    if newest is None:
        return HttpResponse(
            gettext("The data package is being written. Please try again in a minute."),
            status=503,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": "60"},
        )
    folder, number = newest
    etag = f'"{folder.name}"'
    response: HttpResponseBase | None = get_conditional_response(request, etag=etag)
    if response is None:
        file = open(folder / name, "rb")  # noqa: SIM115 (the response closes it)
        response = FileResponse(file, content_type=package.FILES[name])
        if name.endswith(".zip"):
            filename = f"sironet-outcomes-catalogue-v{number}.zip"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    if package.folder_of(current_version()) == folder:
        # Browsers ask again (a 304 while it is the newest); proxies keep it a while, and
        # are purged with the catalogue when the data changes.
        response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.HTTP_CACHE_SECONDS}"
        response["xkey"] = response["Surrogate-Key"] = "catalogue"
    else:  # the current version's is being written: nobody keeps this one
        response["Cache-Control"] = "no-store"
    return response


# The catalogue in DCAT: suffix -> (rdflib's format, media type).
DCAT_FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
}


@require_safe
@public_page
def catalogue_dcat(request, format):
    """The catalogue and its releases in DCAT (downloads/dcat.py), as Turtle or JSON-LD."""
    syntax, media = DCAT_FORMATS[format]
    text = dcat.catalogue_graph(request).serialize(format=syntax)
    return HttpResponse(text, content_type=media)


def release_or_404(number, *fields):
    release = Release.objects.only("number", "published", *fields).filter(number=number).first()
    if release is None:
        raise Http404(gettext("No release has this number."))
    return release


@require_safe
@public_page
def release_list(request):
    return render(request, "downloads/release_list.html", {"releases": Release.objects.listed()})


@require_safe
@public_page
def release(request, number):
    this = release_or_404(number, "note", "data_version", "checksum", "doi", "counts", "tables")
    before = Release.objects.filter(pk__lt=this.pk).only("number", "tables").first()
    schema = citations.catalogue_schema(
        request,
        None,
        releases.frozen_sources(this.tables),
        releases.release_downloads(this),
        releases.coverage(this.tables),
        this,
    )
    context = {
        "json_ld": citations.json_ld(schema),
        "citations": citations.rendered([citations.release_item(request, this)]),
        "cite_downloads": [
            (label, reverse("downloads:release_cite", args=[this.number, format]))
            for format, (label, _) in citations.FORMATS.items()
        ],
        "release": this,
        "before": before,
        "groups": releases.shown(before.tables if before else None, this.tables, this.number),
        "files": [
            (name, path.stat().st_size if (path := this.folder / name).is_file() else None)
            for name in [*package.FILES, releases.CITATION]
        ],
    }
    return render(request, "downloads/release_detail.html", context)


@require_safe
@public_page
def release_compare(request, older, newer, format="html"):
    a, b = release_or_404(older, "tables"), release_or_404(newer, "tables")
    if (a.published, a.pk) > (b.published, b.pk):  # the older first, as the changelogs
        name = "downloads:release_compare_json" if format == "json" else "downloads:release_compare"
        return redirect(name, b.number, a.number)
    found = releases.changes(a.tables, b.tables)
    if format == "json":
        return JsonResponse(
            releases.as_json(a, b, found), json_dumps_params={"ensure_ascii": False, "indent": 2}
        )
    groups = releases.shown(a.tables, b.tables, b.number, found)
    context = {"older": a, "newer": b, "groups": groups, "count": len(found)}
    return render(request, "downloads/release_compare.html", context)


@require_safe
@public_page(keep=False)
def release_cite(request, number, format):
    """A release's citation (CSL-JSON, BibTeX, RIS)."""
    if format not in citations.FORMATS:
        raise Http404(f"Citations download as {', '.join(citations.FORMATS)}.")
    items = [citations.release_item(request, release_or_404(number, "doi"))]
    return citations.download(items, format, f"sironet-outcomes-catalogue-{number}")


@require_safe
def release_file(request, number, name):
    """A file of a release's frozen data package: it never changes."""
    if name not in package.FILES and name != releases.CITATION:
        raise Http404(gettext("No such file in the data package."))
    path = release_or_404(number).folder / name
    if not path.is_file():
        raise Http404(gettext("This file of the release is missing."))
    media = package.FILES.get(name, "application/x-yaml; charset=utf-8")
    response = FileResponse(open(path, "rb"), content_type=media)  # noqa: SIM115
    if name.endswith(".zip"):
        filename = f"sironet-outcomes-catalogue-{number}.zip"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
