"""The catalogue's data: what the SIRONET document says, in tables.

An Outcome is one numbered item of the document ("I.1" … "V.8"). It belongs to
a Category (the document's five sections), names Organizations through
Participations (lead or partner, in the order written), reaches Countries and
Regions, and may give Figures (money and counts) and named Programmes.
"""

import re
from functools import lru_cache

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outcomes.search import (
    FTS_QUERY,
    SEARCH_VECTOR,
    is_chinese,
    search_document,
    stem,
    terms,
)

ROMAN_NUMERALS = ("I", "II", "III", "IV", "V")

REFERENCE_RE = re.compile(r"^(?P<numeral>I|II|III|IV|V)\.(?P<number>[1-9][0-9]*)$")

reference_validator = RegexValidator(
    REFERENCE_RE,
    _("A reference is the section numeral (I to V), a dot and the item number, e.g. “II.10”."),
)


def sort_name(name):
    """The name an A–Z list sorts by: without a leading “The”."""
    return re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)


def document_position(reference):
    """Document order of a reference: I.1 < I.8 < II.1 < II.10 < III.1."""
    match = REFERENCE_RE.match(reference or "")
    if not match:
        return None
    return (ROMAN_NUMERALS.index(match["numeral"]) + 1) * 10_000 + int(match["number"])


def address(name, *args):
    """reverse(name, args=args), remembered per language and script prefix: a list row
    links up to a dozen records, and each reverse() costs about 30 µs under the language
    prefix, a third of a row's rendering (README, Performance). Addresses depend on
    nothing else until the next deploy."""
    return _address(name, args, get_language(), get_script_prefix())


@lru_cache(maxsize=50_000)
def _address(name, args, language, prefix):
    return reverse(name, args=args)


class CatalogueQuerySet(models.QuerySet):
    """The QuerySet of every catalogue model. update() sends no signal, so it notes the
    change itself (outcomes/signals.py, the one home for invalidation); an update of
    derived columns only (the search documents' refresh) is not a change."""

    DERIVED = {"search_text"}

    def formerly(self, slug):
        """The record that last had `slug` before it was renamed (its history keeps every
        slug it had), or None: an old address leads to the current one."""
        ids = self.model.history.filter(slug=slug).order_by("-history_date").values("id")
        return self.filter(pk__in=ids[:1]).first()

    def update(self, **kwargs):
        if set(kwargs) <= self.DERIVED:
            return super().update(**kwargs)
        from outcomes.signals import note, touched_by

        # The rows by id: the update may change what the filter selects.
        rows = self.model._base_manager.filter(pk__in=list(self.values_list("pk", flat=True)))
        touched = touched_by(self.model, rows)  # before: the update may change links
        updated = super().update(**kwargs)
        if updated:
            # An outcome's position (its reference) orders the lists: more than its row.
            kind = None if self.model is Outcome and "position" in kwargs else self.model
            note(touched | touched_by(self.model, rows), kind)
        return updated


