"""The one FilterSet behind the outcome list, its facet counts and its exports."""

from array import array

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy

from outcomes.facets import MaskedOutcomes, facet_index
from outcomes.models import (
    DOCUMENT_ORDER,
    Country,
    Outcome,
    Participation,
    Reach,
    Status,
    chinese_page,
)
from outcomes.search import terms
from outcomes.versioning import current_version

SORTS = {
    "reference": (gettext_lazy("Document order"), DOCUMENT_ORDER),
    "title": (gettext_lazy("Title A–Z"), ["title", *DOCUMENT_ORDER]),
    "-updated": (gettext_lazy("Recently updated"), ["-updated", *DOCUMENT_ORDER]),
}

MAX_QUERY_LENGTH = 200

# Values one filter may name in one request (a clear message beyond): a request's
# cost and its page's size grow with them.
MAX_VALUES = 20


class KnownValuesField(forms.MultipleChoiceField):
    """Several slugs or codes of one filter, checked against those the catalogue knows.

    The known values come from the facet index of the data version (no query);
    an unknown one, a NUL character included, is reported by name.
    """

    default_error_messages = {
        "invalid_choice": gettext_lazy("“%(value)s” is not a known value."),
        "too_many": gettext_lazy("Choose at most %(most)s values (this asks for %(count)s)."),
    }
    known = frozenset()

    def validate(self, value):
        if len(value) > MAX_VALUES:
            raise forms.ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"count": len(value), "most": MAX_VALUES},
            )
        super().validate(value)

    def valid_value(self, value):
        return value in self.known


class KnownValuesFilter(django_filters.MultipleChoiceFilter):
    field_class = KnownValuesField


def _in_related(manager, lookup):
    """Filter outcomes whose rows in `manager` have `lookup` in the chosen values (OR)."""

    def method(queryset, name, value):
        if not value:
            return queryset
        rows = manager.filter(**{f"{lookup}__in": value}).values("outcome_id")
        return queryset.filter(pk__in=rows)

    return method


