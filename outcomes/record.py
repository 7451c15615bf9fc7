"""An outcome's public record, defined once (docs/reuse.md): FIELDS, from which the
downloads, the API's schema and the data package derive, and PRIVATE, what is deliberately
not published. `Outcome.objects.with_record_rows()` reads the rows a record shows."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, get_origin

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, TypeAdapter
from pydantic import Field as Described

from outcomes import models

# The downloads of a list of records: format -> (label, media type).
DOWNLOAD_FORMATS = {
    "csv": ("CSV", "text/csv; charset=utf-8"),
    "xlsx": ("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("JSON", "application/json"),
}

# Many values in one CSV or Excel cell are joined with this (JSON gives a list).
JOIN = "; "

# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(cell):
    """Quoted so that a spreadsheet shows it as text (unescape_formula undoes it)."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def unescape_formula(cell):
    if isinstance(cell, str) and cell[:1] == "'" and cell[1:2] in FORMULA_STARTS:
        return cell[1:]
    return cell


class SourceRef(BaseModel):
    slug: str
    title: str
    url: str = Described(description="Where the publisher serves the document.")


class RegionReach(BaseModel):
    slug: str
    reach: models.ReachKind = Described(
        description="members: the text names the grouping as a whole, so the outcome "
        "reaches each member as of its source's date; within: an unnamed part of it."
    )
    words: str


class ReachedVia(BaseModel):
    country: str
    region: str


class MentionRecord(BaseModel):
    country: str | None = Described(description="ISO code of the country named, if a country.")
    region: str | None = Described(description="Slug of the grouping named, if a grouping.")
    words: str
    reason: models.MentionReason


class OrganizationPart(BaseModel):
    name: str
    slug: str
    role: models.Role
    sironet_membership: models.SironetMembership


class FigureRecord(BaseModel):
    kind: models.FigureKind
    value: int | None
    qualifier: models.Qualifier | None
    currency: str | None
    currency_assumed: bool
    unit: str | None
    unit_zh: str | None
    aim: bool = Described(description="The text gives it as an aim (“to attract”), not a result.")
    words: str
    display: str = Described(description="The figure as the catalogue reads it, in English.")


# A figure's fields its record publishes (the admin's figure rows show them too): all but
# the display, which the catalogue works out.
FIGURE_FIELDS = tuple(name for name in FigureRecord.model_fields if name != "display")


class ProgrammeRecord(BaseModel):
    name: str
    name_zh: str


class LaterReportRecord(BaseModel):
    published: date = Described(description="The day the source was published.")
    publisher: str
    title: str = Described(description="The source's title exactly as published.")
    url: str = Described(description="Where the source is published.")
    language: str = Described(description="The source's language, as a code: en, zh, ko…")
    reading: models.Reading = Described(
        description="What it reports; the about page gives each rule."
    )
    summary: str = Described(description="What it reports, in an editor's words, in English.")
    summary_zh: str = Described(description="The same in Chinese (empty until written).")
    figures: list[FigureRecord]


# The columns of a later report its record publishes, but its figures (the data package's
# later_report_figures table) and the outcomes it concerns (its later_report_outcomes table).
REPORT_FIELDS = tuple(name for name in LaterReportRecord.model_fields if name != "figures")


@dataclass(frozen=True)
class Context:
    """`via(outcome)`: [(country code, country name, region slug, region name)] through which
    the outcome reaches a chosen country (the list's ?via=1)."""

    request: Any = None
    via: Callable | None = None

    def absolute(self, path):
        return self.request.build_absolute_uri(path) if self.request else path


@dataclass(frozen=True)
class Column:  # of the CSV and Excel downloads
    name: str
    meaning: Any = None
    cell: Callable[[models.Outcome, Context], Any] | None = None
    many: bool = False


@dataclass(frozen=True)
class Field:
    """A field of the record: `value(outcome, context)` is its JSON value, of `type`. Its CSV
    and Excel column shows `cell` (by default its value); `codes`, a column beside it, names
    the same by code or slug. `publishes`: {model: (fields it makes public)}, in the data
    package's outcomes table or, for a row model, in `table`."""

    name: str
    type: Any
    meaning: Any
    value: Callable[[models.Outcome, Context], Any]
    publishes: dict = field(default_factory=dict)
    table: str = ""
    cell: Callable[[models.Outcome, Context], Any] | None = None
    cell_meaning: Any = None
    codes: Column | None = None

    @property
    def many(self):
        return get_origin(self.type) is list

    @property
    def json_type(self):  # as JSON Schema (and the API's schema) names it
        schema = TypeAdapter(self.type).json_schema()
        types = " or ".join(option["type"] for option in schema.get("anyOf", [schema]))
        return f"{types} ({schema['format']})" if "format" in schema else types

    def csv_columns(self):
        shown = Column(self.name, self.cell_meaning or self.meaning, self.cell or self.value)
        beside = (replace(self.codes, cell=self.codes.cell or self.value),) if self.codes else ()
        return tuple(replace(column, many=self.many) for column in (shown, *beside))


