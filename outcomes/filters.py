"""The one FilterSet behind the outcome list, the API's list and the downloads
(docs/architecture.md): the facet index of the data version (outcomes/facets.py) answers it
all but a chosen sort order."""

import functools
import heapq
import operator
from array import array
from collections.abc import Container
from operator import itemgetter

import django_filters
from django import forms
from django.db.models import OuterRef, Q, Subquery
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy

from outcomes.dataversion import current_version
from outcomes.facets import LATER_STATES, REPORTED, REVIEWED_LINKS, MaskedOutcomes, facet_index
from outcomes.models import (
    DOCUMENT_ORDER,
    Country,
    LaterReport,
    LaterSearch,
    Outcome,
    Participation,
    Reach,
    Reading,
    Status,
    chinese_page,
    in_page_language,
    in_page_order,
    unreviewed_mark,
)
from outcomes.search import terms

# The day of an outcome's latest reviewed later report (none: NULL).
LATEST_REPORT = Subquery(
    LaterReport.objects.reviewed()
    .filter(outcomes=OuterRef("pk"))
    .order_by("-published")
    .values("published")[:1]
)

SORTS = {
    "reference": (gettext_lazy("Document order"), DOCUMENT_ORDER),
    "title": (gettext_lazy("Title A–Z"), ["title", *DOCUMENT_ORDER]),
    "-updated": (gettext_lazy("Recently updated"), ["-updated", *DOCUMENT_ORDER]),
    "-later": (
        gettext_lazy("Latest later report first"),
        [LATEST_REPORT.desc(nulls_last=True), *DOCUMENT_ORDER],
    ),
}

MAX_QUERY_LENGTH = 200
# Values one filter may name in one request: a request's cost and its page's size grow with them.
MAX_VALUES = 20
# Outcomes per page of the list (and of the API's list: page N there is page N here).
PAGE_SIZE = 20
# Longer facets show only their values with the most outcomes (and those in use): a page
# lists a few dozen checkboxes, not every organization in the catalogue.
FACET_LIMIT = 20

# A facet's option in the panel (_facets.html); counts are plain digits.
OPTION = (
    '<li><label><input type="checkbox" name="{}" value="{}"{}>{}{} '
    '<span class="count">({})</span></label></li>'
)
CHECKED = {True: mark_safe(" checked"), False: ""}  # noqa: S308 (a constant)


class KnownValuesField(forms.MultipleChoiceField):
    """Several slugs or codes of one filter, checked against those the facet index knows
    (no query); an unknown one, a NUL character included, is reported by name."""

    default_error_messages = {
        "invalid_choice": gettext_lazy("“%(value)s” is not a known value."),
        "too_many": gettext_lazy("Choose at most %(most)s values (this asks for %(count)s)."),
    }
    known: Container[str] = ()

    def validate(self, value):
        if len(value) > MAX_VALUES:
            params = {"count": len(value), "most": MAX_VALUES}
            raise forms.ValidationError(self.error_messages["too_many"], "too_many", params)
        super().validate(value)

    def valid_value(self, value):
        return value in self.known


class KnownValuesFilter(django_filters.MultipleChoiceFilter):
    field_class = KnownValuesField


def later_state(queryset, name, value):
    """Outcomes in any of the chosen LATER_STATES (as the facet index reads them)."""
    searched = Q(pk__in=LaterSearch.objects.values("outcome_id"))
    states = {
        "reported": REPORTED,
        "none-found": ~REPORTED & searched,
        "not-searched": ~REPORTED & ~searched,
    }
    return queryset.filter(functools.reduce(operator.or_, (states[v] for v in value)))


def _in_related(manager, lookup):
    """Outcomes whose rows in `manager` have any of the chosen values as `lookup`."""
    return lambda queryset, name, value: queryset.filter(
        pk__in=manager.filter(**{f"{lookup}__in": value}).values("outcome_id")
    )


def narrowed(mask, masks):
    """`mask` ANDed with each of `masks` but None (a filter not in use)."""
    return functools.reduce(operator.and_, (m for m in masks if m is not None), mask)


