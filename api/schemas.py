"""The API's shapes, but for the records api/views.py declares with their operations."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.urls import reverse
from django.utils.http import urlencode
from ninja import Schema
from pydantic import BeforeValidator, Field, create_model

from outcomes import record
from outcomes.facets import LATER_STATES
from outcomes.filters import MAX_QUERY_LENGTH, MAX_VALUES, SORTS
from outcomes.models import Reading, Status

FIELDS: dict[str, Any] = {
    field.name: (field.type, Field(description=str(field.meaning))) for field in record.FIELDS
}

OutcomeRecord = create_model(
    "OutcomeRecord",
    __doc__="An outcome: its reference within its source, its slug, and what the catalogue "
    "holds of it (the JSON download's record).",
    **FIELDS,
)

# A date, or a date and time with an optional offset, each part within its range, so that a
# value the pattern admits is a time; only 29 February of a common year still gets 400.
ISO_TIME = (
    r"^([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)-"
    r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-9]))"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$"
)


def any_of(description):  # a parameter given any number of times
    return Field([], max_length=MAX_VALUES, description=description)


class OutcomeQuery(Schema):
    """The outcome list page's parameters (OutcomeFilter), and `modified_since`."""

    q: str | None = Field(
        None, max_length=MAX_QUERY_LENGTH, description="Words, each starting a word found."
    )
    category: list[str] = any_of("Category slugs (OR).")
    country: list[str] = any_of("ISO country codes, any case (OR).")
    via: Literal["1"] | None = Field(
        None, description="1: also outcomes that reach a chosen country through a grouping."
    )
    region: list[str] = any_of("Region slugs (OR).")
    organization: list[str] = any_of("Organization slugs (OR).")
    status: list[Status] = any_of("Statuses (OR).")
    later: list[Literal[tuple(LATER_STATES)]] = any_of(  # type: ignore[valid-type]
        "What is known of later reports (OR): reported (a reviewed later report), "
        "none-found (searched, none found) or not-searched (never searched)."
    )
    reading: list[Reading] = any_of(
        "Readings of reviewed later reports (OR): outcomes with a report of any of them."
    )
    sort: Literal[tuple(SORTS)] | None = Field(  # type: ignore[valid-type]
        None,
        description="Document order (default; best matches first for a search), "
        "title, most recently updated first, or latest reviewed later report first (those "
        "without one last, in document order).",
    )
    page: int = Field(1, ge=1, description="The page, from 1.")
    modified_since: str | None = Field(
        None,
        pattern=ISO_TIME,
        examples=["2025-01-31T12:00:00Z", "2025-01-31"],
        description="A date, or a date and time (ISO 8601; UTC unless it gives an offset). "
        "Only outcomes whose record may read differently since then (inclusive): the outcome "
        "itself, any of its rows (organizations, places, groupings, figures, programmes, "
        "mentions), its later reports or searches for them, or a category, source, "
        "organization or grouping it names changed. "
        "Deleted outcomes are not listed.",
    )


class FacetOption(Schema):
    value: str
    # The facet index keeps a choice's label lazy, to be read in each page's language.
    label: Annotated[str, BeforeValidator(str)]
    count: int = Field(description="How many outcomes choosing this value would give.")
    selected: bool
    unreviewed: bool = Field(description="The label is a Chinese name no one has reviewed yet.")


class Facet(Schema):
    options: list[FacetOption]
    more: int = Field(description="Values left out of a long facet (those with fewest outcomes).")
    most: int = Field(description="The most outcomes one of the values left out has.")


class Linked(Schema):
    """A record with a page on the site (`url`) and a filter of the outcome list (`outcomes`);
    each record declares the two fields itself, last, as its JSON gives them."""

    @staticmethod
    def resolve_url(record, context):
        return context["request"].build_absolute_uri(record.get_absolute_url())

    @staticmethod
    def resolve_outcomes(record, context):
        (key,) = record.natural_key()
        query = urlencode({record._meta.model_name: key})
        return context["request"].build_absolute_uri(f"{reverse('api:outcomes')}?{query}")


class Member(Schema):
    country: str = Field(validation_alias="country.code")
    since: date | None = Field(description="The day it joined; empty: founding or unknown.")
    until: date | None = Field(description="The day it left; empty while a member.")


class Index(Schema):
    outcomes: str
    organizations: str
    countries: str
    regions: str
    categories: str
    sources: str
    releases: str
    openapi: str = Field(description="This API's OpenAPI 3.1 schema.")
    docs: str = Field(description="This API's documentation, to read and try.")


class ReleaseRecord(Schema):
    """A release: a numbered, frozen state of the catalogue to cite."""

    number: str = Field(description="YYYY.N: the year and the release's place in it.")
    published: datetime
    note: str = Field(description="What the release brings.")
    doi: str = Field(description="Its DOI, once one is minted; else empty.")
    checksum: str = Field(description="SHA-256 of its data package's zip.")
    counts: dict[str, int] = Field(
        description="Records added, changed and removed against the release before it."
    )
    url: str = Field(description="Its page: the note, the changelog, the files.")
    data_package: str = Field(description="Its data package (zip), which never changes.")

    @staticmethod
    def resolve_url(release, context):
        return context["request"].build_absolute_uri(release.get_absolute_url())

    @staticmethod
    def resolve_data_package(release, context):
        address = reverse("downloads:release_file", args=[release.number, "datapackage.zip"])
        return context["request"].build_absolute_uri(address)


class FrozenRecord(Schema):
    """An outcome or organization exactly as a release froze it."""

    release: str = Field(description="The release's number.")
    published: datetime = Field(description="When the release was published.")
    url: str = Field(description="The record's page as of the release.")
    record: dict[str, list[dict[str, str]]] = Field(
        description="Its own row and the rows that name it, by the data package's table "
        "(as in the release's CSV files: every value as text)."
    )


class Error(Schema):
    detail: str = Field(description="What was wrong with the request, in words.")
