"""The catalogue's data: what the SIRONET document says, in tables.

An Outcome is one numbered item of the document ("I.1" … "V.8"). It belongs to
a Category (the document's five sections), names Organizations through
Participations (lead or partner, in the order written), reaches Countries and
Regions, and may give Figures (money and counts) and named Programmes.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from outcomes.search import search_document

ROMAN_NUMERALS = ("I", "II", "III", "IV", "V")

REFERENCE_RE = re.compile(r"^(?P<numeral>I|II|III|IV|V)\.(?P<number>[1-9][0-9]*)$")

reference_validator = RegexValidator(
    REFERENCE_RE,
    "A reference is the section numeral (I to V), a dot and the item number, e.g. “II.10”.",
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


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Source(models.Model):
    """A published document that outcomes are taken from."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    note = models.TextField(
        blank=True, help_text="What readers should know about the document: date, form, gaps."
    )

    objects = SlugManager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)


class Category(models.Model):
    """One of the document's five sections."""

    slug = models.SlugField(unique=True, help_text="Used in addresses: /categories/<slug>/.")
    numeral = models.CharField(
        max_length=3,
        unique=True,
        choices=[(n, n) for n in ROMAN_NUMERALS],
        help_text="The section's Roman numeral in the document.",
    )
    order = models.PositiveSmallIntegerField(unique=True, help_text="Position in the document.")
    name = models.CharField(
        max_length=200, help_text="The section heading as the document writes it."
    )
    description = models.TextField(help_text="One or two sentences for visitors.")

    objects = SlugManager()

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outcomes:category", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class Continent(models.TextChoices):
    AFRICA = "AF", "Africa"
    ANTARCTICA = "AN", "Antarctica"
    ASIA = "AS", "Asia"
    EUROPE = "EU", "Europe"
    NORTH_AMERICA = "NA", "North America"
    OCEANIA = "OC", "Oceania"
    SOUTH_AMERICA = "SA", "South America"


class CountryManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Country(models.Model):
    """An ISO 3166-1 country; the list is loaded from pycountry by `manage.py seed`."""

    code = models.CharField(
        "ISO code",
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Two capital letters, e.g. “MM”.")],
        help_text="ISO 3166-1 alpha-2 code. It cannot be changed once the country exists.",
    )
    name = models.CharField(max_length=100, help_text="The ISO English short name.")
    common_name = models.CharField(
        max_length=100, blank=True, help_text="A shorter everyday name, where ISO gives one."
    )
    numeric = models.CharField(
        "ISO numeric code", max_length=3, blank=True, help_text="Used to draw the country on maps."
    )
    continent = models.CharField(max_length=2, choices=Continent.choices)

    objects = CountryManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outcomes:country", args=[self.code.lower()])

    def natural_key(self):
        return (self.code,)


class RegionKind(models.TextChoices):
    POLITICAL = "political", "Political grouping"
    GEOGRAPHIC = "geographic", "Geographic region"
    RIVER_BASIN = "river-basin", "River basin"