class OutcomeFilter(django_filters.FilterSet):
    """Values within one filter combine with OR; different filters with AND."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Search"), method="search", max_length=MAX_QUERY_LENGTH
    )
    category = KnownValuesFilter(
        method=lambda queryset, name, value: (
            queryset.filter(category__slug__in=value) if value else queryset
        ),
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
    sort = django_filters.ChoiceFilter(
        label=gettext_lazy("Sort by"),
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="sort_by",
        empty_label=None,
    )

    # Facets in the order they are shown, with their headings.
    FACETS = {
        "category": pgettext_lazy("facet", "Category"),
        "status": pgettext_lazy("facet", "Status"),
        "country": pgettext_lazy("facet", "Country"),
        "region": pgettext_lazy("facet", "Region"),
        "organization": pgettext_lazy("facet", "Organization"),
    }

    class Meta:
        model = Outcome
        fields = []

    # The parameters a list or export reads; any other is ignored.
    PARAMS = ("q", "sort", "via", "page", *FACETS)
    SINGLE = ("q", "sort", "via", "page")

    @classmethod
    def normalized(cls, query):
        """The query a list or export answers: its own parameters only, in a fixed
        order, each value once, one search; what pages link to and caches key on.

        Whatever a query string repeats or adds, the work and the page are those of
        this query (each filter is then held to MAX_VALUES by its field).
        """
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
            data = self.normalized(data)
        super().__init__(data, *args, **kwargs)
        self.version = current_version() if version is None else version
        known = facet_index(self.version).known
        for name, values in known.items():
            self.form.fields[name].known = values

    def get_form_class(self):
        # django-filter builds a new form class, with new fields, for every FilterSet:
        # half of the FilterSet's cost on each list request (README, Performance). Its
        # fields do not depend on the request, so build the class once (each form
        # still works on copies of them, as every Django form does). A filter whose
        # field depended on the request would need this removed.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def filter_country(self, queryset, name, value):
        """Outcomes with any of the countries as a place; with ?via=1, also those that
        reach one through a grouping they name as a whole (as of their source's date)."""
        if not value:
            return queryset
        places = Outcome.countries.through.objects.filter(country__code__in=value)
        found = Q(pk__in=places.values("outcome_id"))
        if self.form.cleaned_data.get("via"):
            reached = Reach.objects.through_members(Country.objects.filter(code__in=value))
            found |= Q(pk__in=reached.values("outcome_id"))
        return queryset.filter(found)

    def facet_of(self, name):
        """The index's facet a filter reads: a country's places, or with ?via=1 its reach."""
        if name == "country" and self.form.cleaned_data.get("via"):
            return "reach"
        return name

    def via_countries(self):
        """The chosen country codes when ?via=1 labels rows “via …”, else none."""
        if self.is_valid() and self.form.cleaned_data.get("via"):
            return set(self.form.cleaned_data.get("country") or [])
        return set()

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.best_first()
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])

    def chips(self, facets):
        """The values in use, each with the query string that removes it."""
        if not self.is_valid():
            return []
        labels = {
            (name, option["value"]): option["label"]
            for name, facet in facets.items()
            for option in facet["options"]
        }
        chips = []
        for name in ("q", *self.FACETS):
            for value in self.data.getlist(name) if self.data else []:
                if not value:
                    continue
                remaining = self.data.copy()
                remaining.setlist(name, [v for v in self.data.getlist(name) if v != value])
                remaining.pop("page", None)
                label = f"“{value}”" if name == "q" else labels.get((name, value), value)
                chips.append(
                    {
                        "filter": self.FACETS.get(name, gettext_lazy("Search")),
                        "label": label,
                        "remove": remaining.urlencode(),
                    }
                )
        if self.data and self.data.get("via") and self.data.getlist("country"):
            remaining = self.data.copy()
            remaining.pop("via")
            remaining.pop("page", None)
            chips.append(
                {
                    "filter": gettext_lazy("Reach"),
                    "label": gettext_lazy("also through groupings"),
                    "remove": remaining.urlencode(),
                }
            )
        return chips

    def found(self, index):
        """The outcomes matching `q`: (bitmask, their positions in the index best first
        where the database ranks them, else None). All outcomes without `q`.

        Kept with the index for the data version: one query per search, however
        many pages, orders and other filters it is asked with.
        """
        query = self.form.cleaned_data.get("q")
        if not query:
            return index.all, None

        def find():
            found = Outcome.objects.order_by().search(query)
            if "rank" not in found.query.annotations:
                return index.mask_of(found.values_list("pk", flat=True)), None
            ids = list(found.best_first().values_list("pk", flat=True))
            ranked = array("I", (index.bit[pk] for pk in ids if pk in index.bit))
            return index.mask_of(ids), ranked

        return index.keep(("search", terms(query)), find)

    def suggestion(self):
        """A query to propose when the search finds nothing at all (whatever the other
        filters), as {"text", "query": the list's query string with it}; else None."""
        if not self.is_valid() or not self.form.cleaned_data.get("q"):
            return None
        index = facet_index(self.version)
        if self.found(index)[0]:
            return None
        text = index.suggestion(terms(self.form.cleaned_data["q"]))
        if text is None:
            return None
        query = self.data.copy()
        query["q"] = text
        query.pop("page", None)
        return {"text": text, "query": query.urlencode()}

    def chosen(self, index):
        return {
            name: index.chosen(self.facet_of(name), self.data.getlist(name)) for name in self.FACETS
        }

    def listed(self):
        """The listed outcomes' ids, a sequence a Paginator counts and slices: from the
        index without a query, in document order or a search's best matches first
        (PostgreSQL ranks); from the database for a chosen sort. None when the
        filters' values are unusable."""
        if not self.is_valid():
            return []
        if self.form.cleaned_data.get("sort"):
            return self.qs.values_list("pk", flat=True)
        index = facet_index(self.version)
        mask, ranked = self.found(index)
        for chosen in self.chosen(index).values():
            if chosen is not None:
                mask &= chosen
        return MaskedOutcomes(index, mask, ranked)

    def facets(self):
        """For each facet, its values with the number of outcomes choosing each would give.

        Counted from the in-memory index of the data version (outcomes/facets.py):
        no query, or one to find the outcomes matching `q`. A long facet shows its
        FACET_LIMIT values with the most outcomes and every value in use; `more`
        counts the values left out.
        """
        if not self.is_valid():
            return {}
        return self.kept("facets", self._count_facets)

    def kept(self, name, compute):
        """compute(index), kept with the facet index for this choice of filters: the same
        for every page and order of them, in one language (FacetIndex.keep). Computed
        each time for filters that are not valid."""
        index = facet_index(self.version)
        if not self.is_valid():
            return compute(index)
        key = (
            name,
            get_language(),
            terms(self.form.cleaned_data.get("q")),
            bool(self.form.cleaned_data.get("via")),
            *(tuple(sorted(set(self.data.getlist(facet)))) for facet in self.FACETS),
        )
        return index.keep(key, lambda: compute(index))

    def _count_facets(self, index):
        matching, _ = self.found(index)
        chosen = self.chosen(index)
        chinese = chinese_page()
        facets = {}
        for name in self.FACETS:
            within = matching
            for other, mask in chosen.items():
                if other != name and mask is not None:
                    within &= mask
            selected = set(self.data.getlist(name))
            counts = index.counts(self.facet_of(name), within)
            options = []
            for value in counts.keys() | selected:
                if option := index.option(self.facet_of(name), value, chinese):
                    label, order = option
                    count = counts.get(value, 0)
                    options.append((order, value, label, count, value in selected))
            options = [
                {"value": value, "label": label, "count": count, "selected": is_selected}
                for _, value, label, count, is_selected in sorted(options)
            ]
            shown = options
            if len(options) > FACET_LIMIT:
                top = sorted(options, key=lambda option: -option["count"])[:FACET_LIMIT]
                keep = {id(option) for option in top}
                shown = [o for o in options if id(o) in keep or o["selected"]]
            facets[name] = {"options": shown, "more": len(options) - len(shown)}
        return facets


# Longer facets show only their values with the most outcomes (and those in use):
# a page lists a few dozen checkboxes, not every organization in the catalogue.
FACET_LIMIT = 20
