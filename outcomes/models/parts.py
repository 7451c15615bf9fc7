"""An outcome's rows: participations, reaches, mentions, figures and programmes."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outcomes.models.base import CatalogueModel, CatalogueQuerySet, chinese_page, optional_fk
from outcomes.models.organizations import Organization
from outcomes.models.places import Country, Region, in_force_conditions


def outcome_field(related_name):
    return models.ForeignKey(
        "outcomes.Outcome", models.CASCADE, related_name=related_name, verbose_name=_("outcome")
    )


def position_field(help_text):
    return models.PositiveSmallIntegerField(_("position"), default=1, help_text=help_text)


class ReachKind(models.TextChoices):
    MEMBERS = "members", _("via the grouping")
    WITHIN = "within", _("somewhere in")


class ReachQuerySet(CatalogueQuerySet):
    def through_members(self, countries=None):
        """Reaches through a grouping named as a whole, one row per member on the source's
        date (of `countries` if given), never the source's `own_side`. One filter() joins
        one membership: read "region__memberships__country…" values, on the same join."""
        conditions = in_force_conditions(F("outcome__source__published"), "region__memberships__")
        conditions.append(
            Q(outcome__source__own_side__isnull=True)
            | ~Q(Exact(F("region__memberships__country"), F("outcome__source__own_side")))
        )
        if countries is not None:
            conditions.append(Q(region__memberships__country__in=countries))
        return self.filter(kind=ReachKind.MEMBERS).filter(*conditions)


class Reach(CatalogueModel):
    """A grouping an outcome reaches: each of its members (“via ASEAN”) or no single
    country (“somewhere in Asia”): docs/data.md."""

    outcome = outcome_field("reaches")
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

    objects = ReachQuerySet.as_manager()
    NATURAL_KEY = ("outcome__source__slug", "outcome__reference", "region__slug")

    class Meta:
        ordering = ["outcome", "region__name"]
        verbose_name = _("reach")
        verbose_name_plural = _("reaches")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "region"], name="reach_once_per_outcome"),
        ]

    def __str__(self):
        return f"{self.outcome.reference} {self.get_kind_display()} {self.region}"


class MentionReason(models.TextChoices):
    ORIGIN = "origin", _("origin of an organization that did the work")
    CULTURE = "culture", _("culture, people or language")
    SUBJECT = "subject", _("subject or title, not where the work happened")
    HOME_SIDE = "home-side", _("the members' own side of an exchange named “China-X”")
    PARTNER_NAME = "partner-name", _("in a partner's name, not the partner's side")
    JOINT_NAME = "joint-name", _("in the name of a joint body, which the text does not place")
    PROPOSED = "proposed", _("in the name of something only advocated")


class Mention(CatalogueModel):
    """A country or grouping named, not as where the work happens (“Chinese culture”):
    for search and the record, never a place (docs/data.md)."""

    outcome = outcome_field("mentions")
    country = optional_fk(Country, related_name="mentions", verbose_name=_("country"))
    region = optional_fk(Region, related_name="mentions", verbose_name=_("region"))
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

    objects = CatalogueQuerySet.as_manager()
    NATURAL_KEY = ("outcome__source__slug", "outcome__reference", "words")

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


class Participation(CatalogueModel):
    outcome = outcome_field("participations")
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="participations", verbose_name=_("organization")
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
    position = position_field(_("Order in which the text names the organization."))

    objects = CatalogueQuerySet.as_manager()
    NATURAL_KEY = ("outcome__source__slug", "outcome__reference", "organization__slug")

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


class FigureKind(models.TextChoices):
    MONEY = "money", _("Money")
    COUNT = "count", _("Count")


class Qualifier(models.TextChoices):
    EXACT = "exact", _("exactly")
    OVER = "over", _("over")
    NEARLY = "nearly", _("nearly")
    ABOUT = "about", _("about")
    UP_TO = "up-to", _("up to")


# Where a figure belongs, before Amount: a table's columns follow the fields' order of
# declaration (the outcome and position first, as downloads print them).
class FigureOf(CatalogueModel):
    outcome = outcome_field("figures")
    position = position_field(_("Order in the text."))

    class Meta:
        abstract = True


class ReportFigureOf(CatalogueModel):
    report = models.ForeignKey(
        "outcomes.LaterReport",
        models.CASCADE,
        related_name="figures",
        verbose_name=_("later report"),
    )
    position = position_field(_("Order in the report."))

    class Meta:
        abstract = True


class Amount(CatalogueModel):
    """An amount of money or a count as a text gives it: the document's or a later
    report's, so that the two can stand side by side."""

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
    aim = models.BooleanField(
        _("an aim"),
        default=False,
        help_text=_(
            "Tick when the text gives the figure as an aim, not a result: after “to "
            "attract”, “so as to”, “to help”, “in order to” (the about page, “Aims”)."
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

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="%(class)s_value_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind="money") | (~Q(currency="") & Q(unit="")),
                name="%(class)s_money_has_currency",
            ),
            models.CheckConstraint(
                condition=~Q(kind="count") | (~Q(unit="") & Q(currency="")),
                name="%(class)s_count_has_unit",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["money", "count"]), name="%(class)s_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(currency_assumed=False) | Q(kind="money"),
                name="%(class)s_only_money_assumes_currency",
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
        """“over US$500,000”, “超过50万美元”; the text's words when it gives no number."""
        if self.value is None:
            return self.words
        if chinese_page() and (self.unit_zh or self.kind == "money"):
            return self.display_zh
        return self.display_en

    @property
    def display_zh(self):
        value = int(self.value or 0)
        number = str(value)
        for size, word in ((100_000_000, "亿"), (10_000, "万")):
            if value >= size and value % (size // 10) == 0:
                number = f"{value / size:.1f}".removesuffix(".0") + word
                break
        unit = self.unit_zh
        if self.kind == FigureKind.MONEY:
            unit = self.CURRENCIES_ZH.get(self.currency, f" {self.currency}")
        return self.QUALIFIERS_ZH.get(self.qualifier, "") + number + unit

    @property
    def display_en(self):
        value = int(self.value or 0)
        number = f"{value:,}"
        if value >= 1_000_000 and value % 100_000 == 0:
            number = f"{value / 1_000_000:,.1f}".removesuffix(".0") + " million"
        amount = f"{number} {self.unit}"
        if self.kind == FigureKind.MONEY:
            sign = self.CURRENCY_SIGNS.get(self.currency)
            amount = f"{sign}{number}" if sign else f"{number} {self.currency}"
        # The English words, whatever the page's language (the labels are translated).
        qualifier = "" if self.qualifier == Qualifier.EXACT else self.qualifier.replace("-", " ")
        return f"{qualifier} {amount}".strip()

    @property
    def currency_note(self):
        if self.kind == FigureKind.MONEY and self.currency_assumed:
            return gettext("currency assumed: the text says “%(words)s” without naming it") % {
                "words": self.words
            }
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


class Figure(FigureOf, Amount):
    objects = CatalogueQuerySet.as_manager()
    NATURAL_KEY = ("outcome__source__slug", "outcome__reference", "position")

    class Meta:
        ordering = ["outcome", "position"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "position"], name="figure_position_unique"),
            *Amount.Meta.constraints,
        ]


class Programme(CatalogueModel):
    outcome = outcome_field("programmes")
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The name exactly as the text writes it.")
    )
    name_zh = models.CharField(
        _("name in Chinese"),
        max_length=200,
        blank=True,
        help_text=_("Its Chinese name (the outcome's “Chinese by” says whose)."),
    )
    position = position_field(_("Order in the text."))

    objects = CatalogueQuerySet.as_manager()
    NATURAL_KEY = ("outcome__source__slug", "outcome__reference", "name")

    class Meta:
        ordering = ["outcome", "position"]
        verbose_name = _("programme or initiative")
        verbose_name_plural = _("programmes and initiatives")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "name"], name="programme_once_per_outcome"),
        ]
