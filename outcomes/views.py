"""The public catalogue: read-only pages, each a base queryset, filters and a template."""

from operator import attrgetter

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, gettext, gettext_lazy
from django.views.decorators.http import require_safe

from downloads import exports, releases
from edge.pages import PAGE_TIMEOUT, RELEASE, public_page, redirect_renamed, with_record_key
from outcomes import changelog, citations, maps
from outcomes.facets import REPORTED, REVIEWED_LINKS, facet_index
from outcomes.filters import PAGE_SIZE, OutcomeFilter
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
    Release,
    Source,
    chinese_page,
    in_page_language,
    localized,
    ordered,
)
from outcomes.models.later import READING_RULES
from outcomes.rows import list_rows
from outcomes.search import terms


def outcome_map(highlight=()):
    """The world map of outcomes per country (one query), and its numbers as rows: (code,
    name, outcomes, outcomes with a later report)."""
    chinese = chinese_page()
    reported = Q(outcomes__in=REVIEWED_LINKS.values("outcome_id"))  # facets.REPORTED, joined
    countries = Country.objects.with_outcomes().annotate(
        later_count=Count("outcomes", filter=reported)
    )
    rows = [
        (code, in_page_language(name, name_zh, chinese), count, later)
        for code, name, name_zh, count, later in countries.order_by(
            "-outcome_count", "name"
        ).values_list("code", "name", "name_zh", "outcome_count", "later_count")
    ]
    counts = {code: count for code, _, count, _ in rows}
    names = {code: name for code, name, _, _ in rows}
    later = {code: n for code, _, _, n in rows}
    return maps.world_map(counts, names, highlight, later), rows


@require_safe
@public_page
def home(request):
    # Counted from the outcomes' side: grouping the categories would group all their columns.
    counts = {
        category: (total, reported)
        for category, total, reported in Outcome.objects.order_by()
        .values_list("category")
        .annotate(total=Count("pk"), reported=Count("pk", filter=REPORTED))
    }
    categories = list(Category.objects.order_by("order"))
    for category in categories:
        category.outcome_count, category.reported_count = counts.get(category.pk, (0, 0))
    world, country_rows = outcome_map()
    totals = {
        "outcomes": Outcome.objects.count(),
        # All the organizations the outcomes name, as /organizations/ lists them.
        "organizations": Organization.objects.count(),
        "countries": len(country_rows),
    }
    listed = reverse("outcomes:outcome_list")
    bars, shares = [], []
    for c in categories:
        reported = f"{listed}?{urlencode({'category': c.slug, 'later': 'reported'})}"
        bars.append((localized(c, "name"), c.outcome_count, c.get_absolute_url()))
        shares.append((localized(c, "name"), c.reported_count, c.outcome_count, reported))
    context = {
        "categories": categories,
        "totals": totals,
        "map": world,
        "country_rows": country_rows,
        "category_bars": maps.bars(bars),
        "reported_bars": maps.shares(shares),
    }
    return render(request, "outcomes/home.html", context)


@require_safe
@public_page(parameters=lambda query: OutcomeFilter.canonical_query(query).urlencode())
def outcome_list(request):
    filterset = OutcomeFilter(request.GET, version=request.data_version)
    page = Paginator(filterset.outcome_ids(), PAGE_SIZE).get_page(request.GET.get("page"))
    facets = filterset.facet_counts()
    listing = {
        "chips": filterset.chips(facets),
        "suggestion": filterset.suggestion(),
        "problems": filterset.problems(),
        "query": filterset.query_string(),
        "panel": filterset.facet_panel(facets) if facets else "",
    }
    context = {
        "filterset": filterset,
        "listing": listing,
        "page": page,
        "rows": outcome_rows(list(page.object_list), filterset),
        "facets": facets,
        "search": filterset.data.get("q", ""),
        "sort": filterset.data.get("sort", ""),
    }
    return render(request, "outcomes/outcome_list.html", context)


def release_query(query):
    """The one parameter an outcome's or organization's page takes: ?release=<number>, its
    state as frozen."""
    return urlencode({"release": query["release"]}) if "release" in query else ""