class OutcomeFilter(django_filters.FilterSet):
    """Values within one filter combine with OR; different filters with AND."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Search"),
        method=lambda queryset, name, value: queryset.search(value),
        max_length=MAX_QUERY_LENGTH,
    )
    category = KnownValuesFilter(
        method=lambda queryset, name, value: queryset.filter(category__slug__in=value)
    )
    country = KnownValuesFilter(method="filter_country")
    via = django_filters.ChoiceFilter(
        label=gettext_lazy("Reach"),
        choices=[("1", gettext_lazy("Also outcomes that reach it through a grouping"))],
        method=lambda queryset, name, value: queryset,  # read by filter_country
    )
    region = KnownValuesFilter(method=_in_related(Outcome.regions.through.objects, "region__slug"))
    organization = KnownValuesFilter(
        method=_in_related(Participation.objects, "organization__slug")
    )
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    later = django_filters.MultipleChoiceFilter(
        choices=list(LATER_STATES.items()), method=later_state
    )
    reading = django_filters.MultipleChoiceFilter(
        choices=Reading.choices, method=_in_related(REVIEWED_LINKS, "laterreport__reading")
    )
    sort = django_filters.ChoiceFilter(
        label=gettext_lazy("Sort by"),
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method=lambda queryset, name, value: queryset.order_by(*SORTS[value][1]),
        empty_label=None,
    )

    # Facets in the order they are shown, with their headings.
    FACETS = {
        "category": pgettext_lazy("facet", "Category"),
        "status": pgettext_lazy("facet", "Status"),
        "country": pgettext_lazy("facet", "Country"),
        "region": pgettext_lazy("facet", "Region"),
        "organization": pgettext_lazy("facet", "Organization"),
        "later": pgettext_lazy("facet", "Later reports"),
        "reading": pgettext_lazy("facet", "What later reports say"),
    }

    class Meta:
        model = Outcome
        fields: list[str] = []

    # The parameters a list or export reads; any other is ignored.
    PARAMS = ("q", "sort", "via", "page", *FACETS)
    SINGLE = ("q", "sort", "via", "page")

    @classmethod
    def canonical_query(cls, query):
        """The query a list or export answers, what pages link to and caches key on: its own
        parameters only, in a fixed order, each value once, one search (each filter is then
        held to MAX_VALUES by its field)."""
        clean = QueryDict(mutable=True)
        for name in cls.PARAMS:
            values = [value.strip() for value in query.getlist(name)]
            if name == "country":  # ?country=mm is ?country=MM
                values = [value.upper() for value in values]
            values = list(dict.fromkeys(value for value in values if value))
            if values:
                clean.setlist(name, values[:1] if name in cls.SINGLE else values)
        return clean

    def __init__(self, data=None, *args, version=None, **kwargs):
        if data is not None:
            data = self.canonical_query(data)
        super().__init__(data, *args, **kwargs)
        self.index = facet_index(current_version() if version is None else version)
        for name, field in self.form.fields.items():
            if isinstance(field, KnownValuesField):
                field.known = self.index.names[name]

    def filter_country(self, queryset, name, value):
        """Outcomes with any of the countries as a place; with ?via=1, also those that
        reach one through a grouping they name as a whole (as of their source's date)."""
        places = Outcome.countries.through.objects.filter(country__code__in=value)
        found = Q(pk__in=places.values("outcome_id"))
        if self.form.cleaned_data.get("via"):
            reached = Reach.objects.through_members(Country.objects.filter(code__in=value))
            found |= Q(pk__in=reached.values("outcome_id"))
        return queryset.filter(found)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset if self.form.cleaned_data.get("sort") else queryset.best_first()

    def problems(self):
        """What makes the filters' values unusable, in words: [] when they are usable."""
        return [
            f"{self.FACETS.get(name, self.form.fields[name].label)}: {' '.join(errors)}"
            for name, errors in self.form.errors.items()
        ]

    def facet_of(self, name):
        """The index's facet a filter reads: a country's places, or with ?via=1 its reach."""
        return "reach" if name == "country" and self.form.cleaned_data.get("via") else name

    def via_codes(self):
        """The chosen country codes when ?via=1 labels rows “via …”, else none."""
        if self.is_valid() and self.form.cleaned_data.get("via"):
            return set(self.form.cleaned_data.get("country") or [])
        return set()

    def reach_labels(self):
        """via(outcome) for the downloads and the API; None without ?via=1."""
        codes = self.via_codes()
        return (lambda outcome: self.index.via_groupings(outcome.pk, codes)) if codes else None

    def search_matches(self):
        """The outcomes matching `q` (all without it): (bitmask, their positions in the index
        best first where the database ranks them, else None). Remembered with the index: one
        query per search, however many pages, orders and other filters it is asked with."""
        index, query = self.index, self.form.cleaned_data.get("q")
        if not query:
            return index.all, None

        def search():
            found = Outcome.objects.order_by().search(query)
            if "rank" not in found.query.annotations:
                return index.mask_of_outcomes(found.values_list("pk", flat=True)), None
            ids = list(found.best_first().values_list("pk", flat=True))
            ranked = array("I", (index.bit[pk] for pk in ids if pk in index.bit))
            return index.mask_of_outcomes(ids), ranked

        return index.remember(("search", terms(query)), search)

    def query_string(self, name=None, values=()):
        """The list's query string without its page; with `name`, `values` as its values."""
        query = self.data.copy() if self.data else QueryDict(mutable=True)
        query.pop("page", None)
        if name:
            query.setlist(name, values)
        return query.urlencode()

    def suggestion(self):
        """A query to propose when the search finds nothing at all (whatever the other
        filters), as {"text", "query": the list's query string with it}; else None."""
        if not self.is_valid() or not self.form.cleaned_data.get("q") or self.search_matches()[0]:
            return None
        text = self.index.suggestion(terms(self.form.cleaned_data["q"]))
        return None if text is None else {"text": text, "query": self.query_string("q", [text])}

    def chosen_masks(self):
        return {
            name: self.index.mask_of(self.facet_of(name), self.data.getlist(name))
            for name in self.FACETS
        }

    def outcome_ids(self):
        """The listed outcomes' ids, a sequence a Paginator counts and slices (empty when the
        filters are unusable): from the database for a chosen sort, else from the index, in
        document order or a search's best matches first (PostgreSQL ranks)."""
        if not self.is_valid():
            return []
        if self.form.cleaned_data.get("sort"):
            return self.qs.values_list("pk", flat=True)
        mask, ranked = self.search_matches()
        return MaskedOutcomes(self.index, narrowed(mask, self.chosen_masks().values()), ranked)

    def choice_key(self):
        """This choice of filters in the page's language, whatever its page and order."""
        return (
            get_language(),
            terms(self.form.cleaned_data.get("q")),
            bool(self.form.cleaned_data.get("via")),
            *(tuple(sorted(set(self.data.getlist(facet)))) for facet in self.FACETS),
        )

    def facet_counts(self):
        """For each facet, its values with the number of outcomes choosing each would give,
        from the index (no query but a search's): FACET_LIMIT values and those in use, and
        `more`, the number left out, and `most`, the most outcomes one of them has.
        Remembered with the index for this choice of filters."""
        if not self.is_valid():
            return {}
        return self.index.remember(("facets", *self.choice_key()), self._count_facets)

    def _count_facets(self):
        matching, _ = self.search_matches()
        chosen = self.chosen_masks()
        chinese = chinese_page()
        facets = {}
        for name in self.FACETS:
            within = narrowed(matching, (m for other, m in chosen.items() if other != name))
            facet = self.facet_of(name)
            selected = set(self.data.getlist(name))
            counts = self.index.counts(facet, within)
            names = self.index.names[facet]  # value: ((English, Chinese), sort key)
            unreviewed = self.index.unreviewed.get(facet, ())
            found = []
            for value in (counts.keys() | selected) & names.keys():
                (english, in_chinese), order = names[value]
                if isinstance(order, str):  # names: by pinyin on a Chinese page
                    order = in_page_order(order, in_chinese, chinese)
                option = {
                    "value": value,
                    "label": in_page_language(english, in_chinese, chinese),
                    "count": counts.get(value, 0),
                    "selected": value in selected,
                    "unreviewed": chinese and bool(in_chinese) and value in unreviewed,
                }
                found.append((order, value, option))
            options = [option for _, _, option in sorted(found, key=itemgetter(0, 1))]
            top = {id(o) for o in heapq.nlargest(FACET_LIMIT, options, key=itemgetter("count"))}
            shown = [option for option in options if id(option) in top or option["selected"]]
            left = [o["count"] for o in options if id(o) not in top and not o["selected"]]
            facets[name] = {"options": shown, "more": len(left), "most": max(left, default=0)}
        return facets

    def facet_panel(self, facets):
        """The facets' HTML, rendered once for this choice of filters in this language."""

        def render():
            # Each option's line built here: the template engine cost most of a panel.
            mark = format_html(" {}", unreviewed_mark())
            groups = [
                {
                    **facet,
                    "name": name,
                    "label": self.FACETS[name],
                    "options": [
                        format_html(
                            OPTION,
                            name,
                            o["value"],
                            CHECKED[o["selected"]],
                            o["label"],
                            mark if o["unreviewed"] else "",
                            o["count"],
                        )
                        for o in facet["options"]
                    ],
                }
                for name, facet in facets.items()
            ]
            context = {"facet_groups": groups, "via": self.form.cleaned_data.get("via")}
            return render_to_string("outcomes/includes/_facets.html", context)

        return self.index.remember(("facet panel", *self.choice_key()), render)

    def chips(self, facets):
        """The values in use, each with the query string that removes it."""
        if not self.is_valid():
            return []
        labels = {
            (name, option["value"]): option["label"]
            for name, facet in facets.items()
            for option in facet["options"]
        }
        chosen = {name: self.data.getlist(name) for name in ("q", *self.FACETS)}
        chips = [
            {
                "filter": self.FACETS.get(name, gettext_lazy("Search")),
                "label": f"“{value}”" if name == "q" else labels.get((name, value), value),
                "remove": self.query_string(name, [v for v in values if v != value]),
            }
            for name, values in chosen.items()
            for value in values
        ]
        if self.data.get("via") and self.data.getlist("country"):
            label, remove = gettext_lazy("also through groupings"), self.query_string("via")
            chips.append({"filter": gettext_lazy("Reach"), "label": label, "remove": remove})
        return chips