class SlugManager(models.Manager.from_queryset(CatalogueQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Source(models.Model):
    """A published document that outcomes are taken from."""

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    published = models.DateField(
        _("published"),
        null=True,
        blank=True,
        help_text=_(
            "The day the publisher released the document. Groupings an outcome names "
            "are read as of this date (who was a member then)."
        ),
    )
    url = models.URLField(
        _("address"), max_length=500, blank=True, help_text=_("Where the publisher serves it.")
    )
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("What readers should know about the document: form, gaps."),
    )

    history = HistoricalRecords()

    objects = SlugManager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return address("outcomes:source", self.slug)

    def natural_key(self):
        return (self.slug,)


def chinese_page(language=None):
    """Whether the page is in Chinese (the active language, or `language`)."""
    return (language or get_language() or "").startswith("zh")


def in_language(record, name, language=None):
    """The record's `name` in the active (or given) language: its `<name>_zh` column on a
    Chinese page where it has one and it is filled, else the English."""
    chinese = getattr(record, f"{name}_zh", "")
    if chinese and chinese_page(language):  # the language only when there is Chinese
        return chinese
    return getattr(record, name)


class Translated(models.Model):
    """A record whose names may have a Chinese rendering (`<name>_zh` columns beside the
    English ones, named in CHINESE): who made it, and whether someone who knows the
    official wording has reviewed it. Pages label an unreviewed translation as such."""

    CHINESE = ()

    translated_by = models.CharField(
        _("Chinese by"),
        max_length=200,
        blank=True,
        help_text=_("Who made the Chinese (e.g. “SIRONET secretariat”, “catalogue editors”)."),
    )
    translation_reviewed = models.BooleanField(
        _("Chinese reviewed"),
        default=False,
        help_text=_("Tick once someone has checked the Chinese against official usage."),
    )

    class Meta:
        abstract = True


class Category(Translated):
    """One of the document's five sections."""

    slug = models.SlugField(
        _("slug"), unique=True, help_text=_("Used in addresses: /categories/<slug>/.")
    )
    numeral = models.CharField(
        _("numeral"),
        max_length=3,
        unique=True,
        choices=[(n, n) for n in ROMAN_NUMERALS],
        help_text=_("The section's Roman numeral in the document."),
    )
    order = models.PositiveSmallIntegerField(
        _("order"), unique=True, help_text=_("Position in the document.")
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The section heading as the document writes it.")
    )
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    description = models.TextField(
        _("description"), help_text=_("One or two sentences for visitors.")
    )
    description_zh = models.TextField(_("description in Chinese"), blank=True)

    CHINESE = ("name", "description")

    history = HistoricalRecords()

    objects = SlugManager()

    class Meta:
        ordering = ["order"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("outcomes:category", self.slug)

    def natural_key(self):
        return (self.slug,)


class Continent(models.TextChoices):
    AFRICA = "AF", _("Africa")
    ANTARCTICA = "AN", _("Antarctica")
    ASIA = "AS", _("Asia")
    EUROPE = "EU", _("Europe")
    NORTH_AMERICA = "NA", _("North America")
    OCEANIA = "OC", _("Oceania")
    SOUTH_AMERICA = "SA", _("South America")


class CountryQuerySet(CatalogueQuerySet):
    def with_outcomes(self):
        """Countries that are the place of an outcome, each with `outcome_count`."""
        return self.annotate(outcome_count=models.Count("outcomes")).filter(outcome_count__gt=0)


class CountryManager(models.Manager.from_queryset(CountryQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Country(models.Model):
    """An ISO 3166-1 country; the list is loaded from pycountry by `manage.py seed`."""

    code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. “MM”."))],
        help_text=_("ISO 3166-1 alpha-2 code. It cannot be changed once the country exists."),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("The ISO English short name."))
    common_name = models.CharField(
        _("common name"),
        max_length=100,
        blank=True,
        help_text=_("A shorter everyday name, where ISO gives one."),
    )
    name_zh = models.CharField(
        _("name in Chinese"),
        max_length=100,
        blank=True,
        help_text=_("Unicode CLDR's Simplified Chinese name (filled by `manage.py seed`)."),
    )
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_(
            "Other names people search for, one per line (“Burma”, “緬甸”). Unicode "
            "CLDR's English and traditional Chinese names are added by `manage.py seed`."
        ),
    )
    numeric = models.CharField(
        _("ISO numeric code"),
        max_length=3,
        blank=True,
        help_text=_("Used to draw the country on maps."),
    )
    continent = models.CharField(_("continent"), max_length=2, choices=Continent)

    history = HistoricalRecords()

    objects = CountryManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("outcomes:country", self.code.lower())

    def natural_key(self):
        return (self.code,)


class RegionKind(models.TextChoices):
    POLITICAL = "political", _("Political grouping")
    GEOGRAPHIC = "geographic", _("Geographic region")
    RIVER_BASIN = "river-basin", _("River basin")


class Region(Translated):
    """A grouping of countries that outcomes target as a whole (ASEAN, the Mekong…)."""

    slug = models.SlugField(
        _("slug"), unique=True, help_text=_("Used in addresses: /regions/<slug>/.")
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name in Chinese"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RegionKind)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What the grouping is, and as of when its membership is given."),
    )
    description_zh = models.TextField(_("description in Chinese"), blank=True)

    CHINESE = ("name", "description")
    members = models.ManyToManyField(
        Country,
        verbose_name=_("members"),
        through="Membership",
        blank=True,
        related_name="regions",
        help_text=_("Member countries, each with the dates its membership began and ended."),
    )

    history = HistoricalRecords()

    objects = SlugManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return address("outcomes:region", self.slug)

    def natural_key(self):
        return (self.slug,)


class MembershipQuerySet(CatalogueQuerySet):
    def as_of(self, day):
        """Memberships in force on `day` (a date, or an F() of one): begun, not yet ended."""
        return self.filter(
            Q(since__isnull=True) | Q(since__lte=day), Q(until__isnull=True) | Q(until__gt=day)
        )

    def current(self):
        return self.as_of(timezone.localdate())


class MembershipManager(models.Manager.from_queryset(MembershipQuerySet)):
    def get_by_natural_key(self, region_slug, country_code, since):
        return self.get(region__slug=region_slug, country__code=country_code, since=since)


class Membership(models.Model):
    """A country's membership of a grouping, from one date to another."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="memberships"
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="memberships"
    )
    since = models.DateField(
        _("since"),
        null=True,
        blank=True,
        help_text=_(
            "The day it joined; empty when it is a founding member or the day is not "
            "known (a member for as long as the catalogue's sources go back)."
        ),
    )
    until = models.DateField(
        _("until"),
        null=True,
        blank=True,
        help_text=_("The day it left; empty while it is a member."),
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("Where the dates come from, or what to know."),
    )

    history = HistoricalRecords()

    objects = MembershipManager()

    class Meta:
        ordering = ["region", "country__name", "since"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "country", "since"], name="membership_once_per_start"
            ),
            # NULLs are distinct to a unique constraint: one membership of unknown start.
            models.UniqueConstraint(
                fields=["region", "country"],
                condition=Q(since__isnull=True),
                name="membership_once_without_start",
            ),
            models.CheckConstraint(
                condition=Q(since__isnull=True) | Q(until__isnull=True) | Q(until__gt=F("since")),
                name="membership_ends_after_it_begins",
            ),
        ]

    def __str__(self):
        return f"{self.country} in {self.region}"

    def natural_key(self):
        return (self.region.slug, self.country.code, self.since and self.since.isoformat())

    natural_key.dependencies = ["outcomes.region", "outcomes.country"]

    def in_force(self, day):
        """Whether the country was a member on `day` (as MembershipQuerySet.as_of reads it)."""
        return (self.since is None or self.since <= day) and (
            self.until is None or self.until > day
        )

    def clean(self):
        if self.since and self.until and self.until <= self.since:
            raise ValidationError({"until": _("A membership ends after it begins.")})


class OrganizationType(models.TextChoices):
    FOUNDATION = "foundation", _("Foundation")
    ASSOCIATION = "association", _("Association or society")
    FEDERATION = "federation", _("Federation")
    NETWORK = "network", _("Network or alliance")
    RED_CROSS = "red-cross", _("Red Cross society")
    UNIVERSITY = "university", _("University or institute")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other or not stated")


class SironetMembership(models.TextChoices):
    MEMBER = "member", _("Member")
    NOT_MEMBER = "not-member", _("Not a member")
    NOT_STATED = "not-stated", _("Not stated")


class Organization(Translated):
    """An organization the document names: a member, a partner, or a body one founded."""

    name = models.CharField(
        _("name"), max_length=200, unique=True, help_text=_("The name as the document writes it.")
    )
    name_zh = models.CharField(
        _("name in Chinese"),
        max_length=200,
        blank=True,
        help_text=_("The organization's own Chinese name; leave it empty unless sure of it."),
    )
    CHINESE = ("name",)

    sort_name = models.CharField(
        _("sort name"),
        max_length=200,
        editable=False,
        help_text=_("The name without a leading “The”, for A–Z."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("Used in addresses: /organizations/<slug>/. Changing it breaks old links."),
    )
    acronym = models.CharField(
        _("acronym"),
        max_length=30,
        blank=True,
        help_text=_("Only where the document gives one, e.g. “CFPD”."),
    )
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_(
            "Other names people search for, one per line: other acronyms, former "
            "names, the Chinese name where it is not yet a reviewed translation."
        ),
    )
    type = models.CharField(_("type"), max_length=20, choices=OrganizationType)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        help_text=_("Home country, where known."),
    )
    membership = models.CharField(
        _("SIRONET membership"),
        max_length=10,
        choices=SironetMembership,
        default=SironetMembership.NOT_STATED,
        help_text=_(
            "Member only where a source says so (the document's title calls the "
            "organizations it credits members); “not a member” only where a source says that."
        ),
    )
    founded_by = models.ForeignKey(
        "self",
        verbose_name=_("founded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="founded",
        help_text=_("For a body an outcome says another organization founded or established."),
    )

    history = HistoricalRecords()

    objects = SlugManager()

    class Meta:
        ordering = ["sort_name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_name = sort_name(self.name)
        if not self.slug:
            self.slug = slugify(self.sort_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address("outcomes:organization", self.slug)

    def natural_key(self):
        return (self.slug,)


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    UNKNOWN = "unknown", _("Unknown")


# Document order: by item, then (two sources may each have an I.3) by source.
DOCUMENT_ORDER = ["position", "source_id", "pk"]


class OutcomeQuerySet(CatalogueQuerySet):
    def in_document_order(self):
        return self.order_by(*DOCUMENT_ORDER)

    def refresh_search_text(self):
        """Rebuild these outcomes' search documents, 250 outcomes at a time (a query per
        relation for each 250, one per 200 changed): how many changed. SQLite refuses an
        IN of more than 1,000 values (its expression tree is too deep), and the
        organizations of 250 outcomes stay under that."""
        ids = list(self.values_list("pk", flat=True))
        changed = 0
        for start in range(0, len(ids), 250):
            outcomes = (
                Outcome.objects.filter(pk__in=ids[start : start + 250])
                .prefetch_related(
                    "participations__organization",
                    "countries",
                    "regions",
                    "programmes",
                    "mentions__country",
                    "mentions__region",
                )
                .select_related("category")
            )
            refreshed = []
            for outcome in outcomes:
                document = outcome.build_search_text()
                if document != outcome.search_text:
                    outcome.search_text = document
                    refreshed.append(outcome)
            Outcome.objects.bulk_update(refreshed, ["search_text"], batch_size=200)
            changed += len(refreshed)
        return changed

    def search(self, query):
        """Outcomes matching every word of `query` (outcomes/search.py says how); on
        PostgreSQL annotated with `rank`. A query without words finds nothing."""
        terms_ = terms(query)
        if not terms_:
            return self.none()
        found = self
        # Chinese: wherever it appears in the document, the same LIKE on both databases.
        for term in terms_:
            if is_chinese(term):
                found = found.filter(search_text__contains=term)
        stems = [stem(term) for term in terms_ if not is_chinese(term)]
        if not stems:
            return found
        if connection.vendor == "postgresql":
            tsquery = SearchQuery(
                " & ".join(f"{term}:*" for term in stems), config="simple", search_type="raw"
            )
            return found.annotate(
                search=SEARCH_VECTOR, rank=SearchRank(SEARCH_VECTOR, tsquery)
            ).filter(search=tsquery)
        # SQLite: the FTS5 index; "term"* matches words starting with it.
        match = " ".join(f'"{term}"*' for term in stems)
        return found.filter(pk__in=RawSQL(FTS_QUERY, [match]))

    def best_first(self):
        """A search's results, the best matches first where the database ranks them."""
        if "rank" in self.query.annotations:
            return self.order_by("-rank", *DOCUMENT_ORDER)
        return self

    def related_to(self, outcome):
        """Other outcomes that share an organization or a place with `outcome`."""
        places = Outcome.countries.through.objects
        return self.filter(
            Q(
                pk__in=Participation.objects.filter(
                    organization__in=outcome.participations.values("organization")
                ).values("outcome")
            )
            | Q(
                pk__in=places.filter(
                    country__in=places.filter(outcome=outcome).values("country")
                ).values("outcome")
            )
        ).exclude(pk=outcome.pk)

    def reaching(self, region, kind):
        """Outcomes that name `region` with this kind of reach (ReachKind)."""
        return self.filter(reaches__region=region, reaches__kind=kind)

    def in_members_of(self, region, members):
        """Outcomes placed in one of `members` (a grouping's countries) that do not name
        the grouping `region` itself."""
        return self.filter(countries__in=members).exclude(reaches__region=region).distinct()

    def changed_since(self, when):
        """The outcomes whose record may read differently since `when` (the API's
        `modified_since`).

        From the history every change leaves (django-simple-history; a deleted row's
        record keeps its outcome): the outcome's own, its rows', and those of the
        records it names. A QuerySet.update() leaves no history; of those, only the
        outcome's own `updated` is read. One query with the list, whatever `when`.
        """

        def history(model):
            return model.history.filter(history_date__gte=when)

        condition = Q(updated__gte=when) | Q(pk__in=history(Outcome).values("id"))
        for model in (Participation, Reach, Figure, Programme, Mention):
            condition |= Q(pk__in=history(model).values("outcome_id"))
        condition |= Q(category__in=history(Category).values("id"))
        condition |= Q(source__in=history(Source).values("id"))
        condition |= Q(
            pk__in=Participation.objects.filter(
                organization__in=history(Organization).values("id")
            ).values("outcome_id")
        )
        regions = Q(region__in=history(Region).values("id")) | Q(
            region__in=history(Membership).values("region_id")
        )
        condition |= Q(pk__in=Reach.objects.filter(regions).values("outcome_id"))
        return self.filter(condition)

    def via_groupings(self, countries):
        """Outcomes that reach one of `countries` only through a grouping they name as a
        whole (ASEAN, the SCO, the Mekong), reading membership as of each outcome's
        source's date. An unnamed part of a continent reaches no country."""
        reached = Reach.objects.through_members(countries).values("outcome_id")
        return self.filter(pk__in=reached).exclude(countries__in=countries)

    def for_listing(self):
        """What a list row shows: category, organizations and countries.

        Costs two extra queries (organizations, countries) whatever the number of rows.
        """
        return self.select_related("category").prefetch_related(
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("organization"),
            ),
            "countries",
        )