@require_safe
@public_page(parameters=release_query)
def outcome_by_reference(request, reference, slug=None):
    """An outcome by its item reference: a permanent redirect to its page (as of a release
    with ?release=). Unique within a source (/sources/<slug>/I.3/); alone (/outcomes/I.3/)
    it may name several: listed."""
    found = Outcome.objects.filter(reference=reference.upper()).select_related("source")
    if slug is not None:
        source = Source.objects.filter(slug=slug).first() or Source.objects.formerly(slug)
        found = found.filter(source=source)
    listed = list(found[:100])  # one item per source: at most 100 sources are listed
    if not listed:
        raise Http404(f"No outcome has the reference “{reference}”.")
    if len(listed) == 1:
        query = release_query(request.GET)
        address = listed[0].get_absolute_url()
        return redirect(f"{address}?{query}" if query else address, permanent=True)
    context = {"reference": reference.upper(), "outcomes": listed}
    return render(request, "outcomes/same_reference.html", context, status=300)


@require_safe
@public_page
def source_detail(request, slug):
    if (source := Source.objects.filter(slug=slug).first()) is None:
        return redirect_renamed(Source.objects, slug)
    outcomes = Outcome.objects.filter(source=source).in_document_order()
    context = {
        "source": source,
        "outcomes": first_outcomes(request, outcomes),
        "citations": citations.rendered([citations.source_item(source)]),
        "cite_downloads": cite_links("outcomes:source_cite", slug=source.slug),
        "json_ld": citations.json_ld(
            {"@context": "https://schema.org", **citations.source_schema(source)}
        ),
    }
    return render(request, "outcomes/source_detail.html", context)


def cite_links(name, **kwargs):
    return [
        (label, reverse(name, kwargs={**kwargs, "format": format}))
        for format, (label, _) in citations.FORMATS.items()
    ]


def cited_outcome(request, outcome):
    """The catalogue's record of an outcome (from CITED), the item in the document it quotes
    and the later reports it shows, as CSL-JSON."""
    return [
        citations.record_item(outcome, request),
        citations.document_item(outcome.source, outcome.reference),
        *map(citations.later_report_item, outcome.reviewed_later_reports),
    ]


CITED = {
    "outcome": Outcome.objects.select_related("source").with_later_reports().with_revision(),
    "source": Source.objects.all(),
}


@require_safe
@public_page(keep=False)
def cite(request, format, kind, slug=None):
    """A citation download (CSL-JSON, BibTeX, RIS) of an outcome, a source or the catalogue."""
    if format not in citations.FORMATS:
        raise Http404(f"Citations download as {', '.join(citations.FORMATS)}.")
    if kind == "catalogue":
        items = [citations.catalogue_item(request, request.data_version)]
        name = "sironet-outcomes-catalogue"
    elif kind == "outcome" and "release" in request.GET:
        release, row = frozen_row(request, "outcomes", slug)
        items = cited_as_of(request, release, row)
        name = f"{row['source']}-{row['reference']}-{release.number}"
    elif (found := CITED[kind].filter(slug=slug).first()) is None:
        return redirect_renamed(CITED[kind], slug, lambda r: f"{r.get_absolute_url()}cite.{format}")
    elif kind == "outcome":
        items, name = cited_outcome(request, found), f"{found.source.slug}-{found.reference}"
    else:
        items, name = [citations.source_item(found)], found.slug
    return citations.download(items, format, name)


def first_outcomes(request, outcomes, via_codes=()):
    """A detail page's list (two queries): its first PAGE_SIZE outcomes, their rows, and how
    many there are (the outcome list has them all); `via_codes`: the countries a row says
    it reaches through a grouping."""
    index = facet_index(request.data_version)
    shown = list(outcomes.only("reference")[:PAGE_SIZE])
    ids = [outcome.pk for outcome in shown]
    via = {pk: index.via_groupings(pk, via_codes) for pk in ids} if via_codes else None
    rows = list_rows(ids, index, via).values()
    return {"shown": shown, "rows": list(rows), "total": outcomes.count()}


