"""Releases: numbered, frozen states of the catalogue that a researcher can cite
(downloads/releases.py publishes them; docs/reuse.md, "Releases")."""

import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from outcomes.models.base import CatalogueQuerySet

NUMBER_RE = re.compile(r"^(?P<year>[0-9]{4})\.(?P<count>[1-9][0-9]*)$")


class FrozenQuerySet(CatalogueQuerySet):
    """Releases are never changed or deleted in bulk either (a shell, a script)."""

    def update(self, **kwargs):
        raise ValidationError(_("A release never changes."))

    def bulk_update(self, *args, **kwargs):
        raise ValidationError(_("A release never changes."))

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:  # an INSERT … ON CONFLICT UPDATE would rewrite a release
            raise ValidationError(_("A release never changes."))
        return super().bulk_create(objs, *args, **kwargs)

    def listed(self):
        """Without the frozen copies, which are large: what lists of releases read."""
        return self.defer("tables", "records", "organization_records")

    def delete(self):
        if self.exists():
            raise ValidationError(_("A release is never deleted."))
        return 0, {}


class Release(models.Model):
    """A numbered state of the catalogue as the public saw it: its records and its data
    package, frozen. Only its DOI may be set, once."""

    number = models.CharField(
        _("number"),
        max_length=20,
        unique=True,
        help_text=_("YYYY.N: the year of publication and the release's place in that year."),
    )
    published = models.DateTimeField(_("published"))
    note = models.TextField(_("release note"), help_text=_("What this release brings, in brief."))
    data_version = models.PositiveBigIntegerField(
        _("data version"), help_text=_("The catalogue's data version it froze.")
    )
    checksum = models.CharField(
        _("checksum"), max_length=64, help_text=_("SHA-256 of its data package's zip file.")
    )
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(r"^10\.[0-9]{4,9}/\S+$", _("A DOI looks like 10.5281/zenodo.123."))
        ],
        help_text=_("Set once a DOI is minted for the release (e.g. by Zenodo), e.g. 10.5281/…"),
    )
    # {table: {key: {field: value}}}, the data package's tables as text (downloads/releases.py).
    tables = models.JSONField(editable=False)
    # {slug: {table: [row], "labels": {table: {key: label}}}}: each outcome's record in
    # `tables`, read one at a time (downloads/releases.py).
    records = models.JSONField(default=dict, editable=False)
    # {slug: {table: [row]}}: each organization's record in `tables`, likewise.
    organization_records = models.JSONField(default=dict, editable=False)
    # {"added": n, "changed": n, "removed": n}: records, against the release before it.
    counts = models.JSONField(default=dict, editable=False)

    objects = FrozenQuerySet.as_manager()

    # The first release's note, which publishing writes (downloads/releases.py).
    DOCUMENT_NOTE = gettext_noop(
        "The source document alone, as the catalogue first recorded it: its items before "
        "any correction, later report or other change by the catalogue's editors."
    )

    class Meta:
        ordering = ["-published", "-pk"]
        get_latest_by = "published"
        base_manager_name = "objects"  # no plain manager that would update or delete
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        """A release is written once; afterwards only an empty DOI is set (nothing else of
        the instance is ever written again)."""
        if self.pk is None:
            return super().save(*args, **kwargs)
        stored = Release.objects.values_list("doi", flat=True).get(pk=self.pk)
        if self.doi == stored:
            return None
        if stored:
            raise ValidationError(_("A release never changes; only its DOI is set, once."))
        Release.doi.field.run_validators(self.doi)  # set once: set right
        return super().save(update_fields=["doi"])

    def get_absolute_url(self):
        return reverse("downloads:release", args=[self.number])

    @property
    def shown_note(self):
        """The note, the first release's in the page's language."""
        return gettext(self.note) if self.note == self.DOCUMENT_NOTE else self.note

    @property
    def folder(self):
        """Where its data package's files are kept: the deployment's media (MEDIA_ROOT)."""
        return Path(settings.MEDIA_ROOT) / "releases" / self.number

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A release is never deleted."))