class OutcomeManager(models.Manager.from_queryset(OutcomeQuerySet)):
    def get_by_natural_key(self, source_slug, reference):
        return self.get(source__slug=source_slug, reference=reference)


class Outcome(Translated):
    """One item of the document."""

    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="outcomes",
        help_text=_("Where the item is published."),
    )
    reference = models.CharField(
        _("reference"),
        max_length=12,
        validators=[reference_validator],
        help_text=_(
            "The document's numbering: section numeral, a dot, item number (“II.10”). "
            "Unique within its source: another document may have its own II.10."
        ),
    )
    position = models.PositiveIntegerField(
        _("position"),
        editable=False,
        db_index=True,  # the default order of every list: ORDER BY position
        help_text=_("Document order, worked out from the reference when saved."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="outcomes"
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("A short title of our own. It must say nothing the text does not say."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("Used in addresses: /outcomes/<slug>/. Changing it breaks old links."),
    )
    title_zh = models.CharField(_("title in Chinese"), max_length=200, blank=True)
    text = models.TextField(
        _("text"), help_text=_("The item's text exactly as the document prints it.")
    )
    text_zh = models.TextField(
        _("text in Chinese"),
        blank=True,
        help_text=_(
            "A Chinese rendering of the text. Pages always show the English text "
            "as the source, and this beside it, labelled a translation."
        ),
    )

    CHINESE = ("title", "text")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.UNKNOWN,
        help_text=_(
            "From the text's verbs, by the rules on the about page: “plans to” is "
            "planned; a launched or founded programme or body, or a present tense, is ongoing; "
            "a finished act is completed."
        ),
    )
    plans = models.CharField(
        _("plans"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the text says is planned or only advocated, in its words, when the "
            "item also reports something done (its status is that of what was done)."
        ),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("Only where the text states a year (e.g. “founded in 2016”)."),
    )
    scope = models.CharField(
        _("scope"),
        max_length=300,
        blank=True,
        help_text=_(
            "Reach the text gives without naming countries, in its words "
            "(e.g. “more than 20 Asian and African countries”)."
        ),
    )
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="outcomes",
        verbose_name=_("places"),
        help_text=_(
            "Countries where the text says the work happens, or that it names as the "
            "other side of the cooperation. Other countries it names are mentions."
        ),
    )
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("regions"),
        through="Reach",
        blank=True,
        related_name="outcomes",
        help_text=_("Groupings the text says the work reaches."),
    )
    organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("organizations"),
        through="Participation",
        related_name="outcomes",
    )
    search_text = models.TextField(
        _("search text"),
        editable=False,
        default="",
        help_text=_("Words of the title, text and related names, kept up to date for search."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[countries])

    objects = OutcomeManager()

    class Meta:
        ordering = DOCUMENT_ORDER
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "reference"], name="outcome_reference_unique_in_source"
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2100),
                name="outcome_year_plausible",
            ),
        ]
        indexes = [
            # ?category=…, and category pages, in document order.
            models.Index(fields=["category", "position"], name="outcome_category_position"),
            # ?status=…, in document order.
            models.Index(fields=["status", "position"], name="outcome_status_position"),
            # ?sort=title and ?sort=-updated.
            models.Index(fields=["title"], name="outcome_title"),
            models.Index(fields=["updated"], name="outcome_updated"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        position = document_position(self.reference)
        if position is not None:
            self.position = position
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address("outcomes:outcome", self.slug)

    def clean(self):
        match = REFERENCE_RE.match(self.reference or "")
        if match and self.category_id and match["numeral"] != self.category.numeral:
            raise ValidationError(
                {
                    "reference": _(
                        "%(reference)s starts with %(numeral)s, but %(category)s is section "
                        "%(section)s."
                    )
                    % {
                        "reference": self.reference,
                        "numeral": match["numeral"],
                        "category": self.category,
                        "section": self.category.numeral,
                    }
                }
            )

    def natural_key(self):
        return (*self.source.natural_key(), self.reference)

    natural_key.dependencies = ["outcomes.source"]

    def build_search_text(self):
        """The search document: expects the relations prefetched (see refresh_search_text)."""
        organizations = [p.organization for p in self.participations.all()]
        countries = list(self.countries.all())
        regions = list(self.regions.all())
        return search_document(
            self.reference,
            self.title,
            self.title_zh,
            self.text,
            self.text_zh,
            self.scope,
            self.category.name,
            self.category.name_zh,
            *(f"{p.name} {p.name_zh}" for p in self.programmes.all()),
            *(f"{o.name} {o.acronym} {o.name_zh} {o.aliases}" for o in organizations),
            *(f"{c.name} {c.common_name} {c.name_zh} {c.aliases}" for c in countries),
            *(f"{region.name} {region.name_zh}" for region in regions),
            *(str(mention) for mention in self.mentions.all()),
        )

    @property
    def item_number(self):
        return self.reference.partition(".")[2]


class ReachKind(models.TextChoices):
    MEMBERS = "members", _("via the grouping")
    WITHIN = "within", _("somewhere in")


class ReachQuerySet(CatalogueQuerySet):
    def through_members(self, countries=None):
        """Reaches through a grouping named as a whole, one row per country that was a
        member on the outcome's source's date (read its values with
        "region__memberships__country…", which use the same join).

        `countries` (ids or a queryset) narrows it to those countries. The
        membership's conditions sit in one filter() so that they join one membership.
        """
        day = F("outcome__source__published")
        conditions = [
            Q(region__memberships__since__isnull=True) | Q(region__memberships__since__lte=day),
            Q(region__memberships__until__isnull=True) | Q(region__memberships__until__gt=day),
        ]
        if countries is not None:
            conditions.append(Q(region__memberships__country__in=countries))
        return self.filter(kind=ReachKind.MEMBERS).filter(*conditions)


class ReachManager(models.Manager.from_queryset(ReachQuerySet)):
    def get_by_natural_key(self, source_slug, reference, region_slug):
        return self.get(
            outcome__source__slug=source_slug,
            outcome__reference=reference,
            region__slug=region_slug,
        )


class Reach(models.Model):
    """A grouping an outcome reaches, and whether that reaches each of its members.

    “ASEAN countries”, “member states of the SCO”, “on the Mekong River” name a
    grouping as a whole: the outcome reaches each country that was a member on
    its source's date (“via ASEAN”). “Over 20 Asian countries” names an unnamed
    part of a continent: somewhere in Asia, and no single country.
    """

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="reaches"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="reaches"
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=ReachKind,
        help_text=_(
            "Via the grouping: the text names the grouping as a whole, so the outcome "
            "reaches each member as of its source's date. Somewhere in: an unnamed part of it."
        ),
    )
    words = models.CharField(
        _("words"), max_length=200, blank=True, help_text=_("The text's words that name it.")
    )

    history = HistoricalRecords()

    objects = ReachManager()

    class Meta:
        ordering = ["outcome", "region__name"]
        verbose_name = _("reach")
        verbose_name_plural = _("reaches")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "region"], name="reach_once_per_outcome"),
        ]

    def __str__(self):
        return f"{self.outcome.reference} {self.get_kind_display()} {self.region}"

    def natural_key(self):
        return (*self.outcome.natural_key(), self.region.slug)

    natural_key.dependencies = ["outcomes.outcome", "outcomes.region"]