class Region(models.Model):
    """A grouping of countries that outcomes target as a whole (ASEAN, the Mekong…)."""

    slug = models.SlugField(unique=True, help_text="Used in addresses: /regions/<slug>/.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=RegionKind.choices)
    description = models.TextField(
        blank=True, help_text="What the grouping is, and as of when its membership is given."
    )
    members = models.ManyToManyField(
        Country,
        blank=True,
        related_name="regions",
        help_text="Member countries, where the grouping has a defined membership.",
    )

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("outcomes:region", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class OrganizationType(models.TextChoices):
    FOUNDATION = "foundation", "Foundation"
    ASSOCIATION = "association", "Association or society"
    FEDERATION = "federation", "Federation"
    NETWORK = "network", "Network or alliance"
    RED_CROSS = "red-cross", "Red Cross society"
    UNIVERSITY = "university", "University or institute"
    COMPANY = "company", "Company"
    OTHER = "other", "Other or not stated"


class Organization(models.Model):
    """An organization the document names: a SIRONET member or a foreign partner."""

    name = models.CharField(
        max_length=200, unique=True, help_text="The name as the document writes it."
    )
    sort_name = models.CharField(
        max_length=200, editable=False, help_text="The name without a leading “The”, for A–Z."
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="Used in addresses: /organizations/<slug>/. Changing it breaks old links.",
    )
    acronym = models.CharField(
        max_length=30, blank=True, help_text="Only where the document gives one, e.g. “CFPD”."
    )
    type = models.CharField(max_length=20, choices=OrganizationType.choices)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        help_text="Home country, where known.",
    )
    is_member = models.BooleanField(
        "SIRONET member",
        default=True,
        help_text="Members are the organizations the document credits; untick for partners.",
    )

    history = HistoricalRecords()

    objects = SlugManager()

    class Meta:
        ordering = ["sort_name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_name = sort_name(self.name)
        if not self.slug:
            self.slug = slugify(self.sort_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("outcomes:organization", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    ONGOING = "ongoing", "Ongoing"
    COMPLETED = "completed", "Completed"
    UNKNOWN = "unknown", "Unknown"


class OutcomeQuerySet(models.QuerySet):
    def in_document_order(self):
        return self.order_by("position")

    def refresh_search_text(self):
        """Rebuild the search documents of these outcomes (three queries, then one per outcome)."""
        outcomes = self.prefetch_related(
            "participations__organization", "countries", "regions", "programmes"
        ).only("pk", "title", "text", "scope", "reference")
        changed = []
        for outcome in outcomes:
            outcome.search_text = outcome.build_search_text()
            changed.append(outcome)
        Outcome.objects.bulk_update(changed, ["search_text"], batch_size=500)

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
    def get_by_natural_key(self, reference):
        return self.get(reference=reference)


class Outcome(models.Model):
    """One item of the document."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="outcomes",
        help_text="Where the item is published.",
    )
    reference = models.CharField(
        max_length=12,
        unique=True,
        validators=[reference_validator],
        help_text="The document's numbering: section numeral, a dot, item number (“II.10”).",
    )
    position = models.PositiveIntegerField(
        editable=False,
        db_index=True,  # the default order of every list: ORDER BY position
        help_text="Document order, worked out from the reference when saved.",
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="outcomes")
    title = models.CharField(
        max_length=200,
        help_text="A short title of our own. It must say nothing the text does not say.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="Used in addresses: /outcomes/<slug>/. Changing it breaks old links.",
    )
    text = models.TextField(help_text="The item's text exactly as the document prints it.")
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.UNKNOWN,
        help_text="Only what the text supports: “plans to” is planned; "
        "a present tense is ongoing; a finished act is completed.",
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text="Only where the text states a year (e.g. “founded in 2016”).",
    )
    scope = models.CharField(
        max_length=300,
        blank=True,
        help_text="Targets without a defined list of countries, in the text's words "
        "(e.g. “more than 20 Asian and African countries”).",
    )
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="outcomes",
        help_text="Only countries the text names or plainly designates.",
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="outcomes", help_text="Groupings the text names."
    )
    organizations = models.ManyToManyField(
        Organization, through="Participation", related_name="outcomes"
    )
    search_text = models.TextField(
        editable=False,
        default="",
        help_text="Words of the title, text and related names, kept up to date for search.",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[countries, regions])

    objects = OutcomeManager()

    class Meta:
        ordering = ["position"]
        constraints = [
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
        return reverse("outcomes:outcome", args=[self.slug])

    def clean(self):
        match = REFERENCE_RE.match(self.reference or "")
        if match and self.category_id and match["numeral"] != self.category.numeral:
            raise ValidationError(
                {
                    "reference": f"{self.reference} starts with {match['numeral']}, "
                    f"but {self.category} is section {self.category.numeral}."
                }
            )

    def natural_key(self):
        return (self.reference,)

    def build_search_text(self):
        """The search document: expects the relations prefetched (see refresh_search_text)."""
        return search_document(
            self.reference,
            self.title,
            self.text,
            self.scope,
            *(programme.name for programme in self.programmes.all()),
            *(f"{p.organization.name} {p.organization.acronym}" for p in self.participations.all()),
            *(f"{country.name} {country.common_name}" for country in self.countries.all()),
            *(region.name for region in self.regions.all()),
        )

    @property
    def item_number(self):
        return self.reference.partition(".")[2]


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    PARTNER = "partner", "Partner"


class ParticipationManager(models.Manager):
    def get_by_natural_key(self, reference, organization_slug):
        return self.get(outcome__reference=reference, organization__slug=organization_slug)


class Participation(models.Model):
    """An organization's part in an outcome."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="participations")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(
        max_length=10,
        choices=Role.choices,
        default=Role.LEAD,
        help_text="Lead: credited with the work. Partner: worked with the lead.",
    )
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order in which the text names the organization."
    )

    history = HistoricalRecords()

    objects = ParticipationManager()

    class Meta:
        ordering = ["outcome", "position"]
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
    MONEY = "money", "Money"
    COUNT = "count", "Count"


class Qualifier(models.TextChoices):
    EXACT = "exact", "exactly"
    OVER = "over", "over"
    NEARLY = "nearly", "nearly"
    ABOUT = "about", "about"
    UP_TO = "up-to", "up to"


class FigureManager(models.Manager):
    def get_by_natural_key(self, reference, position):
        return self.get(outcome__reference=reference, position=position)


class Figure(models.Model):
    """An amount of money or a count the text gives."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="figures")
    position = models.PositiveSmallIntegerField(default=1, help_text="Order in the text.")
    kind = models.CharField(max_length=5, choices=FigureKind.choices)
    value = models.DecimalField(
        max_digits=15,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="The number; leave empty when the text is vague (“millions of dollars”).",
    )
    qualifier = models.CharField(
        max_length=6,
        choices=Qualifier.choices,
        blank=True,
        help_text="How the text qualifies the number (“over”, “nearly”…); empty when "
        "there is no number.",
    )
    currency = models.CharField(
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code such as USD or CNY.")],
        help_text="Money only: ISO 4217 code (“dollars” → USD, “RMB” → CNY).",
    )
    unit = models.CharField(
        max_length=50, blank=True, help_text="Counts only: what is counted, plural (“schools”)."
    )
    words = models.CharField(max_length=200, help_text="The words as the text writes them.")

    history = HistoricalRecords()

    objects = FigureManager()

    class Meta:
        ordering = ["outcome", "position"]
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
        ]

    def __str__(self):
        return self.words

    CURRENCY_SIGNS = {"USD": "US$", "CNY": "CN¥", "EUR": "€", "GBP": "£"}

    @property
    def display(self):
        """The figure as people read it: “over US$500,000”, “nearly CN¥100 million”."""
        if self.value is None:
            return self.words
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
        qualifier = "" if self.qualifier == Qualifier.EXACT else self.get_qualifier_display()
        return f"{qualifier} {amount}".strip()

    def clean(self):
        errors = {}
        if self.kind == FigureKind.MONEY:
            if not self.currency:
                errors["currency"] = "An amount of money needs a currency (e.g. USD, CNY)."
            if self.unit:
                errors["unit"] = "An amount of money has a currency, not a unit."
        if self.kind == FigureKind.COUNT:
            if not self.unit:
                errors["unit"] = "A count needs a unit: what is counted (e.g. schools)."
            if self.currency:
                errors["currency"] = "A count has a unit, not a currency."
        if self.value is None and self.qualifier:
            errors["qualifier"] = "Leave the qualifier empty when there is no number."
        if self.value is not None and not self.qualifier:
            errors["qualifier"] = "Say how the text gives the number (exactly, over, nearly…)."
        if errors:
            raise ValidationError(errors)

    def natural_key(self):
        return (*self.outcome.natural_key(), self.position)

    natural_key.dependencies = ["outcomes.outcome"]


class ProgrammeManager(models.Manager):
    def get_by_natural_key(self, reference, name):
        return self.get(outcome__reference=reference, name=name)


class Programme(models.Model):
    """A programme, project, platform or body that an outcome names."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="programmes")
    name = models.CharField(max_length=200, help_text="The name exactly as the text writes it.")
    position = models.PositiveSmallIntegerField(default=1, help_text="Order in the text.")

    history = HistoricalRecords()

    objects = ProgrammeManager()

    class Meta:
        ordering = ["outcome", "position"]
        verbose_name = "programme or initiative"
        verbose_name_plural = "programmes and initiatives"
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
