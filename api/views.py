"""The read-only JSON API, /api/v1/ (django-ninja; docs/reuse.md): thin like the pages, each
operation is a base queryset, the list page's FilterSet where it lists outcomes, and a page."""

from datetime import UTC, date, datetime
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from ninja import Field, NinjaAPI, Path, Query, Schema, Swagger
from ninja.errors import HttpError, ValidationError
from ninja.pagination import PaginationBase, paginate

from api.schemas import (
    Error,
    Facet,
    FrozenRecord,
    Index,
    Linked,
    Member,
    OutcomeQuery,
    OutcomeRecord,
    ReleaseRecord,
)
from downloads import releases
from edge.pages import public_page
from outcomes import record
from outcomes.filters import PAGE_SIZE, OutcomeFilter
from outcomes.models import (
    Category,
    Continent,
    Country,
    Membership,
    Organization,
    OrganizationType,
    Outcome,
    Region,
    RegionKind,
    Release,
    SironetMembership,
    Source,
)

RECORDS_PER_PAGE = 100  # organizations, countries, regions…: short records
SLUG = r"^[-a-zA-Z0-9_]+$"


class CatalogueAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation):
        # An operation's name alone: the schema does not change when the code moves.
        return operation.view_func.__name__


api = CatalogueAPI(
    title="SIRONET Outcomes Catalogue API",
    version="1",
    description=(
        "Read-only JSON records of the catalogue: outcomes (with the outcome list's filters "
        "and facet counts), organizations, countries, regions, categories and sources. "
        "Lists are paged (`next`, `previous`). Every answer carries an `ETag`: send it back "
        "in `If-None-Match` to get `304 Not Modified` while the data is unchanged. "
        'Errors are JSON: `{"detail": "…"}` with 400 or 404. Public data: any origin '
        "may read it (`Access-Control-Allow-Origin: *`)."
    ),
    urls_namespace="api",
    # Our own static files, under the site's CSP: no CDN, no call to the online validator.
    docs=Swagger(settings={"validatorUrl": None, "deepLinking": False}),
)


def api_query(query):
    """The query an answer is kept by: the parameters the API reads (any other costs no copy)."""
    known = [*OutcomeFilter.PARAMS, "modified_since"]
    return urlencode([(name, value) for name in known for value in query.getlist(name)])


# ETag and Last-Modified from the data version, 304 for a revisit, a kept copy.
api.add_decorator(public_page(parameters=api_query), mode="view")


def answers(schema):
    return {200: schema, 304: None, 400: Error, 404: Error}


# Where ninja says a parameter was: not part of its name (`filters` is list_outcomes's).
LOCATIONS = {"query", "path", "filters"}


@api.exception_handler(ValidationError)
def invalid_request(request, exc):
    """A parameter of the wrong type or form: 400 (not ninja's 422), in words."""
    problems = []
    for error in exc.errors:
        # ("query", "filters", "status", 0) -> status.0: the parameter as the request names it
        where = [str(part) for part in error.get("loc", ()) if part not in LOCATIONS]
        problems.append(f"{'.'.join(where) or 'request'}: {error.get('msg', 'invalid')}")
    return api.create_response(request, {"detail": "; ".join(problems)}, status=400)


