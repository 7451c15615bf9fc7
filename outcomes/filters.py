"""The one FilterSet behind the outcome list, its facet counts and its exports."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection

from outcomes.facets import MaskedOutcomes, facet_index
from outcomes.models import (
    Category,
    Country,
    Organization,
    Outcome,
    Participation,
    Region,
    Status,
)
from outcomes.search import search_outcomes

SORTS = {
    "reference": ("Document order", ["position"]),
    "title": ("Title A–Z", ["title", "position"]),
    "-updated": ("Recently updated", ["-updated", "position"]),
}

MAX_QUERY_LENGTH = 200


class SlugChoiceField(forms.ModelMultipleChoiceField):
    """Several values of one filter; an unknown one is reported by name."""

    default_error_messages = {
        "invalid_choice": "“%(value)s” is not a known value.",
        "invalid_pk_value": "“%(pk)s” is not a valid value.",
    }

    def clean(self, value):
        # PostgreSQL refuses a NUL character in a query: such a value is simply unknown.
        for item in value or []:
            if "\x00" in str(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(item).replace("\x00", "")},
                )
        return super().clean(value)


class SlugFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SlugChoiceField


def _in_through(through, column):
    """Filter outcomes whose `through` rows have `column` in the chosen values (OR)."""

    def method(queryset, name, value):
        if not value:  # an empty queryset of choices: the filter is not in use
            return queryset
        rows = through.objects.filter(**{f"{column}__in": value}).values("outcome_id")
        return queryset.filter(pk__in=rows)

    return method


class OutcomeFilter(django_filters.FilterSet):
    """Values within one filter combine with OR; different filters with AND."""

    q = django_filters.CharFilter(label="Search", method="search", max_length=MAX_QUERY_LENGTH)
    category = SlugFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        method=lambda queryset, name, value: (
            queryset.filter(category__in=value) if value else queryset
        ),
    )
    country = SlugFilter(
        queryset=Country.objects.all(),
        to_field_name="code",
        method=_in_through(Outcome.countries.through, "country"),
    )
    region = SlugFilter(
        queryset=Region.objects.all(),
        to_field_name="slug",
        method=_in_through(Outcome.regions.through, "region"),
    )
    organization = SlugFilter(
        queryset=Organization.objects.all(),
        to_field_name="slug",
        method=_in_through(Participation, "organization"),
    )
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="sort_by",
        empty_label=None,
    )

    # Facets in the order they are shown, with their headings.
    FACETS = {
        "category": "Category",
        "status": "Status",
        "country": "Country",
        "region": "Region",
        "organization": "Organization",
    }

    class Meta:
        model = Outcome
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            # Country codes may come in any case: ?country=mm is ?country=MM.
            data.setlist("country", [code.strip().upper() for code in data.getlist("country")])
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        return search_outcomes(queryset, value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("q") and not data.get("sort") and "rank" in queryset.query.annotations:
            # A search without a chosen order lists the best matches first (PostgreSQL ranks).
            queryset = queryset.order_by("-rank", "position")
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])

    def chips(self, facets):
        """The values in use, each with the query string that removes it."""
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
                        "filter": self.FACETS.get(name, "Search"),
                        "label": label,
                        "remove": remaining.urlencode(),
                    }
                )
        return chips

    def matching(self, index):
        """The outcomes matching `q` (all without it), as a bitmask: at most one query."""
        if not hasattr(self, "_matching"):
            self._matching = index.all
            if query := self.form.cleaned_data.get("q"):
                found = search_outcomes(Outcome.objects.order_by(), query)
                self._matching = index.search_mask(
                    query, lambda: found.values_list("pk", flat=True)
                )
        return self._matching

    def chosen(self, index):
        return {name: index.chosen(name, self.data.getlist(name)) for name in self.FACETS}

    def in_document_order(self, version):
        """The listed outcomes' ids, counted and sliced from the index, when it can.

        The index keeps document order, so it serves lists in that order: not a
        chosen sort, nor a search ranked by PostgreSQL. Returns None otherwise.
        """
        data = self.form.cleaned_data
        if data.get("sort") or (data.get("q") and connection.vendor == "postgresql"):
            return None
        index = facet_index(version)
        mask = self.matching(index)
        for chosen in self.chosen(index).values():
            if chosen is not None:
                mask &= chosen
        return MaskedOutcomes(index, mask)

    def facets(self, version):
        """For each facet, its values with the number of outcomes choosing each would give.

        Counted from the in-memory index of data version `version` (outcomes/facets.py):
        no query, or one to find the outcomes matching `q`. A long facet shows its
        FACET_LIMIT values with the most outcomes and every value in use; `more`
        counts the values left out.
        """
        if not self.is_valid():
            return {}
        index = facet_index(version)
        matching = self.matching(index)
        chosen = self.chosen(index)
        facets = {}
        for name in self.FACETS:
            within = matching
            for other, mask in chosen.items():
                if other != name and mask is not None:
                    within &= mask
            selected = set(self.data.getlist(name))
            options = [
                {"value": value, "label": label, "count": count, "selected": value in selected}
                for value, label, count in index.counts(name, within)
                if count or value in selected
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