def own(name, meaning, type_=str, **kwargs):
    """A field that is the outcome's own column."""

    def value(outcome, context):
        return getattr(outcome, name)

    return Field(name, type_, meaning, value, publishes={models.Outcome: (name,)}, **kwargs)


def each(rows, show):
    """A value of many: `show(row)` for each of the outcome's `rows` (a manager's name)."""
    return lambda outcome, context: [show(row) for row in getattr(outcome, rows).all()]


def figure_words(figure):
    """A figure as the document words it, then how the catalogue reads it where that differs."""
    notes = []
    if figure.value is not None and figure.display_en != figure.words:
        notes.append(f"read as {figure.display_en}")
    if figure.currency_assumed:
        notes.append("currency assumed")
    if figure.aim:
        notes.append("an aim, not a result")
    return f"{figure.words} ({', '.join(notes)})" if notes else figure.words


def figure_record(figure):
    return {
        "kind": figure.kind,
        "value": None if figure.value is None else int(figure.value),
        "qualifier": figure.qualifier or None,
        "currency": figure.currency or None,
        "currency_assumed": figure.currency_assumed,
        "unit": figure.unit or None,
        "unit_zh": figure.unit_zh or None,
        "aim": figure.aim,
        "words": figure.words,
        "display": figure.words if figure.value is None else figure.display_en,
    }


def reviewed_reports(outcome):
    """Read by Outcome.objects.with_later_reports(), which reads no report awaiting review."""
    return outcome.reviewed_later_reports


def report_record(report):
    return {
        **{name: getattr(report, name) for name in REPORT_FIELDS},
        "published": report.published.isoformat(),
        "figures": [figure_record(figure) for figure in report.figures.all()],
    }


def reached_via(outcome, context):
    return list(context.via(outcome)) if context.via else []