class MentionReason(models.TextChoices):
    ORIGIN = "origin", _("origin of an organization that did the work")
    CULTURE = "culture", _("culture, people or language")
    SUBJECT = "subject", _("subject or title, not where the work happened")
    HOME_SIDE = "home-side", _("the members' own side of an exchange named “China-X”")
    PARTNER_NAME = "partner-name", _("in a partner's name, not the partner's side")
    PROPOSED = "proposed", _("in the name of something only advocated")


class MentionManager(models.Manager.from_queryset(CatalogueQuerySet)):
    def get_by_natural_key(self, source_slug, reference, words):
        return self.get(
            outcome__source__slug=source_slug, outcome__reference=reference, words=words
        )


class Mention(models.Model):
    """A country or grouping an item names without saying the work happens there.

    “Chinese Medical Association”, “traditional Chinese culture”, “overseas
    Chinese” name China but do not place the work in China. A mention is kept for
    search and for the record; it is never a place (filters, maps, country pages).
    """

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="mentions"
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentions",
        verbose_name=_("country"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentions",
        verbose_name=_("region"),
    )
    words = models.CharField(
        _("words"),
        max_length=200,
        help_text=_("The text's words that name it, e.g. “Chinese culture”."),
    )
    reason = models.CharField(
        _("reason"),
        max_length=20,
        choices=MentionReason,
        help_text=_("Why this is not a place of the outcome."),
    )

    history = HistoricalRecords()

    objects = MentionManager()

    class Meta:
        ordering = ["outcome", "pk"]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "words"], name="mention_words_once"),
            models.CheckConstraint(
                condition=(Q(country__isnull=True) & Q(region__isnull=False))
                | (Q(country__isnull=False) & Q(region__isnull=True)),
                name="mention_names_a_country_or_a_region",
            ),
        ]

    def __str__(self):
        return str(self.country or self.region)

    def natural_key(self):
        return (*self.outcome.natural_key(), self.words)

    natural_key.dependencies = ["outcomes.outcome", "outcomes.country", "outcomes.region"]

    def clean(self):
        if bool(self.country_id) == bool(self.region_id):
            raise ValidationError(_("Choose a country or a grouping (one of the two)."))
        if self.outcome_id and self.words and self.words not in self.outcome.text:
            raise ValidationError({"words": _("Quote the words as the item's text writes them.")})


