"""The public catalogue: read-only pages, each a base queryset, filters and a template."""

from collections import defaultdict

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from outcomes import changes, citations, datapackage, exports, maps
from outcomes.facets import facet_index
from outcomes.facets import in_language as label_in_language
from outcomes.filters import OutcomeFilter
from outcomes.models import (
    Category,
    Country,
    Membership,
    Mention,
    Organization,
    OrganizationType,
    Outcome,
    Participation,
    Reach,
    ReachKind,
    Region,
    Role,
    Source,
    address,
    chinese_page,
    in_language,
)
from outcomes.search import terms
from outcomes.versioning import PAGE_TIMEOUT, RELEASE, tagged, versioned

PAGE_SIZE = 20


def filter_outcomes(request):
    """The FilterSet of the list and its exports, and what makes its values unusable, if any."""
    filterset = OutcomeFilter(
        request.GET, queryset=Outcome.objects.for_listing(), version=request.data_version
    )
    if not filterset.is_valid():
        problems = [
            f"{OutcomeFilter.FACETS.get(name, filterset.form.fields[name].label)}: "
            f"{' '.join(errors)}"
            for name, errors in filterset.form.errors.items()
        ]
        return filterset, problems
    return filterset, []


def outcome_map(highlight=()):
    """The world map of outcomes per country (one query), and the same numbers as rows."""
    chinese = chinese_page()
    rows = [
        (code, label_in_language((name, name_zh), chinese), count)
        for code, name, name_zh, count in Country.objects.with_outcomes()
        .order_by("-outcome_count", "name")
        .values_list("code", "name", "name_zh", "outcome_count")
    ]
    counts = {code: count for code, _, count in rows}
    names = {code: name for code, name, _ in rows}
    return maps.world_map(counts, names, highlight), rows


@require_safe
@versioned
def home(request):
    # Aggregations ignore Meta.ordering, hence the explicit order_by here and below.
    categories = Category.objects.annotate(outcome_count=Count("outcomes")).order_by("order")
    totals = {
        "outcomes": Outcome.objects.count(),
        # The organizations credited or partnering, not the bodies they founded.
        "organizations": Organization.objects.filter(
            participations__role__in=[Role.LEAD, Role.CO_LEAD, Role.PARTNER]
        )
        .distinct()
        .count(),
        "countries": Country.objects.with_outcomes().count(),
    }
    world, country_rows = outcome_map()
    category_bars = maps.bars(
        [(in_language(c, "name"), c.outcome_count, c.get_absolute_url()) for c in categories]
    )
    return render(
        request,
        "outcomes/home.html",
        {
            "categories": categories,
            "totals": totals,
            "map": world,
            "country_rows": country_rows,
            "category_bars": category_bars,
        },
    )


def list_query(query):
    return OutcomeFilter.normalized(query).urlencode()


@require_safe
@versioned(parameters=list_query)
def outcome_list(request):
    filterset, problems = filter_outcomes(request)
    page = Paginator(filterset.listed(), PAGE_SIZE).get_page(filterset.data.get("page"))
    facets = filterset.facets()
    query = filterset.data.copy()
    query.pop("page", None)

    def facet_panel(index):
        return render_to_string(
            "outcomes/includes/_facets.html",
            {
                "facet_groups": [
                    {"name": name, "label": OutcomeFilter.FACETS[name], **facet}
                    for name, facet in facets.items()
                ],
                "via": filterset.form.cleaned_data.get("via"),
            },
        )

    return render(
        request,
        "outcomes/outcome_list.html",
        {
            "filterset": filterset,
            "page": page,
            "rows": outcome_rows(
                page.object_list,
                request.data_version,
                filterset.via_countries(),
                terms(filterset.form.cleaned_data.get("q")) if not problems else None,
            ),
            "suggestion": filterset.suggestion(),
            "facets": facets,
            # Kept: the same for every page and order of these filters.
            "facet_panel": filterset.kept("facet panel", facet_panel) if facets else "",
            "chips": filterset.chips(facets),
            "problems": problems,
            "query": query.urlencode(),
            "search": filterset.data.get("q", ""),
            "sort": filterset.data.get("sort", ""),
        },
    )


