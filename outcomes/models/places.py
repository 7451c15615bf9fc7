"""Places: ISO countries, and groupings of them (ASEAN, the Mekong…) with their members."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outcomes.models.base import CatalogueModel, CatalogueQuerySet, SlugModel, Translated


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
        return self.annotate(outcome_count=models.Count("outcomes")).filter(outcome_count__gt=0)


class Country(CatalogueModel):
    """An ISO 3166-1 country (`manage.py seed` loads them)."""

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

    objects = CountryQuerySet.as_manager()
    NATURAL_KEY = ("code",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def get_absolute_url(self):
        return reverse("outcomes:country", args=[self.code.lower()])


class RegionKind(models.TextChoices):
    POLITICAL = "political", _("Political grouping")
    GEOGRAPHIC = "geographic", _("Geographic region")
    RIVER_BASIN = "river-basin", _("River basin")


class Region(SlugModel, Translated):
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
    members: "models.ManyToManyField[Country, Membership]" = models.ManyToManyField(
        Country,
        verbose_name=_("members"),
        through="Membership",
        blank=True,
        related_name="regions",
        help_text=_("Member countries, each with the dates its membership began and ended."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


def in_force_conditions(day, prefix=""):
    """A membership in force on `day` (a date or an F()); `prefix`: the path to it."""
    return [
        Q(**{f"{prefix}since__isnull": True}) | Q(**{f"{prefix}since__lte": day}),
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gt": day}),
    ]


class MembershipQuerySet(CatalogueQuerySet):
    def as_of(self, day):
        return self.filter(*in_force_conditions(day))

    def current(self):
        return self.as_of(timezone.localdate())


class Membership(CatalogueModel):
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

    objects = MembershipQuerySet.as_manager()
    NATURAL_KEY = ("region__slug", "country__code", "since")

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

    def natural_key(self):  # the date as a fixture writes it
        return (self.region.slug, self.country.code, self.since and self.since.isoformat())

    def in_force(self, day):
        """As in_force_conditions() reads it."""
        begun = self.since is None or self.since <= day
        return begun and (self.until is None or self.until > day)

    def clean(self):
        if self.since and self.until and self.until <= self.since:
            raise ValidationError({"until": _("A membership ends after it begins.")})
