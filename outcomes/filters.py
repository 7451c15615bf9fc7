"""The one FilterSet behind the outcome list, its facet counts and its exports."""

import django_filters
from django import forms
from django.db.models import Count

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

    def queryset_without(self, excluded):
        """The outcomes under every active filter but `excluded` (for its facet counts)."""
        queryset = self.queryset
        for name, value in self.form.cleaned_data.items():
            if name not in (excluded, "sort"):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def facets(self):
        """For each facet, its values with the number of outcomes choosing each would give.

        One aggregate query per facet (five in all), whatever the number of values.
        A long facet shows its FACET_LIMIT values with the most outcomes, and every
        value in use; `more` counts the values left out.
        """
        if not self.is_valid():
            return {}
        status_labels = dict(Status.choices)
        facets = {}
        for name, (rows_of, key, label, order) in FACET_SOURCES.items():
            rows = (
                rows_of(self.queryset_without(name).values("pk"))
                .values(key, label)
                .annotate(n=Count("pk"))
                .order_by(order)
                .values_list(key, label, "n")
            )
            chosen = set(self.data.getlist(name))
            options = [
                {
                    "value": value,
                    "label": status_labels[text] if name == "status" else text,
                    "count": n,
                    "selected": value in chosen,
                }
                for value, text, n in rows
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

# Per facet: the rows to count for outcomes in a subquery, the value's key and
# label, and the order values are listed in. Counting rows is counting outcomes:
# an outcome has one category and status, and each country, region or
# organization at most once.
FACET_SOURCES = {
    "category": (
        lambda within: Outcome.objects.filter(pk__in=within),
        "category__slug",
        "category__name",
        "category__order",
    ),
    "status": (lambda within: Outcome.objects.filter(pk__in=within), "status", "status", "status"),
    "country": (
        lambda within: Outcome.countries.through.objects.filter(outcome__in=within),
        "country__code",
        "country__name",
        "country__name",
    ),
    "region": (
        lambda within: Outcome.regions.through.objects.filter(outcome__in=within),
        "region__slug",
        "region__name",
        "region__name",
    ),
    "organization": (
        lambda within: Participation.objects.filter(outcome__in=within),
        "organization__slug",
        "organization__name",
        "organization__sort_name",
    ),
}