def outcome_rows(ids, filterset):
    """The list rows of these outcomes, as HTML, each rendered once per data version in which
    it changed (the "rows" cache, FacetIndex.row_version; docs/performance.md): an edit renders
    again the rows it touched. No query: rows come from the index. A row labelled “via” a
    grouping is kept apart from the plain one; a search's snippet is added to the kept row."""
    index, codes = filterset.index, filterset.via_codes()
    via = {pk: index.via_groupings(pk, codes) for pk in ids} if codes else {}
    keys = {}
    for pk in ids:
        reached = ",".join(sorted({code for code, *_ in via.get(pk, ())}))
        key = f"row:{RELEASE}:{index.row_version(pk)}:{get_language()}:{pk}"
        keys[pk] = f"{key}:{reached}" if reached else key
    # A copy: the cache may hand back an object it keeps (django-redis, while Redis is down).
    rows = dict(caches["rows"].get_many(keys.values()))
    if missing := [pk for pk in ids if keys[pk] not in rows]:
        rendered = {keys[pk]: row for pk, row in list_rows(missing, index, via, True).items()}
        caches["rows"].set_many(rendered, PAGE_TIMEOUT)
        rows.update(rendered)
    searched = terms(filterset.data.get("q")) if ids else None
    shown = []
    for pk in ids:
        row = rows[keys[pk]]
        if searched and (found := index.snippet(pk, searched)):
            end = row.rindex("</li>")  # the row's own end (outcomes/rows.py)
            row = f'{row[:end]}<p class="snippet">{found}</p>\n{row[end:]}'
        shown.append(mark_safe(row))  # noqa: S308 (rows.py's output; snippets escape)
    return shown


@require_safe
@public_page(parameters=release_query)
def outcome_detail(request, slug):
    if "release" in request.GET:
        return record_as_of(request, "outcomes", slug)
    outcomes = (
        Outcome.objects.with_later_reports()
        .with_revision()
        .select_related("category", "source__own_side")
        .prefetch_related(
            Prefetch("participations", Participation.objects.select_related("organization")),
            "countries",
            Prefetch("reaches", Reach.objects.select_related("region")),
            Prefetch("mentions", Mention.objects.select_related("country", "region")),
            "figures",
            "programmes",
        )
    )
    if (outcome := outcomes.filter(slug=slug).first()) is None:
        return redirect_renamed(Outcome.objects, slug)
    # The members of each grouping the outcome reaches as a whole, as of its source's date,
    # but the members' own side (through_members' rule).
    members = (
        Membership.objects.as_of(outcome.source.published)
        .exclude(country=outcome.source.own_side_id)
        .select_related("country")
    )
    reached = [reach.region for reach in outcome.reaches.all() if reach.kind == "members"]
    prefetch_related_objects(reached, Prefetch("memberships", members, to_attr="members_then"))
    for region in reached:  # the members and the places by name in the page's language
        region.members_then = ordered(region.members_then, of=attrgetter("country"))
    outcome.places = ordered(outcome.countries.all())
    reports = outcome.reviewed_later_reports
    labels = [gettext("The record in this catalogue"), gettext("The item in the document")]
    labels += [gettext("A later report")] * len(reports)
    cited = citations.rendered(cited_outcome(request, outcome), labels)
    for number, report in enumerate(reports, 2):  # after the record and the document
        report.citations = [(label, entries[number][1]) for label, entries in cited]
        report.language_name = language_name(report.language)
    # Since the latest release: what changed ([] nothing, None: added since), read from it.
    in_releases = []
    if latest := releases.with_record(Release.objects.all(), "outcomes", outcome.slug).first():
        record = latest.record
        for former in [] if record else releases.former_slugs("outcomes", outcome.slug):
            # Renamed since (else new): frozen under the slug it had then.
            found = releases.with_record(Release.objects.filter(pk=latest.pk), "outcomes", former)
            if record := found.first().record:
                break
        latest.changed = record and releases.changed_since(record, releases.record_now(outcome))
        in_releases = releases.holding("outcomes", outcome.slug)
    context = {
        "outcome": outcome,
        "latest_release": latest,
        "in_releases": in_releases,
        "later_reports": reports,
        "last_searched": outcome.last_searched,
        "citations": cited,
        "cite_downloads": cite_links("outcomes:outcome_cite", slug=outcome.slug),
        "corrections": changelog.corrections(outcome),
        "json_ld": citations.json_ld(citations.outcome_schema(outcome, request)),
        "related": Outcome.objects.related_to(outcome).select_related("category")[:8],
        # Document order is within the outcome's source.
        "previous": outcome.source.outcomes.filter(position__lt=outcome.position).last(),
        "next": outcome.source.outcomes.filter(position__gt=outcome.position).first(),
    }
    return with_record_key(render(request, "outcomes/outcome_detail.html", context), outcome)