FIELDS = (
    own(
        "reference",
        _(
            "The item’s number in its source document: the section’s numeral and the item’s "
            "number (“II.10”). Unique only within its source."
        ),
    ),
    Field(
        "source",
        SourceRef,
        _(
            "The source document, by its short name (slug); the data package’s sources table "
            "gives its title, publisher, date and address."
        ),
        lambda outcome, context: {
            name: getattr(outcome.source, name) for name in SourceRef.model_fields
        },
        publishes={models.Outcome: ("source",)},
        cell=lambda outcome, context: outcome.source.slug,
    ),
    own(
        "slug",
        _(
            "The outcome’s key in the catalogue, unique across sources: its page is "
            "/outcomes/<slug>/."
        ),
    ),
    own("title", _("A short title of the catalogue’s own, saying nothing the text does not say.")),
    own("title_zh", _("The title in Chinese, where the catalogue has one.")),
    Field(
        "category",
        str,
        _("The section of the document the item is in, by its short name (slug)."),
        lambda outcome, context: outcome.category.slug,
        publishes={models.Outcome: ("category",)},
        cell=lambda outcome, context: outcome.category.name,
        cell_meaning=_("The section of the document the item is in, by name."),
        codes=Column(
            "category_slug", _("The same section, by its short name (as in /categories/<slug>/).")
        ),
    ),
    own(
        "status",
        _(
            "Planned, ongoing, completed or unknown, read from the text’s verbs by the rules "
            "on the about page."
        ),
        models.Status,
        cell=lambda outcome, context: outcome.get_status_display(),
        cell_meaning=_("Planned, Ongoing, Completed or Unknown, by the rules on the about page."),
    ),
    own(
        "plans",
        _(
            "What the text says is planned or only advocated, in its words, when the item "
            "also reports something done."
        ),
    ),
    own("year", _("The year, only where the text states one."), int | None),
    own(
        "reading_note",
        _(
            "An editor's note where reading the text is a judgement (a present tense beside "
            "a past one, an aim beside a result): what was decided and why."
        ),
    ),
    Field(
        "countries",
        list[str],
        _(
            "The outcome’s places, by ISO 3166-1 alpha-2 code: the countries where the text "
            "says the work happens, or that it names as the other side of the cooperation."
        ),
        each("countries", lambda country: country.code),
        publishes={models.Outcome: ("countries",)},
        table="places",
        cell=each("countries", lambda country: country.name),
        cell_meaning=_(
            "The outcome’s places, by name: the countries where the text says the work "
            "happens, or that it names as the other side of the cooperation."
        ),
        codes=Column(
            "country_codes", _("The same places, by ISO 3166-1 alpha-2 code, in the same order.")
        ),
    ),
    Field(
        "regions",
        list[RegionReach],
        _(
            "The groupings the text names, each with its kind of reach: “via the grouping” "
            "(each country that was a member on the source’s date is reached) or “somewhere "
            "in” (an unnamed part of it: no single country)."
        ),
        each("reaches", lambda r: {"slug": r.region.slug, "reach": r.kind, "words": r.words}),
        publishes={models.Outcome: ("regions",), models.Reach: ("region", "kind", "words")},
        table="reaches",
        cell=each("reaches", lambda reach: f"{reach.region.name} ({reach.get_kind_display()})"),
        cell_meaning=_("The groupings the text names, by name, each with its kind of reach."),
        codes=Column(
            "region_slugs",
            _("The same groupings, by short name (as in /regions/<slug>/), in the same order."),
            each("reaches", lambda reach: reach.region.slug),
        ),
    ),
    Field(
        "reached_via",
        list[ReachedVia],
        _(
            "Only when the list’s option “also outcomes that reach a chosen country through a "
            "grouping” is on: how the outcome reaches each chosen country it does not name as "
            "a place."
        ),
        lambda outcome, context: [
            {"country": code, "region": slug} for code, _, slug, _ in reached_via(outcome, context)
        ],
        cell=lambda outcome, context: [
            f"{country} ({code}) via {region}"
            for code, country, _, region in reached_via(outcome, context)
        ],
        cell_meaning=_(
            "Only when the list’s option “also outcomes that reach a chosen country through a "
            "grouping” is on: how the outcome reaches each chosen country it does not name as "
            "a place, as “Country (code) via grouping”."
        ),
    ),
    own(
        "scope",
        _(
            "Reach the text gives without naming countries, in its words (“20 Belt and Road "
            "countries”)."
        ),
    ),
    Field(
        "mentions",
        list[MentionRecord],
        _(
            "Countries and groupings the text names without placing the work there, each with "
            "the text’s words and the reason it is not a place. Never a place."
        ),
        each(
            "mentions",
            lambda mention: {
                "country": mention.country.code if mention.country else None,
                "region": mention.region.slug if mention.region else None,
                "words": mention.words,
                "reason": mention.reason,
            },
        ),
        publishes={models.Mention: ("country", "region", "words", "reason")},
        table="mentions",
        cell=each("mentions", lambda m: f"{m} (“{m.words}”: {m.get_reason_display()})"),
        cell_meaning=_(
            "Countries and groupings the text names without placing the work there, each with "
            "the text’s words and the reason it is not a place."
        ),
    ),
    Field(
        "organizations",
        list[OrganizationPart],
        _(
            "The organizations the item names, in its order, each with its role: lead, "
            "co-lead, partner or founded body."
        ),
        each(
            "participations",
            lambda p: {
                "name": p.organization.name,
                "slug": p.organization.slug,
                "role": p.role,
                "sironet_membership": p.organization.membership,
            },
        ),
        publishes={
            models.Outcome: ("organizations",),
            models.Participation: ("organization", "role"),
        },
        table="participations",
        cell=each(
            "participations", lambda p: f"{p.organization.name} ({p.get_role_display().lower()})"
        ),
        cell_meaning=_(
            "The organizations the item names, in its order, as “Name (role)”: lead, co-lead, "
            "partner or founded body."
        ),
        codes=Column(
            "organization_slugs",
            _(
                "The same organizations, by short name (as in /organizations/<slug>/), in the "
                "same order."
            ),
            each("participations", lambda p: p.organization.slug),
        ),
    ),
    Field(
        "figures",
        list[FigureRecord],
        _(
            "Amounts of money and counts: the document’s words, and the number, qualifier, "
            "currency or unit the catalogue reads in them (“currency assumed” where the text "
            "does not name the currency: “dollars” read as US dollars)."
        ),
        each("figures", figure_record),
        publishes={models.Figure: FIGURE_FIELDS},
        table="figures",
        cell=each("figures", figure_words),
        cell_meaning=_(
            "Amounts of money and counts, in the document’s words; then, in brackets, how the "
            "catalogue reads the number where that differs, and “currency assumed” where the "
            "text does not name the currency."
        ),
    ),
    Field(
        "programmes",
        list[ProgrammeRecord],
        _("Programmes, projects, platforms and bodies the item names, as it writes them."),
        each("programmes", lambda p: {"name": p.name, "name_zh": p.name_zh}),
        publishes={models.Programme: ("name", "name_zh")},
        table="programmes",
        cell=each("programmes", lambda programme: programme.name),
    ),
    own("text", _("The item’s text exactly as the document prints it.")),
    own("text_zh", _("A Chinese rendering of the text, labelled a translation.")),
    own("translated_by", _("Who made the Chinese title and text.")),
    own(
        "translation_reviewed",
        _("Whether someone has checked the Chinese against official usage."),
        bool,
    ),
    Field(
        "url",
        str,
        _("The outcome’s page in the catalogue."),
        lambda outcome, context: context.absolute(outcome.get_absolute_url()),
    ),
    Field(
        "updated",
        datetime,
        _("When the catalogue’s record last changed (ISO 8601, UTC)."),
        lambda outcome, context: outcome.updated.isoformat(timespec="seconds"),
        publishes={models.Outcome: ("updated",)},
    ),
    Field(
        "later_reports",
        list[LaterReportRecord],
        _(
            "What happened next: public sources published after the document, each read, "
            "summarised and reviewed by the catalogue’s editors, oldest first, with its "
            "reading (continued, expanded, delivered, changed, ended or contradicts) and the "
            "figures it gives."
        ),
        lambda outcome, context: [report_record(r) for r in reviewed_reports(outcome)],
        publishes={
            models.LaterReport: (*REPORT_FIELDS, "reviewed", "outcomes"),
            models.ReportFigure: FIGURE_FIELDS,
        },
        table="later_reports",
        cell=lambda outcome, context: [
            f"{report.reading} {report.published.isoformat()}"
            for report in reviewed_reports(outcome)
        ],
        cell_meaning=_(
            "What happened next: the reviewed later reports, oldest first, each as its "
            "reading and its date of publication (“continued 2019-11-22; expanded "
            "2021-06-11”); the JSON download and the data package give their sources and "
            "summaries."
        ),
        codes=Column(
            "later_report_urls",
            _("The same later reports’ addresses, in the same order."),
            lambda outcome, context: [report.url for report in reviewed_reports(outcome)],
        ),
    ),
    Field(
        "last_searched",
        date | None,
        _(
            "The day editors last searched for later reports on the outcome; empty when never "
            "searched. Searched without a later report: none found as of that day."
        ),
        lambda outcome, context: outcome.last_searched and outcome.last_searched.isoformat(),
        publishes={models.LaterSearch: ("searched", "queries", "note")},
        table="later_searches",
    ),
)

