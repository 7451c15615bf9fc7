"""The organizations the documents name: members, partners, and the bodies they founded."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from outcomes.models.base import SlugModel, Translated, optional_fk, sort_name
from outcomes.models.places import Country


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


class Organization(SlugModel, Translated):
    name = models.CharField(
        _("name"), max_length=200, unique=True, help_text=_("The name as the document writes it.")
    )
    name_zh = models.CharField(
        _("name in Chinese"),
        max_length=200,
        blank=True,
        help_text=_("The organization's own Chinese name; leave it empty unless sure of it."),
    )
    # Where the Chinese name is published: no page, no name (docs/data.md, "Chinese").
    name_zh_url = models.URLField(
        _("Chinese name's page"),
        max_length=500,
        blank=True,
        help_text=_("The address of a public page that publishes the Chinese name."),
    )
    name_zh_page_title = models.CharField(
        _("that page's title"),
        max_length=300,
        blank=True,
        help_text=_("Exactly as the page gives it; empty where the stored copy has none."),
    )
    name_zh_publisher = models.CharField(_("that page's publisher"), max_length=200, blank=True)
    name_zh_published = models.DateField(_("that page's date"), null=True, blank=True)
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
    country = optional_fk(
        Country,
        verbose_name=_("country"),
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
    founded_by = optional_fk(
        "self",
        verbose_name=_("founded by"),
        related_name="founded",
        help_text=_("For a body an outcome says another organization founded or established."),
    )

    class Meta:
        ordering = ["sort_name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def clean(self):
        super().clean()
        renamed = (
            self._state.adding
            or not type(self).objects.filter(pk=self.pk, name_zh=self.name_zh).exists()
        )
        if self.name_zh and not self.name_zh_url and renamed:  # a name given or changed now
            raise ValidationError(
                {"name_zh_url": _("Give the public page that publishes this Chinese name.")}
            )

    def save(self, *args, **kwargs):
        self.sort_name = sort_name(self.name)
        if not self.slug:
            self.slug = slugify(self.sort_name)
        super().save(*args, **kwargs)