def frozen_row(request, table, slug):
    """(release, row) of ?release=<number>: the record `slug` of `table` as that release
    froze it, with its own row; 404 when that release lacks it (or there is none)."""
    if (release := releases.frozen_record(table, request.GET["release"], slug)) is None:
        raise Http404(AS_OF_MISSING[table])
    return release, release.record[table][0]


AS_OF_MISSING = {
    "outcomes": gettext_lazy("This outcome is not in that release."),
    "organizations": gettext_lazy("This organization is not in that release."),
}


def cited_as_of(request, release, row):
    """The record as `release` froze it and the item in the document it quotes (its source
    as frozen too), as CSL-JSON."""
    items = [citations.frozen_record_item(row, release, request)]
    if sources := release.record.get("sources"):  # (releases frozen before kept none)
        source = releases.frozen_source(sources[0])
        items.append(citations.document_item(source, row["reference"]))
    return items


def record_as_of(request, table, slug):
    """An outcome's or organization's page exactly as release ?release=<number> froze it,
    read from the frozen copy; 404 when that release lacks it."""
    number = request.GET["release"]
    if (release := releases.frozen_record(table, number, slug)) is None:
        for former in releases.former_slugs(table, slug):  # renamed since: its slug then
            if releases.frozen_record(table, number, former):
                address = reverse(releases.AS_OF[table], args=[former])
                return redirect(f"{address}?{urlencode({'release': number})}")
        raise Http404(AS_OF_MISSING[table])
    row = release.record[table][0]
    own, parts = releases.frozen(release.record, table, release.number)
    context = {"release": release, "own": own, "parts": parts, "title_lang": "en"}
    context["title"] = releases.label(releases.TABLES_BY_NAME[table], row)
    if chinese_page() and (chinese := row.get("title_zh") or row.get("name_zh")):
        context["title"], context["title_lang"] = chinese, "zh-Hans"
        if table == "outcomes":
            context["title"] = f"{row['reference']} {chinese}"
    if table == "outcomes":
        labels = [gettext("The record in this release"), gettext("The item in the document")]
        context["citations"] = citations.rendered(cited_as_of(request, release, row), labels)
        context["cite_downloads"] = [
            (label, f"{address}?release={release.number}")
            for label, address in cite_links("outcomes:outcome_cite", slug=slug)
        ]
    return render(request, "outcomes/as_of.html", context)


def language_name(code):
    """A source's language in the page's language, or its code if Django does not know it."""
    if code == "zh":  # Django names Chinese only by its scripts
        return gettext("Chinese")
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


@require_safe
@public_page
def category_list(request):
    categories = Category.objects.annotate(outcome_count=Count("outcomes")).order_by("order")
    return render(request, "outcomes/category_list.html", {"categories": categories})


@require_safe
@public_page
def category_detail(request, slug):
    if (category := Category.objects.filter(slug=slug).first()) is None:
        return redirect_renamed(Category.objects, slug)
    outcomes = first_outcomes(request, Outcome.objects.filter(category=category))
    context = {"category": category, "outcomes": outcomes}
    return with_record_key(render(request, "outcomes/category_detail.html", context), category)


@require_safe
@public_page(parameters=lambda query: urlencode({"type": query.get("type", "")}))
def organization_list(request):
    chosen_type = request.GET.get("type", "")
    known = chosen_type in OrganizationType.values
    organizations = Organization.objects.annotate(outcome_count=Count("participations"))
    if known:
        organizations = organizations.filter(type=chosen_type)
    type_counts = dict(Organization.objects.values_list("type").annotate(n=Count("pk")))
    type_bars = maps.bars(
        [
            (label, type_counts[value], f"?type={value}")
            for value, label in OrganizationType.choices
            if type_counts.get(value)
        ]
    )
    context = {
        "type_bars": type_bars,
        # A–Z in English, by pinyin on a Chinese page.
        "organizations": ordered(organizations, "name", english_key="sort_name"),
        "types": OrganizationType.choices,
        "chosen_type": chosen_type if known else "",
        "unknown_type": chosen_type and not known,
    }
    return render(request, "outcomes/organization_list.html", context)