COLUMNS = tuple(column for f in FIELDS for column in f.csv_columns())

# What the catalogue keeps but does not publish (all else is in downloads/package.py's tables),
# and why: database ids (records are named by keys, slugs and codes); `position` (the lists'
# order says it); `search_text` and `sort_name` (worked out from what is published); `created`
# (the record's first save); a region's `members` (the memberships table).
PRIVATE = {
    models.Outcome: ("id", "position", "search_text", "created"),
    models.Participation: ("id", "outcome", "position"),
    models.Reach: ("id", "outcome"),
    models.Mention: ("id", "outcome"),
    models.Figure: ("id", "outcome", "position"),
    models.Programme: ("id", "outcome", "position"),
    # Published once reviewed; who added and reviewed it are the editors' (the admin and the
    # history say), the package says when it was reviewed.
    models.LaterReport: ("id", "added_by", "added_by_name", "reviewed_by", "reviewed_by_name"),
    models.ReportFigure: ("id", "report", "position"),
    models.LaterSearch: ("id", "outcome", "searched_by", "searched_by_name"),
    models.Organization: ("id", "sort_name"),
    models.Country: ("id",),
    models.Region: ("id", "members"),
    models.Category: ("id",),
    models.Source: ("id",),
    models.Membership: ("id",),
}


def as_json(outcome, context):
    """As the JSON download and the API give it."""
    return {f.name: f.value(outcome, context) for f in FIELDS}


def cells(outcome, context):
    """The outcome's row of a CSV or Excel file."""
    row = []
    for column in COLUMNS:
        value = column.cell(outcome, context)
        if column.many:
            value = JOIN.join(value)
        row.append(escape_formula("" if value is None else value))
    return row
