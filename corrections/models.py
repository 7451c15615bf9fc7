"""Reports sent by the public (a correction, or a later report to read)."""

from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outcomes.models import LaterReport, Reading

# What a report may say, in characters; the form and the database hold to it too.
MAX_LENGTH = 4000
MAX_URL_LENGTH = 500
# Only links a browser opens; no javascript:, data: or ftp: addresses.
http_url_validator = URLValidator(schemes=["http", "https"])


class ReportStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in-progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


class ReportKind(models.TextChoices):
    CORRECTION = "correction", _("Correction")
    LATER = "later", _("Later report suggested")


class CorrectionReport(models.Model):
    # SET_NULL, not PROTECT: a report must not stop a superuser from deleting a
    # duplicate outcome, and `outcome_label` keeps what the report was about.
    outcome = models.ForeignKey(
        "outcomes.Outcome",
        verbose_name=_("outcome"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="correction_reports",
        help_text=_(
            "The outcome the report is about; empty for a general report. "
            "Set it if a general report turns out to concern one outcome."
        ),
    )
    outcome_label = models.CharField(
        _("outcome when reported"),
        max_length=300,
        blank=True,
        editable=False,
        help_text=_(
            "The outcome's reference and title when the report was sent "
            "(kept if the outcome is renamed or deleted)."
        ),
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=ReportKind,
        default=ReportKind.CORRECTION,
        editable=False,
        help_text=_("A correction, or a later report suggested on an outcome's page."),
    )
    what = models.TextField(
        _("what is wrong"),
        max_length=MAX_LENGTH,
        validators=[MaxLengthValidator(MAX_LENGTH)],
        help_text=_("As the reporter typed it (plain text, never rendered as HTML)."),
    )
    source = models.URLField(
        _("source link"),
        max_length=MAX_URL_LENGTH,
        blank=True,
        validators=[http_url_validator],
        help_text=_(
            "Where the reporter says the right information is. Open it with care: "
            "it comes from the public."
        ),
    )
    email = models.EmailField(
        _("reporter's e-mail"),
        blank=True,
        help_text=_("Only to write back to the reporter; never published."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReportStatus,
        default=ReportStatus.NEW,
        help_text=_(
            "New: nobody has looked yet. In progress: an editor is checking it. "
            "Done: the catalogue was corrected (link the change below). Declined: "
            "nothing to change (say why in the note)."
        ),
    )
    note = models.TextField(
        _("editors' note"),
        blank=True,
        help_text=_("For editors only: what was checked, what changed, or why it was declined."),
    )
    fixed_by = models.ForeignKey(
        "outcomes.HistoricalOutcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fixed by the change"),
        help_text=_(
            "The saved version of the outcome that made the correction (its history "
            "lists them, newest first). A fix elsewhere, e.g. to an organization, goes in the note."
        ),
    )
    draft = models.ForeignKey(
        "outcomes.LaterReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("draft later report"),
        help_text=_("The later report this suggestion became."),
    )
    client = models.CharField(
        _("sender's address (hashed)"),
        max_length=64,
        editable=False,
        help_text=_(
            "A salted hash of the sender's network address: the same value means "
            "the same sender, for spotting floods; the address itself is not kept."
        ),
    )
    notified = models.DateTimeField(
        _("editors told"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the worker e-mailed the editors about it (empty: not yet)."),
    )
    created = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("correction report")
        verbose_name_plural = _("correction reports")
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("what"), MAX_LENGTH), name="correction_what_length"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="correction_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReportKind.values), name="correction_kind_valid"
            ),
            # A later report is known by its address.
            models.CheckConstraint(
                condition=~models.Q(kind=ReportKind.LATER) | ~models.Q(source=""),
                name="correction_later_has_address",
            ),
        ]

    def __str__(self):
        return _("Report #%(number)s about %(about)s") % {
            "number": self.pk,
            "about": self.outcome_label or _("the catalogue"),
        }

    def make_draft(self, editor):
        """The later report this suggestion becomes, and whether it was made now: a draft for
        `editor` to complete, or the report already at its address."""
        made = False
        if self.draft is None:
            self.draft, made = LaterReport.objects.get_or_create(
                url=self.source,
                defaults={
                    "added_by": editor,
                    # Stored placeholders, which the editor's form asks for afresh: a
                    # source suggested was published by the day it was suggested.
                    "published": timezone.localdate(self.created),
                    "reading": Reading.CONTINUED,
                },
            )
            if made and self.outcome:
                self.draft.outcomes.add(self.outcome)
            if self.status == ReportStatus.NEW:
                self.status = ReportStatus.IN_PROGRESS
            self.save()
        return self.draft, made


class SenderCount(models.Model):
    """How many reports one sender sent in one window: one conditional UPDATE counts a report,
    so concurrent posts from one address cannot pass the limit together."""

    sender = models.CharField(max_length=64)
    window = models.PositiveIntegerField(help_text="Seconds since 1970 // limits.WINDOW.")
    sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sender", "window"], name="one_count_per_window")
        ]

    def __str__(self):
        return f"{self.sender[:12]}… {self.window}: {self.sent}"