class Role(models.TextChoices):
    LEAD = "lead", _("Lead")
    CO_LEAD = "co-lead", _("Co-lead")
    PARTNER = "partner", _("Partner")
    FOUNDED = "founded", _("Founded body")


class ParticipationManager(models.Manager.from_queryset(CatalogueQuerySet)):
    def get_by_natural_key(self, source_slug, reference, organization_slug):
        return self.get(
            outcome__source__slug=source_slug,
            outcome__reference=reference,
            organization__slug=organization_slug,
        )


class Participation(models.Model):
    """An organization's part in an outcome."""

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="participations"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("organization"),
    )
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=Role,
        default=Role.LEAD,
        help_text=_(
            "Lead: the item's one subject. Co-lead: one of a joint subject (“A and B "
            "co-built”). Partner: named after “with” (“worked with X”, “signed … with X”). "
            "Founded: a body the item says the lead founded or established."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=1, help_text=_("Order in which the text names the organization.")
    )

    history = HistoricalRecords()

    objects = ParticipationManager()

    class Meta:
        ordering = ["outcome", "position"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["outcome", "organization"], name="participation_once_per_outcome"
            ),
        ]

    def __str__(self):
        return f"{self.organization} ({self.get_role_display()}) in {self.outcome.reference}"

    def natural_key(self):
        return (*self.outcome.natural_key(), *self.organization.natural_key())

    natural_key.dependencies = ["outcomes.outcome", "outcomes.organization"]