@require_safe
@public_page(parameters=release_query)
def organization_detail(request, slug):
    if "release" in request.GET:
        return record_as_of(request, "organizations", slug)
    organizations = Organization.objects.select_related("country", "founded_by")
    if (organization := organizations.filter(slug=slug).first()) is None:
        return redirect_renamed(Organization.objects, slug)
    participations = organization.participations.select_related("outcome__category").order_by(
        "role", "outcome__position"
    )
    context = {
        "organization": organization,
        "participations": participations,
        "founded": organization.founded.all(),
        "in_releases": releases.holding("organizations", slug),
    }
    response = render(request, "outcomes/organization_detail.html", context)
    return with_record_key(response, organization)


@require_safe
@public_page
def country_list(request):
    # By continent, then by name in the page's language (a stable sort keeps the names').
    countries = sorted(ordered(Country.objects.with_outcomes()), key=attrgetter("continent"))
    world, rows = outcome_map()
    top = maps.bars(
        [
            (name, n, reverse("outcomes:country", args=[code.lower()]))
            for code, name, n, _ in rows[:10]
        ]
    )
    context = {"countries": countries, "map": world, "country_rows": rows, "top_countries": top}
    return render(request, "outcomes/country_list.html", context)


@require_safe
@public_page
def country_detail(request, code):
    country = get_object_or_404(Country, code=code.upper())
    if code != code.lower():
        return redirect(country, permanent=True)
    via_groupings = Outcome.objects.via_groupings([country])
    memberships = country.memberships.current().select_related("region")
    context = {
        "country": country,
        "named": first_outcomes(request, Outcome.objects.filter(countries=country)),
        "via_groupings": first_outcomes(request, via_groupings, via_codes={country.code}),
        "regions": ordered(membership.region for membership in memberships),
    }
    return with_record_key(render(request, "outcomes/country_detail.html", context), country)


@require_safe
@public_page
def region_list(request):
    """The groupings outcomes reach, by kind, each with the outcomes reaching it."""
    counted = Region.objects.annotate(outcome_count=Count("reaches__outcome", distinct=True))
    regions = sorted(ordered(counted), key=attrgetter("kind"))
    return render(request, "outcomes/region_list.html", {"regions": regions})


@require_safe
@public_page
def region_detail(request, slug):
    if (region := Region.objects.filter(slug=slug).first()) is None:
        return redirect_renamed(Region.objects, slug)
    memberships = ordered(region.memberships.select_related("country"), of=attrgetter("country"))
    # Who was a member on each date an outcome reaching the region was published.
    published = Source.objects.filter(outcomes__reaches__region=region).exclude(published=None)
    dates = list(published.order_by("published").values_list("published", flat=True).distinct())
    today = timezone.localdate()
    for membership in memberships:
        membership.then = [membership.in_force(day) for day in dates]
        membership.now = membership.in_force(today)
    current = [m.country for m in memberships if m.now]
    world, _ = outcome_map(highlight={country.code for country in current})
    context = {
        "region": region,
        "memberships": memberships,
        "dates": dates,
        "today": today,
        "as_a_whole": first_outcomes(request, Outcome.objects.reaching(region, ReachKind.MEMBERS)),
        "somewhere_in": first_outcomes(request, Outcome.objects.reaching(region, ReachKind.WITHIN)),
        "via_members": first_outcomes(request, Outcome.objects.in_members_of(region, current)),
        "map": world,
    }
    return render(request, "outcomes/region_detail.html", context)


@require_safe
@public_page
def about(request):
    version = request.data_version
    context = {
        "source": Source.objects.first(),
        "outcome_count": Outcome.objects.count(),
        "citations": citations.rendered([citations.catalogue_item(request, version)]),
        "cite_downloads": cite_links("outcomes:catalogue_cite"),
        "json_ld": citations.json_ld(
            citations.catalogue_schema(
                request,
                version,
                Source.objects.all(),
                exports.distributions(),
                exports.coverage(),
            )
        ),
        "license": settings.CATALOGUE_LICENSE,
        "reading_rules": list(READING_RULES.items()),
    }
    return render(request, "outcomes/about.html", context)


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