def renamed(queryset, slug, address=None):
    """A permanent redirect to the current address of the record of `queryset` that had
    `slug` before, in one hop however often it was renamed; 404 if none had it.
    `address(record)` gives the address (its page, by default)."""
    record = queryset.formerly(slug)
    if record is None:
        raise Http404(f"No {queryset.model._meta.verbose_name} has the address “{slug}”.")
    return redirect(address(record) if address else record, permanent=True)


@require_safe
@versioned
def outcome_by_reference(request, reference, slug=None):
    """An outcome by its item reference: one permanent redirect to its page. Within a
    source (/sources/<slug>/I.3/) a reference is unique; alone (/outcomes/I.3/), once
    the catalogue holds several sources, it may name several items: they are listed."""
    found = Outcome.objects.filter(reference=reference.upper()).select_related("source")
    if slug is not None:
        source = Source.objects.filter(slug=slug).first() or Source.objects.formerly(slug)
        found = found.filter(source=source)
    found = list(found[:MAX_SAME_REFERENCE])
    if not found:
        raise Http404(f"No outcome has the reference “{reference}”.")
    if len(found) == 1:
        return redirect(found[0], permanent=True)
    return render(
        request,
        "outcomes/same_reference.html",
        {"reference": reference.upper(), "outcomes": found},
        status=300,
    )


# A reference names one item per source: this many sources at most are listed for it.
MAX_SAME_REFERENCE = 100


@require_safe
@versioned
def source_detail(request, slug):
    source = Source.objects.filter(slug=slug).first()
    if source is None:
        return renamed(Source.objects, slug)
    outcomes = Outcome.objects.for_listing().filter(source=source).in_document_order()
    return render(
        request,
        "outcomes/source_detail.html",
        {
            "source": source,
            "outcomes": first_outcomes(outcomes),
            "citations": citations.rendered([citations.source_item(source)]),
            "cite_downloads": cite_links("outcomes:source_cite", slug=source.slug),
            "json_ld": citations.json_ld(
                {"@context": "https://schema.org", **citations.source_schema(source)}
            ),
        },
    )


def cite_links(name, **kwargs):
    """[(label, address)] of a citation's downloads."""
    return [
        (label, reverse(name, kwargs={**kwargs, "format": format}))
        for format, (label, _) in citations.FORMATS.items()
    ]


def cited_outcome(request, outcome):
    """An outcome's record and the source document it quotes, as CSL-JSON."""
    version = request.data_version
    return [
        citations.outcome_item(outcome, request, version),
        citations.source_item(outcome.source),
    ]


def cited_catalogue(request):
    return [citations.catalogue_item(request, request.data_version)]