class FigureKind(models.TextChoices):
    MONEY = "money", _("Money")
    COUNT = "count", _("Count")


class Qualifier(models.TextChoices):
    EXACT = "exact", _("exactly")
    OVER = "over", _("over")
    NEARLY = "nearly", _("nearly")
    ABOUT = "about", _("about")
    UP_TO = "up-to", _("up to")


class FigureManager(models.Manager.from_queryset(CatalogueQuerySet)):
    def get_by_natural_key(self, source_slug, reference, position):
        return self.get(
            outcome__source__slug=source_slug, outcome__reference=reference, position=position
        )


class Figure(models.Model):
    """An amount of money or a count the text gives."""

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="figures"
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=1, help_text=_("Order in the text.")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=FigureKind)
    value = models.DecimalField(
        _("value"),
        max_digits=15,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The number; leave empty when the text is vague (“millions of dollars”)."),
    )
    qualifier = models.CharField(
        _("qualifier"),
        max_length=6,
        choices=Qualifier,
        blank=True,
        help_text=_(
            "How the text qualifies the number (“over”, “nearly”…); empty when there is no number."
        ),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("An ISO 4217 code such as USD or CNY."))],
        help_text=_("Money only: ISO 4217 code (“dollars” → USD, “RMB” → CNY)."),
    )
    currency_assumed = models.BooleanField(
        _("currency assumed"),
        default=False,
        help_text=_(
            "Tick when the text does not name the currency and the code above is our "
            "reading (“dollars” read as US dollars); pages say it is assumed."
        ),
    )
    unit = models.CharField(
        _("unit"),
        max_length=50,
        blank=True,
        help_text=_("Counts only: what is counted, plural (“schools”)."),
    )
    unit_zh = models.CharField(
        _("unit in Chinese"),
        max_length=50,
        blank=True,
        help_text=_("Counts only: what is counted, with its measure word (“所学校”)."),
    )
    words = models.CharField(
        _("words"), max_length=200, help_text=_("The words as the text writes them.")
    )

    history = HistoricalRecords()

    objects = FigureManager()

    class Meta:
        ordering = ["outcome", "position"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "position"], name="figure_position_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="figure_value_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="money") | (~Q(currency="") & Q(unit="")),
                name="figure_money_has_currency",
            ),
            models.CheckConstraint(
                condition=~Q(kind="count") | (~Q(unit="") & Q(currency="")),
                name="figure_count_has_unit",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["money", "count"]), name="figure_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(currency_assumed=False) | Q(kind="money"),
                name="figure_only_money_assumes_currency",
            ),
        ]

    def __str__(self):
        return self.words

    CURRENCY_SIGNS = {"USD": "US$", "CNY": "CN¥", "EUR": "€", "GBP": "£"}

    # How Chinese reads a qualifier and a currency (“超过50万美元”, “近1亿元人民币”).
    QUALIFIERS_ZH = {"exact": "", "over": "超过", "nearly": "近", "about": "约", "up-to": "最多"}
    CURRENCIES_ZH = {"USD": "美元", "CNY": "元人民币", "EUR": "欧元", "GBP": "英镑"}

    @property
    def display(self):
        """The figure as people read it in the page's language, from its stored value:
        “over US$500,000” or “超过50万美元”, “nearly CN¥100 million” or “近1亿元人民币”. A
        vague figure (no value) is the document's words."""
        if self.value is None:
            return self.words
        if chinese_page() and (self.unit_zh or self.kind == "money"):
            return self.display_zh
        return self.display_en

    @property
    def display_zh(self):
        value = int(self.value)
        for size, word in ((100_000_000, "亿"), (10_000, "万")):
            if value >= size and value % (size // 10) == 0:
                number = f"{value / size:.1f}".removesuffix(".0") + word
                break
        else:
            number = str(value)
        if self.kind == FigureKind.MONEY:
            amount = number + self.CURRENCIES_ZH.get(self.currency, f" {self.currency}")
        else:
            amount = number + self.unit_zh
        return self.QUALIFIERS_ZH.get(self.qualifier, "") + amount

    @property
    def display_en(self):
        value = int(self.value)
        if value >= 1_000_000 and value % 100_000 == 0:
            number = f"{value / 1_000_000:,.1f}".removesuffix(".0") + " million"
        else:
            number = f"{value:,}"
        if self.kind == FigureKind.MONEY:
            sign = self.CURRENCY_SIGNS.get(self.currency)
            amount = f"{sign}{number}" if sign else f"{number} {self.currency}"
        else:
            amount = f"{number} {self.unit}"
        # The English words, whatever the page's language (the labels are translated).
        qualifier = "" if self.qualifier == Qualifier.EXACT else self.qualifier.replace("-", " ")
        return f"{qualifier} {amount}".strip()

    @property
    def currency_note(self):
        """What a reader should know about the currency, or ""."""
        if self.kind == FigureKind.MONEY and self.currency_assumed:
            return f"currency assumed: the text says “{self.words}” without naming it"
        return ""

    def clean(self):
        errors = {}
        if self.kind == FigureKind.MONEY:
            if not self.currency:
                errors["currency"] = _("An amount of money needs a currency (e.g. USD, CNY).")
            if self.unit:
                errors["unit"] = _("An amount of money has a currency, not a unit.")
        if self.currency_assumed and self.kind != FigureKind.MONEY:
            errors["currency_assumed"] = _("Only an amount of money has a currency to assume.")
        if self.kind == FigureKind.COUNT:
            if not self.unit:
                errors["unit"] = _("A count needs a unit: what is counted (e.g. schools).")
            if self.currency:
                errors["currency"] = _("A count has a unit, not a currency.")
        if self.value is None and self.qualifier:
            errors["qualifier"] = _("Leave the qualifier empty when there is no number.")
        if self.value is not None and not self.qualifier:
            errors["qualifier"] = _("Say how the text gives the number (exactly, over, nearly…).")
        if errors:
            raise ValidationError(errors)

    def natural_key(self):
        return (*self.outcome.natural_key(), self.position)

    natural_key.dependencies = ["outcomes.outcome"]


class ProgrammeManager(models.Manager.from_queryset(CatalogueQuerySet)):
    def get_by_natural_key(self, source_slug, reference, name):
        return self.get(outcome__source__slug=source_slug, outcome__reference=reference, name=name)


class Programme(models.Model):
    """A programme, project, platform or body that an outcome names."""

    outcome = models.ForeignKey(
        Outcome, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The name exactly as the text writes it.")
    )
    name_zh = models.CharField(
        _("name in Chinese"),
        max_length=200,
        blank=True,
        help_text=_("Its Chinese name (the outcome's “Chinese by” says whose)."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=1, help_text=_("Order in the text.")
    )

    history = HistoricalRecords()

    objects = ProgrammeManager()

    class Meta:
        ordering = ["outcome", "position"]
        verbose_name = _("programme or initiative")
        verbose_name_plural = _("programmes and initiatives")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "name"], name="programme_once_per_outcome"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (*self.outcome.natural_key(), self.name)

    natural_key.dependencies = ["outcomes.outcome"]


class DataVersion(models.Model):
    """One row: a number that every change to the catalogue's data increases.

    Public pages are cached, and answer conditional requests, per version
    (outcomes/versioning.py): any edit, import or seeding shows at once.
    """

    version = models.PositiveBigIntegerField(default=1)
    changed = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="data_version_single_row"),
        ]

    def __str__(self):
        return f"data version {self.version}"


class Change(models.Model):
    """What one data version changed: the outcomes whose rows it touched, or more
    (`whole`: a name, a grouping, an outcome added or removed…).

    A worker whose facet index is a few versions old reads these and re-reads only
    those outcomes (outcomes/facets.py), instead of rebuilding its index.
    """

    version = models.PositiveBigIntegerField(primary_key=True)
    # The version's time (DataVersion.changed): an index of version 7 from before a
    # restore is not the restored database's version 7.
    changed = models.DateTimeField(null=True)
    outcomes = models.JSONField(default=list)
    whole = models.BooleanField(default=True)

    def __str__(self):
        return f"change {self.version}"


class SeedRecord(models.Model):
    """A fixture record that `manage.py seed` has created once.

    Seeding never creates the same record twice, even after an editor renamed
    or deleted it: the ledger remembers what was seeded, by fixture key.
    """

    model = models.CharField(max_length=100)
    key = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["model", "key"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="seed_record_unique"),
        ]

    def __str__(self):
        return f"{self.model} {self.key}"
