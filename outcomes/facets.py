"""Facet counts from bitmasks each process holds per data version, instead of GROUP BY
queries per request (docs/performance.md). Bit i of a value's mask is the i-th outcome in
document order: a filter ORs its values' masks, filters AND, a count is a popcount. After a
change to a few outcomes' rows (VersionLog) a copy reads those again, else it is rebuilt."""

import copy
import functools
import itertools
import operator
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, gettext_lazy

from outcomes.models import (
    Category,
    Country,
    LaterReport,
    LaterSearch,
    Organization,
    Outcome,
    Participation,
    Reach,
    Reading,
    Region,
    Status,
    VersionLog,
    in_page_language,
)
from outcomes.search import snippet, suggestion, vocabulary

REMEMBERED = 2000  # results (searches, facet counts, panels) an index remembers


@dataclass
class Facet:
    masks: dict = field(default_factory=dict)  # value -> bitmask of outcomes
    # bit -> the values of that outcome: tuples, which the garbage collector stops scanning
    # (lists of 20,000 outcomes made each full collection of a worker far slower)
    values_of: list = field(default_factory=list)
    links: int = 0  # how many (outcome, value) pairs


def _mask(bits, size):
    buffer = bytearray((size + 7) // 8)
    for bit in bits:
        buffer[bit >> 3] |= 1 << (bit & 7)
    return int.from_bytes(buffer, "little")


def bit_string(mask):
    """`mask` as a string of "0" and "1", bit 0 first: bit_string(mask)[i] is bit i."""
    return bin(mask)[:1:-1]


def positions(mask):
    """The positions of the bits set in `mask`, lowest first."""
    bits = bit_string(mask)
    position = bits.find("1")
    while position >= 0:
        yield position
        position = bits.find("1", position + 1)


# What is known of an outcome's later reports (the list's `later` filter): a reviewed
# report; searched, and none found; or never searched.
LATER_STATES = {
    "reported": gettext_lazy("Has later reports"),
    "none-found": gettext_lazy("None found (searched)"),
    "not-searched": gettext_lazy("Not searched yet"),
}

# An outcome's own values, what its list row shows of itself (outcomes/rows.py), and its
# texts for a search's snippets (outcomes/search.py).
OWN = ("pk", "position", "category__slug", "status", "searched")
HEAD = ("reference", "slug", "title", "title_zh", "translation_reviewed")
TEXTS = ("text", "text_zh")


def own_rows(outcomes):
    """The OWN values of `outcomes` (a QuerySet): `searched`, whether it was ever searched
    for later reports, rides on the same query."""
    searched = Exists(LaterSearch.objects.filter(outcome=OuterRef("pk")))
    return outcomes.annotate(searched=searched).values_list(*OWN, *HEAD, *TEXTS)


def heads_and_texts(rows):
    """{pk: HEAD values} and {pk: TEXTS} of own_rows."""
    head, texts = len(OWN), len(OWN) + len(HEAD)
    return {row[0]: row[head:texts] for row in rows}, {row[0]: row[texts:] for row in rows}


# Links of outcomes to the reports the public sees.
REVIEWED_LINKS = LaterReport.outcomes.through.objects.filter(
    laterreport__in=LaterReport.objects.reviewed()
)
REPORTED = Q(pk__in=REVIEWED_LINKS.values("outcome_id"))  # the outcomes with one
FACETS = ("category", "status", "country", "region", "organization", "reach", "later", "reading")
# An outcome's linked values: (facet, rows, the linked record's key).
LINKED: list[tuple[str, Any, str]] = [
    ("country", Outcome.countries.through.objects, "country__code"),
    ("region", Outcome.regions.through.objects, "region__slug"),
    ("organization", Participation.objects, "organization__slug"),
]
# Most outcomes a change may touch for an index to re-read them (see updated_to).
MAX_PATCHED = 500

# The facets whose names a search finds an outcome by, with the label a snippet gives them.
NAMED_BY = (
    ("organization", gettext_lazy("Organization:")),
    ("country", gettext_lazy("Place:")),
    ("region", gettext_lazy("Grouping:")),
    ("category", gettext_lazy("Category:")),
)


class FacetIndex:
    def __init__(self, version_tag=""):
        rows = list(own_rows(Outcome.objects.in_document_order()))
        self.built, self.changed = version_tag, {}  # see row_version
        self.size = len(rows)
        self.all = (1 << self.size) - 1
        self.ids = [pk for pk, *_ in rows]
        self.positions = [position for _, position, *_ in rows]
        self.bit = {pk: index for index, pk in enumerate(self.ids)}
        self.heads, self.texts = heads_and_texts(rows)
        self.facets: defaultdict[str, Facet] = defaultdict(Facet)
        self.memo: dict[Any, Any] = {}
        # bit -> [(country code, region slug)]
        self.groupings: defaultdict[int, list[tuple[str, str]]] = defaultdict(list)
        self.latest: dict[int, tuple] = {}  # bit -> (day, reading) of its latest later report
        read = self._read(rows)
        bits: defaultdict[str, defaultdict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for bit, values in read.items():
            for name, found in values.items():
                for value in found:
                    bits[name][value].append(bit)
        for name in FACETS:  # every facet, with values or not
            values, facet = bits[name], self.facets[name]
            facet.values_of = [tuple(read[bit][name]) for bit in range(self.size)]
            facet.masks = {value: _mask(found, self.size) for value, found in values.items()}
            facet.links = sum(map(len, values.values()))
        # Every value a filter may name, with outcomes or not: to validate filters, and to
        # label and order each facet's values; `unreviewed`: those whose Chinese name no one
        # has reviewed (a country's comes from CLDR); `other_names`: what else a search finds
        # a value by (a snippet says so).
        self.names: dict[str, dict[Any, tuple[tuple[Any, Any], Any]]] = {}
        self.unreviewed: dict[str, set[Any]] = {}
        self.other_names: dict[str, dict[Any, str]] = {}
        countries = Country.objects.annotate(translation_reviewed=Value(True))
        named: list[tuple[str, QuerySet, str, str, tuple[str, ...]]] = [
            ("category", Category.objects.all(), "slug", "order", ()),
            ("country", countries, "code", "name", ("common_name", "aliases")),
            ("region", Region.objects.all(), "slug", "name", ()),
            (
                "organization",
                Organization.objects.all(),
                "slug",
                "sort_name",
                ("acronym", "aliases"),
            ),
        ]
        for name, records, key_field, by, others in named:
            listed = records.values_list(
                key_field, "name", "name_zh", by, "translation_reviewed", *others
            )
            self.names[name] = {key: ((en, zh), order) for key, en, zh, order, *_ in listed}
            self.unreviewed[name] = {key for key, _, zh, _, done, *_ in listed if zh and not done}
            self.other_names[name] = {row[0]: " ".join(" ".join(row[5:]).split()) for row in listed}
        organizations = Organization.objects.exclude(acronym="")
        self.acronyms = dict(organizations.values_list("slug", "acronym"))
        self.names |= {
            "reach": self.names["country"],
            "status": {v: ((label, ""), i) for i, (v, label) in enumerate(Status.choices)},
            "later": {v: ((label, ""), i) for i, (v, label) in enumerate(LATER_STATES.items())},
            "reading": {
                v: ((capfirst(label), ""), i) for i, (v, label) in enumerate(Reading.choices)
            },
        }

    def _read(self, rows, outcomes=None):
        """{bit: {facet: [values]}} of `rows` (OWN values of `outcomes`, a QuerySet, or
        of all outcomes), reading their links; sets their groupings."""
        values: defaultdict = defaultdict(lambda: defaultdict(list))
        searched = set()

        def read(links, lookup, *fields):
            """(bit, *fields[1:]) of `links`, whose first field is an outcome's id."""
            if outcomes is None:
                found = links.values_list(*fields).iterator(5000)
            else:  # a patch's few rows in one round trip, not a server-side cursor's
                found = links.filter(**{lookup: outcomes}).values_list(*fields)
            # Not an outcome committed after the outcomes were read.
            return ((self.bit[pk], *rest) for pk, *rest in found if pk in self.bit)

        for pk, _, slug, status, was_searched, *_ in rows:
            bit = self.bit[pk]
            values[bit]["category"].append(slug)
            values[bit]["status"].append(status)
            if was_searched:
                searched.add(bit)
        for name, manager, key in LINKED:
            for bit, value in read(manager.all(), "outcome__in", "outcome_id", key):
                values[bit][name].append(value)
        # The countries each outcome reaches through a grouping it names as a whole (as of
        # its source's date): the "reach" facet is a country's places or groupings, and
        # `via` says which grouping.
        reaches = Reach.objects.through_members().distinct()
        fields = ("outcome_id", "region__memberships__country__code", "region__slug")
        for bit, code, slug in read(reaches, "outcome__in", *fields):
            self.groupings[bit].append((code, slug))
        # The readings of each outcome's reviewed later reports (labelled by self.names), read
        # from the reports' side: a patch then uses the links' index on outcomes.
        reports = LaterReport.objects.reviewed().order_by()
        for bit, day, reading in read(reports, "outcomes__in", "outcomes", "published", "reading"):
            values[bit]["reading"].append(reading)
            self.latest[bit] = max(self.latest.get(bit, (day, reading)), (day, reading))
        for pk, *_ in rows:
            bit = self.bit[pk]
            readings = values[bit]["reading"] = list(dict.fromkeys(values[bit]["reading"]))
            state = "reported" if readings else "none-found" if bit in searched else "not-searched"
            values[bit]["later"] = [state]
            reached = dict.fromkeys(values[bit]["country"])
            reached.update(dict.fromkeys(code for code, _ in self.groupings.get(bit, ())))
            values[bit]["reach"] = list(reached)
        return values

    def updated_to(self, version, newer):
        """This index (of `version`, a dataversion.Version) brought to `newer` by reading again
        the outcomes the changes in between touched (VersionLog); None when it must be
        rebuilt: `version` is not in this database's history (restored), a change touched
        more than rows or is not logged, or the outcomes are too many or have moved."""
        logs = VersionLog.objects.filter(version__gte=version.number, version__lte=newer.number)
        changes = list(logs.order_by("version").values_list("changed", "outcomes", "whole"))
        if not changes or changes.pop(0)[0] != version.changed:
            return None
        if len(changes) != newer.number - version.number or any(w for *_, w in changes):
            return None
        outcome_ids = set().union(*(outcomes for _, outcomes, _ in changes))
        return self._patch(outcome_ids, newer.tag) if len(outcome_ids) <= MAX_PATCHED else None

    def _patch(self, outcome_ids, version_tag):
        outcomes = Outcome.objects.filter(pk__in=outcome_ids)
        rows = list(own_rows(outcomes))
        if len(rows) != len(outcome_ids) or any(
            pk not in self.bit or self.positions[self.bit[pk]] != position
            for pk, position, *_ in rows
        ):
            return None  # added, removed or moved in document order
        index = copy.copy(self)  # what the changes leave alone is shared, never changed
        index.memo = {}
        heads, texts = heads_and_texts(rows)
        index.heads, index.texts = {**self.heads, **heads}, {**self.texts, **texts}
        index.groupings = defaultdict(list, self.groupings)
        index.facets = defaultdict(Facet)
        for name, f in self.facets.items():
            index.facets[name] = Facet(dict(f.masks), list(f.values_of), f.links)
        touched = {self.bit[pk] for pk, *_ in rows}
        index.changed = {**self.changed, **dict.fromkeys(touched, version_tag)}
        index.latest = {bit: v for bit, v in self.latest.items() if bit not in touched}
        for bit in touched:
            index.groupings.pop(bit, None)
        values = index._read(rows, outcomes)
        for name, facet in index.facets.items():
            for bit in touched:
                for value in facet.values_of[bit]:
                    facet.masks[value] &= ~(1 << bit)
                    if not facet.masks[value]:
                        del facet.masks[value]
                for value in values[bit][name]:
                    facet.masks[value] = facet.masks.get(value, 0) | (1 << bit)
                facet.links += len(values[bit][name]) - len(facet.values_of[bit])
                facet.values_of[bit] = tuple(values[bit][name])
        return index

    def remember(self, key, compute):
        """compute(), remembered for the index's data version: at most REMEMBERED results,
        then it starts anew. Callers share what is remembered, and must not change it."""
        try:
            return self.memo[key]
        except KeyError:
            value = compute()  # two threads may both compute it: harmless
            if len(self.memo) >= REMEMBERED:
                self.memo.clear()
            self.memo[key] = value
            return value

    def via_groupings(self, outcome_id, codes):
        """How the outcome reaches those of `codes` it does not name through a grouping:
        [(country code, country name, region slug, region name)], in the page's language."""
        bit = self.bit.get(outcome_id)
        if bit is None:
            return []
        named = set(self.facets["country"].values_of[bit])
        regions = self.names["region"]
        return [
            (
                code,
                in_page_language(*self.names["country"][code][0]),
                slug,
                in_page_language(*regions[slug][0]) if slug in regions else slug,
            )
            for code, slug in self.groupings.get(bit, [])
            if code in codes and code not in named
        ]

    def row_version(self, outcome_id):
        """The data version in which the outcome's list row last changed: the index's, or
        that of the latest patch that read the outcome again (views.outcome_rows)."""
        bit = self.bit.get(outcome_id, -1)
        return self.changed.get(bit, self.built)

    def latest_report(self, outcome_id):
        """{"day", "reading"} of the outcome's latest reviewed later report, or None."""
        found = self.latest.get(self.bit.get(outcome_id, -1))
        return found and {"day": found[0], "reading": Reading(found[1]).label}

    def snippet(self, outcome_id, terms):
        """Why a search found the outcome: a search.snippet of its text, or else its Chinese
        text, or else of what it was found by (matched_name); kept with the search."""
        kept = self.remember(("snippets", terms, get_language()), dict)
        if outcome_id not in kept:
            texts = self.texts.get(outcome_id, ())
            found = next(filter(None, (snippet(t, terms) for t in texts)), "")
            kept[outcome_id] = found or self.matched_name(outcome_id, terms)
        return kept[outcome_id]

    def matched_name(self, outcome_id, terms):
        """“Place: <mark>缅甸</mark> · Myanmar · Burma”: the outcome's title, or a name of its
        organizations, places, groupings or category (with its other names) that a search
        for `terms` finds, labelled; "" if none."""
        bit = self.bit.get(outcome_id)
        if bit is None:
            return ""
        _, _, title, title_zh, _ = self.heads[outcome_id]
        named: list[tuple[Any, str]] = [(gettext("Title:"), title), (gettext("Title:"), title_zh)]
        for facet, label in NAMED_BY:
            for key in self.facets[facet].values_of[bit]:
                (english, chinese), _ = self.names[facet][key]
                others = self.other_names[facet].get(key, "")
                named.append((label, " · ".join(filter(None, (chinese, english, others)))))
        for label, text in named:
            if found := snippet(text, terms):
                return format_html('<span class="why">{}</span> {}', label, found)
        return ""

    def suggestion(self, terms):
        """A query to propose when one for `terms` finds nothing (outcomes/search.py), from
        the words of the search documents: read once per data version, when first needed."""

        def suggest():
            documents = Outcome.objects.values_list("search_text", flat=True)
            return suggestion(terms, self.remember(("vocabulary",), lambda: vocabulary(documents)))

        return self.remember(("suggestion", terms), suggest)

    def mask_of_outcomes(self, outcome_ids):
        return _mask((self.bit[pk] for pk in outcome_ids if pk in self.bit), self.size)

    def mask_of(self, facet, values):
        """The outcomes having any of `values` (OR), or None if none is chosen."""
        masks = self.facets[facet].masks
        return (
            functools.reduce(operator.or_, (masks.get(v, 0) for v in values), 0) if values else None
        )

    def counts(self, facet, within):
        """{value: count} of a facet's values among the outcomes in `within`, counts above 0."""
        found = self.facets[facet]
        if within.bit_count() * found.links < len(found.masks) * self.size:
            # Fewer (outcome, value) pairs to tally than values to AND with: the same counts.
            values = map(found.values_of.__getitem__, positions(within))
            return Counter(itertools.chain.from_iterable(values))
        counts = {value: (within & mask).bit_count() for value, mask in found.masks.items()}
        return {value: count for value, count in counts.items() if count}


@dataclass
class MaskedOutcomes:
    """The ids of the outcomes in a bitmask, a sequence a Paginator counts and slices: in
    document order, or in `order` (positions in the index: a search's best matches first)."""

    index: FacetIndex
    mask: int
    order: Any = None

    def __len__(self):  # what a Paginator counts
        return self.mask.bit_count()

    def __iter__(self):
        if self.order is None:
            found = positions(self.mask)
        else:
            bits = bit_string(self.mask)
            found = (p for p in self.order if p < len(bits) and bits[p] == "1")
        return map(self.index.ids.__getitem__, found)

    def __getitem__(self, page):  # a slice, what a Paginator asks for
        return list(itertools.islice(iter(self), page.start, page.stop))


_lock = threading.Lock()
_index: dict[str, Any] = {}


def facet_index(version):
    """The index of `version` (a dataversion.Version), built once per process and then
    brought up to date (FacetIndex.updated_to) or rebuilt."""
    with _lock:
        known = _index.get("version")
        if known != version:
            index = None
            if known is not None and known.number < version.number:
                index = _index["index"].updated_to(known, version)
            _index.update(version=version, index=index or FacetIndex(version.tag))
        return _index["index"]


def forget_index():
    """Drop the index (tests roll the data back, and with it the version)."""
    with _lock:
        _index.clear()
