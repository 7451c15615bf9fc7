"""The documents outcomes are taken from, and their numbered sections (categories)."""

import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from outcomes.models.base import SlugModel, Translated, optional_fk

ROMAN_NUMERALS = ("I", "II", "III", "IV", "V")

REFERENCE_RE = re.compile(r"^(?P<numeral>I|II|III|IV|V)\.(?P<number>[1-9][0-9]*)$")

reference_validator = RegexValidator(
    REFERENCE_RE,
    _("A reference is the section numeral (I to V), a dot and the item number, e.g. “II.10”."),
)


def document_position(reference):
    """I.1 < I.8 < II.1 < II.10 < III.1."""
    if match := REFERENCE_RE.match(reference or ""):
        return (ROMAN_NUMERALS.index(match["numeral"]) + 1) * 10_000 + int(match["number"])
    return None


class Source(SlugModel):
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
    own_side = optional_fk(
        "outcomes.Country",
        related_name="+",
        verbose_name=_("members’ own side"),
        help_text=_(
            "Where the members reporting the outcomes are based. A grouping an outcome "
            "names as a whole reaches its other members, not this country (the about page, "
            "“Via a grouping”)."
        ),
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title


class Category(SlugModel, Translated):
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

    class Meta:
        ordering = ["order"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