@require_safe
@versioned(keep=False)
def cite(request, format, kind, slug=None):
    """A citation download: CSL-JSON, BibTeX or RIS of an outcome (with its source), a
    source, or the catalogue."""
    if format not in citations.FORMATS:
        raise Http404(f"Citations download as {', '.join(citations.FORMATS)}.")
    if kind == "outcome":
        outcome = Outcome.objects.select_related("source").filter(slug=slug).first()
        if outcome is None:
            return renamed(Outcome.objects, slug, lambda o: f"{o.get_absolute_url()}cite.{format}")
        items, name = cited_outcome(request, outcome), f"{outcome.source.slug}-{outcome.reference}"
    elif kind == "source":
        source = Source.objects.filter(slug=slug).first()
        if source is None:
            return renamed(Source.objects, slug, lambda s: f"{s.get_absolute_url()}cite.{format}")
        items, name = [citations.source_item(source)], source.slug
    else:
        items, name = cited_catalogue(request), "sironet-outcomes-catalogue"
    response = HttpResponse(
        citations.written(items, format), content_type=citations.FORMATS[format][1]
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.{format}"'
    return response


def first_outcomes(outcomes):
    """A detail page's list: its first PAGE_SIZE outcomes, and how many there are.

    A category of thousands of outcomes would otherwise be one page of megabytes;
    the outcome list pages, filters and downloads them all. One query more.
    """
    return {"shown": list(outcomes[:PAGE_SIZE]), "total": outcomes.count()}


def label_via(outcomes, codes, version):
    """Set each outcome's `via`: how it reaches those of `codes` (country codes) that it
    does not name, through a grouping (from the facet index: no query)."""
    index = facet_index(version)
    for outcome in outcomes:
        outcome.via = [
            {
                "country": country,
                "region": region,
                "url": address("outcomes:region", slug),
            }
            for _, country, slug, region in index.via(outcome.pk, codes)
        ]
    return outcomes


def outcome_rows(ids, version, via=(), searched=None):
    """The list rows of these outcomes, in this order, as HTML.

    Each row is kept in the "rows" cache for the data version, so that the many
    lists an outcome appears in render it once: one query for the page's ids, and
    three (outcomes, organizations, countries) only for rows not yet rendered.
    With `via` (country codes), a row that reaches one of them only through a
    grouping says so, and is kept apart from the plain row. With `searched` (a
    search's terms), a row shows a snippet of its text with the words found marked:
    it depends on the search, so it is added to the kept row, not kept with it.
    """
    cache = caches["rows"]
    index = facet_index(version)
    prefix = f"row:{RELEASE}:{version.tag}:{get_language()}"
    keys = {
        pk: f"{prefix}:{pk}" + (f":{','.join(sorted(via))}" if index.via(pk, via) else "")
        for pk in ids
    }
    rows = cache.get_many(keys.values())
    missing = [pk for pk in ids if keys[pk] not in rows]
    if missing:
        outcomes = label_via(Outcome.objects.for_listing().filter(pk__in=missing), via, version)
        rendered = {
            keys[outcome.pk]: render_to_string(
                "outcomes/includes/_outcome_item.html", {"outcome": outcome}
            )
            for outcome in outcomes
        }
        cache.set_many(rendered, PAGE_TIMEOUT)
        rows.update(rendered)
    shown = [rows[keys[pk]] for pk in ids]
    if searched:
        for position, pk in enumerate(ids):
            if found := index.snippet(pk, searched):
                row = shown[position]
                end = row.rindex("</li>")  # the row's own end (_outcome_item.html)
                shown[position] = f'{row[:end]}<p class="snippet">{found}</p>\n{row[end:]}'
    return [mark_safe(row) for row in shown]  # noqa: S308 (our template's output; snippets escape)


@require_safe
@versioned(keep=False)
def outcome_export(request, format):
    filterset, problems = filter_outcomes(request)
    outcomes = Outcome.objects.none() if problems else filterset.qs
    if format == "xlsx" and (count := outcomes.count()) > exports.MAX_XLSX_ROWS:
        # A workbook is built whole in memory: CSV and JSON stream any number.
        query = filterset.data.urlencode()
        return render(
            request,
            "outcomes/export_too_large.html",
            {"count": count, "limit": exports.MAX_XLSX_ROWS, "query": query},
            status=400,
        )
    codes = set() if problems else filterset.via_countries()
    index = facet_index(request.data_version)
    via = (lambda outcome: index.via(outcome.pk, codes)) if codes else None
    return exports.respond(outcomes, format, request, via)


@require_safe
@versioned
def outcome_detail(request, slug):
    outcome = (
        Outcome.objects.select_related("category", "source")
        .prefetch_related(
            Prefetch(
                "participations", queryset=Participation.objects.select_related("organization")
            ),
            "countries",
            Prefetch("reaches", queryset=Reach.objects.select_related("region")),
            Prefetch("mentions", queryset=Mention.objects.select_related("country", "region")),
            "figures",
            "programmes",
        )
        .filter(slug=slug)
        .first()
    )
    if outcome is None:
        return renamed(Outcome.objects, slug)
    members_then = defaultdict(list)
    grouped = [reach.region_id for reach in outcome.reaches.all() if reach.kind == "members"]
    if grouped:
        memberships = Membership.objects.filter(region__in=grouped).as_of(outcome.source.published)
        for membership in memberships.select_related("country").order_by("country__name"):
            members_then[membership.region_id].append(membership.country)
    for reach in outcome.reaches.all():
        reach.members_then = members_then.get(reach.region_id, [])
    related = Outcome.objects.related_to(outcome).select_related("category")[:8]
    version = request.data_version
    response = render(
        request,
        "outcomes/outcome_detail.html",
        {
            "outcome": outcome,
            "citations": citations.rendered(cited_outcome(request, outcome)),
            "cite_downloads": cite_links("outcomes:outcome_cite", slug=outcome.slug),
            "corrections": changes.corrections(outcome),
            "json_ld": citations.json_ld(citations.outcome_schema(outcome, request, version)),
            "related": related,
            # Document order is within the outcome's source.
            "previous": outcome.source.outcomes.filter(position__lt=outcome.position).last(),
            "next": outcome.source.outcomes.filter(position__gt=outcome.position).first(),
        },
    )
    return tagged(response, outcome)


@require_safe
@versioned
def category_detail(request, slug):
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        return renamed(Category.objects, slug)
    outcomes = first_outcomes(Outcome.objects.for_listing().filter(category=category))
    return tagged(
        render(
            request, "outcomes/category_detail.html", {"category": category, "outcomes": outcomes}
        ),
        category,
    )


@require_safe
@versioned(parameters=lambda query: urlencode({"type": query.get("type", "")}))
def organization_list(request):
    organizations = Organization.objects.annotate(outcome_count=Count("participations")).order_by(
        "sort_name"
    )
    chosen_type = request.GET.get("type", "")
    types = dict(OrganizationType.choices)
    if chosen_type in types:
        organizations = organizations.filter(type=chosen_type)
    type_counts = dict(
        Organization.objects.values("type").annotate(n=Count("pk")).values_list("type", "n")
    )
    type_bars = maps.bars(
        [
            (label, type_counts[value], f"?type={value}")
            for value, label in OrganizationType.choices
            if type_counts.get(value)
        ]
    )
    return render(
        request,
        "outcomes/organization_list.html",
        {
            "type_bars": type_bars,
            "organizations": organizations,
            "types": OrganizationType.choices,
            "chosen_type": chosen_type if chosen_type in types else "",
            "unknown_type": chosen_type and chosen_type not in types,
        },
    )


@require_safe
@versioned
def organization_detail(request, slug):
    organization = (
        Organization.objects.select_related("country", "founded_by").filter(slug=slug).first()
    )
    if organization is None:
        return renamed(Organization.objects, slug)
    participations = organization.participations.select_related("outcome__category").order_by(
        "role", "outcome__position"
    )
    response = render(
        request,
        "outcomes/organization_detail.html",
        {
            "organization": organization,
            "participations": participations,
            "founded": organization.founded.all(),
        },
    )
    return tagged(response, organization)


@require_safe
@versioned
def country_list(request):
    countries = Country.objects.with_outcomes().order_by("continent", "name")
    world, country_rows = outcome_map()
    top = maps.bars(
        [
            (name, count, reverse("outcomes:country", args=[code.lower()]))
            for code, name, count in country_rows[:10]
        ]
    )
    return render(
        request,
        "outcomes/country_list.html",
        {"countries": countries, "map": world, "country_rows": country_rows, "top_countries": top},
    )


@require_safe
@versioned
def country_detail(request, code):
    country = get_object_or_404(Country, code=code.upper())
    if code != code.lower():
        return redirect(country, permanent=True)
    named = Outcome.objects.for_listing().filter(countries=country)
    via_groupings = first_outcomes(Outcome.objects.for_listing().via_groupings([country]))
    label_via(via_groupings["shown"], {country.code}, request.data_version)
    memberships = country.memberships.current().select_related("region").order_by("region__name")
    response = render(
        request,
        "outcomes/country_detail.html",
        {
            "country": country,
            "named": first_outcomes(named),
            "via_groupings": via_groupings,
            "regions": [membership.region for membership in memberships],
        },
    )
    return tagged(response, country)


@require_safe
@versioned
def region_detail(request, slug):
    region = Region.objects.filter(slug=slug).first()
    if region is None:
        return renamed(Region.objects, slug)
    memberships = list(region.memberships.select_related("country").order_by("country__name"))
    # Who was a member on each date an outcome reaching the region was published.
    dates = sorted(
        set(
            Source.objects.filter(outcomes__reaches__region=region)
            .exclude(published=None)
            .values_list("published", flat=True)
        )
    )
    today = timezone.localdate()
    for membership in memberships:
        membership.then = [membership.in_force(day) for day in dates]
        membership.now = membership.in_force(today)
    current = [m.country for m in memberships if m.now]
    listed = Outcome.objects.for_listing()
    world, _ = outcome_map(highlight={country.code for country in current})
    return render(
        request,
        "outcomes/region_detail.html",
        {
            "region": region,
            "memberships": memberships,
            "dates": dates,
            "today": today,
            "as_a_whole": first_outcomes(listed.reaching(region, ReachKind.MEMBERS)),
            "somewhere_in": first_outcomes(listed.reaching(region, ReachKind.WITHIN)),
            "via_members": first_outcomes(listed.in_members_of(region, current)),
            "map": world,
        },
    )


@require_safe
@versioned
def about(request):
    source = Source.objects.first()
    distributions = [
        (f"All outcomes ({label})", reverse("outcomes:outcome_export", args=[format]), media)
        for format, (label, media) in exports.DOWNLOADS.items()
    ] + [
        (
            "The whole catalogue (Frictionless Data Package, zip)",
            reverse("outcomes:data_file", args=["datapackage.zip"]),
            "application/zip",
        )
    ]
    version = request.data_version
    return render(
        request,
        "outcomes/about.html",
        {
            "source": source,
            "outcome_count": Outcome.objects.count(),
            "citations": citations.rendered(cited_catalogue(request)),
            "cite_downloads": cite_links("outcomes:catalogue_cite"),
            "json_ld": citations.json_ld(
                citations.catalogue_schema(request, version, Source.objects.all(), distributions)
            ),
            "license": settings.CATALOGUE_LICENSE,
        },
    )


@require_safe
@versioned
def data(request):
    return render(
        request,
        "outcomes/data.html",
        {
            "columns": exports.COLUMNS,
            "join": exports.JOIN,
            "tables": [
                {"table": table, "fields": datapackage.schema(table)["fields"]}
                for table in datapackage.TABLES
            ],
            "version": request.data_version.number,
            "changed": request.data_version.changed,
            "license": settings.CATALOGUE_LICENSE,
        },
    )


@require_safe
@versioned(keep=False)
def data_file(request, name):
    """A file of the data package, written once per data version (outcomes/datapackage.py)."""
    if name not in datapackage.FILES:
        raise Http404("No such file in the data package.")
    folder, version = datapackage.ready(*request.data_version)
    file = open(folder / name, "rb")  # noqa: SIM115 (the response closes it)
    response = FileResponse(file, content_type=datapackage.FILES[name])
    if name.endswith(".zip"):
        filename = f"sironet-outcomes-catalogue-v{version}.zip"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",  # wherever DJANGO_ADMIN_PATH puts it
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_safe
def favicon(request):
    return redirect(static("favicon.svg"), permanent=True)
