"""Reports of a correction sent by the public: the catalogue's one public write."""

from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from simple_history.models import HistoricalRecords

# What a report may say, in characters; the form and the database hold to it too.
MAX_LENGTH = 4000
MAX_URL_LENGTH = 500
# Only links a browser opens; no javascript:, data: or ftp: addresses.
http_url_validator = URLValidator(schemes=["http", "https"])


class ReportStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in-progress", "In progress"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


class CorrectionReport(models.Model):
    # SET_NULL, not PROTECT: a report must not stop a superuser from deleting a
    # duplicate outcome, and `outcome_label` keeps what the report was about.
    outcome = models.ForeignKey(
        "outcomes.Outcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="correction_reports",
        help_text="The outcome the report is about; empty for a general report. "
        "Set it if a general report turns out to concern one outcome.",
    )
    outcome_label = models.CharField(
        "outcome when reported",
        max_length=300,
        blank=True,
        editable=False,
        help_text="The outcome's reference and title when the report was sent "
        "(kept if the outcome is renamed or deleted).",
    )
    what = models.TextField(
        "what is wrong",
        max_length=MAX_LENGTH,
        validators=[MaxLengthValidator(MAX_LENGTH)],
        help_text="As the reporter typed it (plain text, never rendered as HTML).",
    )
    source = models.URLField(
        "source link",
        max_length=MAX_URL_LENGTH,
        blank=True,
        validators=[http_url_validator],
        help_text="Where the reporter says the right information is. Open it with care: "
        "it comes from the public.",
    )
    email = models.EmailField(
        "reporter's e-mail",
        blank=True,
        help_text="Only to write back to the reporter; never published.",
    )
    status = models.CharField(
        max_length=16,
        choices=ReportStatus,
        default=ReportStatus.NEW,
        help_text="New: nobody has looked yet. In progress: an editor is checking it. "
        "Done: the catalogue was corrected (link the change below). Declined: "
        "nothing to change (say why in the note).",
    )
    note = models.TextField(
        "editors' note",
        blank=True,
        help_text="For editors only: what was checked, what changed, or why it was declined.",
    )
    fixed_by = models.ForeignKey(
        "outcomes.HistoricalOutcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="fixed by the change",
        help_text="The saved version of the outcome that made the correction (its history "
        "lists them, newest first). A fix elsewhere, e.g. to an organization, goes in the note.",
    )
    client = models.CharField(
        "sender's address (hashed)",
        max_length=64,
        editable=False,
        help_text="A salted hash of the sender's network address: the same value means "
        "the same sender, for spotting floods; the address itself is not kept.",
    )
    created = models.DateTimeField("received", auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "correction report"
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("what"), MAX_LENGTH),
                name="correction_what_length",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values),
                name="correction_status_valid",
            ),
        ]

    def __str__(self):
        about = self.outcome_label or "the catalogue"
        return f"Report #{self.pk} about {about}"