class Pages(PaginationBase):
    """Numbered pages (Django's Paginator) with absolute links to the next and previous."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="The page, from 1.")

    class Output(Schema):
        count: int = Field(description="How many records the list holds, on all its pages.")
        next: str | None = Field(description="The next page's address, if any.")
        previous: str | None = Field(description="The previous page's address, if any.")
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(
        self, queryset, pagination, request, base_query=None, page_size=RECORDS_PER_PAGE, **params
    ):
        """The links keep `base_query` (the request's by default). A page past the last is 404."""
        paginator = Paginator(queryset, page_size)
        try:
            page = paginator.page(pagination.page)
        except EmptyPage:
            raise HttpError(
                404, f"There is no page {pagination.page}: the last is {paginator.num_pages}."
            ) from None
        query = (request.GET if base_query is None else base_query).copy()
        query.pop("page", None)

        def link(number):
            query["page"] = number
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        return {
            "count": paginator.count,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": list(page.object_list),
        }


@api.get("/", response={200: Index, 304: None}, tags=["index"], summary="What this API holds")
def index(request):
    names = ["outcomes", "organizations", "countries", "regions", "categories", "sources"]
    names.append("releases")
    addresses = {name: reverse(f"api:{name}") for name in names}
    addresses.update(openapi=reverse("api:openapi-json"), docs=reverse("api:openapi-view"))
    return {name: request.build_absolute_uri(path) for name, path in addresses.items()}


def outcome_records(outcomes, request, via=None):
    """{pk: record} of `outcomes`, read as the JSON download reads them."""
    context = record.Context(request=request, via=via)
    return {outcome.pk: record.as_json(outcome, context) for outcome in outcomes.with_record_rows()}


class OutcomePage(Pages.Output):
    results: list[OutcomeRecord]
    facets: dict[str, Facet] = Field(
        description="The outcome list page's facet counts for these filters (without "
        "`modified_since`): " + ", ".join(OutcomeFilter.FACETS) + "."
    )


@api.get(
    "/outcomes/",
    response=answers(OutcomePage),
    url_name="outcomes",
    tags=["outcomes"],
    summary="Outcomes, filtered as the outcome list",
)
def list_outcomes(request, filters: Query[OutcomeQuery]):
    """The outcome list page's results, 20 a page, and its facet counts.

    Its parameters are the list page's, read by the same FilterSet: page N here is page N
    there. `modified_since` narrows the results to what changed, for syncing.
    """
    filterset = OutcomeFilter(request.GET, version=request.data_version)
    if problems := filterset.problems():
        raise HttpError(400, "; ".join(problems))
    ids = filterset.outcome_ids()
    query = filterset.data.copy()
    if filters.modified_since is not None:
        try:  # a time without offset is UTC; 400 for no time (a 13th month) or out of range
            since = datetime.fromisoformat(filters.modified_since)
            since = since.replace(tzinfo=UTC) if timezone.is_naive(since) else since.astimezone(UTC)
        except (OverflowError, ValueError) as error:
            raise HttpError(400, f"modified_since: {error}.") from None
        ids = filterset.qs.changed_since(since).values_list("pk", flat=True)
        query["modified_since"] = since.isoformat()
    page = Pages().paginate_queryset(
        ids, Pages.Input(page=filters.page), request, base_query=query, page_size=PAGE_SIZE
    )
    shown = page["results"]
    found = outcome_records(Outcome.objects.filter(pk__in=shown), request, filterset.reach_labels())
    # (an outcome deleted since its id was listed is left out, not a failure)
    page["results"] = [found[pk] for pk in shown if pk in found]
    return {**page, "facets": filterset.facet_counts()}


def one_outcome(request, outcomes, missing):
    records = outcome_records(outcomes, request)
    if not records:
        raise HttpError(404, missing)
    return next(iter(records.values()))


@api.get(
    "/outcomes/{slug}/",
    response=answers(OutcomeRecord),
    url_name="outcome",
    tags=["outcomes"],
    summary="One outcome, by slug",
)
def get_outcome(request, slug: str = Path(..., pattern=SLUG, max_length=200)):
    return one_outcome(
        request,
        Outcome.objects.filter(slug=slug),
        f"No outcome has the slug “{slug}”. An outcome is addressed by its slug, or by its "
        "reference within its source: /api/v1/sources/<source>/outcomes/<reference>/.",
    )


@api.get(
    "/sources/{source}/outcomes/{reference}/",
    response=answers(OutcomeRecord),
    url_name="outcome_by_reference",
    tags=["outcomes"],
    summary="One outcome, by its reference within its source",
)
def get_outcome_by_reference(
    request,
    source: str = Path(..., pattern=SLUG, max_length=50),
    reference: str = Path(..., pattern=r"^[A-Za-z0-9]+\.[0-9]+$", max_length=12, examples=["I.3"]),
):
    """A reference such as “I.3” (any case) is unique within one source only."""
    return one_outcome(
        request,
        Outcome.objects.filter(source__slug=source, reference=reference.upper()),
        f"No outcome {reference.upper()} in a source “{source}”.",
    )


def records(plural, queryset, listed, one, max_length=50):
    """Registers the schema it decorates as GET /<plural>/, `queryset` in pages, and
    GET /<plural>/<key>/, one record by its natural key (a slug, or a country's code)."""
    name = queryset.model._meta.model_name
    (key,) = queryset.model.NATURAL_KEY
    pattern, max_length = (r"^[A-Za-z]{2}$", None) if key == "code" else (SLUG, max_length)

    def register(schema):
        @api.get(
            f"/{plural}/",
            response=answers(list[schema]),  # type: ignore[valid-type]
            url_name=plural,
            operation_id=f"list_{plural}",
            tags=[plural],
            summary=listed,
        )
        @paginate(Pages)
        def list_records(request):
            return queryset.all()  # a fresh copy: `queryset` would keep its rows

        @api.get(
            f"/{plural}/{{{key}}}/",
            response=answers(schema),
            url_name=f"get_{name}",
            operation_id=f"get_{name}",
            tags=[plural],
            summary=one,
        )
        def get_record(
            request, value: str = Path(alias=key, pattern=pattern, max_length=max_length)
        ):
            found = queryset.filter(**{key: value.upper() if key == "code" else value}).first()
            if found is None:
                raise HttpError(404, f"No {name} has the {key} “{value}”.")
            return found

        return schema

    return register


# Each with its number of outcomes; ordered, as aggregations ignore Meta.ordering.
ORGANIZATIONS = (
    Organization.objects.select_related("country", "founded_by")
    .annotate(outcome_count=Count("participations"))
    .order_by("sort_name")
)


@records("organizations", ORGANIZATIONS, "Organizations, A–Z", "One organization", max_length=200)
class OrganizationRecord(Linked):
    slug: str
    name: str
    acronym: str
    type: OrganizationType
    country: str | None = Field(description="ISO code of its home country, where known.")
    sironet_membership: SironetMembership = Field(validation_alias="membership")
    founded_by: str | None = Field(description="The organization that founded it, if any.")
    outcome_count: int
    url: str = Field(description="The organization's page.")
    outcomes: str = Field(description="Its outcomes in this API.")

    @staticmethod
    def resolve_country(organization):
        return organization.country.code if organization.country else None

    @staticmethod
    def resolve_founded_by(organization):
        return organization.founded_by.slug if organization.founded_by else None


@records("countries", Country.objects, "Countries (ISO 3166-1), by name", "One country")
class CountryRecord(Linked):
    code: str = Field(description="ISO 3166-1 alpha-2.")
    name: str
    common_name: str
    continent: Continent
    url: str
    outcomes: str


REGIONS = Region.objects.prefetch_related(
    Prefetch("memberships", queryset=Membership.objects.select_related("country"))  # type: ignore[arg-type]
)


@records("regions", REGIONS, "Regions and groupings, by name", "One region or grouping")
class RegionRecord(Linked):
    slug: str
    name: str
    kind: RegionKind
    description: str
    members: list[Member] = Field(
        validation_alias="memberships", description="Its memberships, with their dates."
    )
    url: str
    outcomes: str


@records("categories", Category.objects, "Categories, in document order", "One category")
class CategoryRecord(Linked):
    slug: str
    numeral: str = Field(description="The section's Roman numeral in the source.")
    order: int
    name: str
    description: str
    url: str
    outcomes: str


@records("sources", Source.objects, "The documents outcomes are taken from", "One source")
class SourceRecord(Schema):
    slug: str
    title: str
    publisher: str
    published: date | None
    url: str = Field(description="Where the publisher serves the document.")
    note: str


@api.get(
    "/releases/",
    response=answers(list[ReleaseRecord]),
    url_name="releases",
    tags=["releases"],
    summary="Releases, newest first",
)
@paginate(Pages)
def list_releases(request):
    """Numbered, frozen states of the catalogue to cite (docs/reuse.md, "Releases")."""
    return Release.objects.listed()


def frozen(request, table, number, slug):
    if (release := releases.frozen_record(table, number, slug)) is None:
        kind = table.removesuffix("s")
        raise HttpError(404, f"No release {number} holds an {kind} with the slug “{slug}”.")
    page = f"{reverse(releases.AS_OF[table], args=[slug])}?release={release.number}"
    return {
        "release": release.number,
        "published": release.published,
        "url": request.build_absolute_uri(page),
        "record": releases.ordered_record(release.record),
    }


RELEASE_NUMBER = Path(..., pattern=r"^[0-9]{4}\.[1-9][0-9]*$", max_length=20, examples=["2026.1"])


@api.get(
    "/releases/{number}/outcomes/{slug}/",
    response=answers(FrozenRecord),
    url_name="release_outcome",
    tags=["releases"],
    summary="One outcome as a release froze it",
)
def get_release_outcome(
    request, number: str = RELEASE_NUMBER, slug: str = Path(..., pattern=SLUG, max_length=200)
):
    return frozen(request, "outcomes", number, slug)


@api.get(
    "/releases/{number}/organizations/{slug}/",
    response=answers(FrozenRecord),
    url_name="release_organization",
    tags=["releases"],
    summary="One organization as a release froze it",
)
def get_release_organization(
    request, number: str = RELEASE_NUMBER, slug: str = Path(..., pattern=SLUG, max_length=200)
):
    return frozen(request, "organizations", number, slug)
