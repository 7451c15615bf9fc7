"""What happened next: later public sources on an outcome, summarised by an editor, and
each search for them, so that “none found” differs from “not searched yet” (docs/editors.md)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outcomes.models.base import CatalogueModel, CatalogueQuerySet
from outcomes.models.parts import Amount, ReportFigureOf, outcome_field


class Reading(models.TextChoices):
    CONTINUED = "continued", _("continued")
    EXPANDED = "expanded", _("expanded")
    DELIVERED = "delivered", _("delivered")
    CHANGED = "changed", _("changed")
    ENDED = "ended", _("ended")
    CONTRADICTS = "contradicts", _("contradicts")


# Each reading's rule, for the about page and the editors' form.
READING_RULES = {
    Reading.CONTINUED: _(
        "The source shows the work still running at its date, as the document describes it."
    ),
    Reading.EXPANDED: _(
        "The source reports more than the document said: more places, people, money or "
        "activities than it names."
    ),
    Reading.DELIVERED: _(
        "The source reports that what the document planned was done, or that a figure it "
        "gave was reached."
    ),
    Reading.CHANGED: _(
        "The work goes on under another name, in another place, or merged into other work."
    ),
    Reading.ENDED: _("The source reports that the work stopped or was wound up."),
    Reading.CONTRADICTS: _(
        "The source disagrees with the document: a different figure, place, date or "
        "organization for the same work."
    ),
}


# The history reason of a review (every other change to a report is someone's writing).
REVIEWED = "Reviewed"


class LaterReportQuerySet(CatalogueQuerySet):
    def reviewed(self):
        """What the public sees (a seeded report names its reviewer)."""
        return self.filter(Q(reviewed_by__isnull=False) | ~Q(reviewed_by_name=""))

    def waiting(self):
        return self.filter(reviewed_by__isnull=True, reviewed_by_name="")


def editor_field(verbose_name):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


def name_field(verbose_name, help_text):  # a seeded record's editor, by name
    return models.CharField(verbose_name, max_length=100, blank=True, help_text=help_text)


def editor_name(user, name):
    return user.get_username() if user else name


class LaterReport(CatalogueModel):
    """A public source, later than the outcome's document, on what became of it; public
    once a second editor has reviewed it."""

    outcomes = models.ManyToManyField(
        "outcomes.Outcome",
        related_name="later_reports",
        verbose_name=_("outcomes"),
        help_text=_("Each outcome the source names (one of its organizations or programme)."),
    )
    url = models.URLField(
        _("address"), max_length=500, unique=True, help_text=_("Where the source is published.")
    )
    title = models.CharField(
        _("title"), max_length=300, help_text=_("The source's title exactly as published.")
    )
    publisher = models.CharField(_("publisher"), max_length=200)
    published = models.DateField(
        _("published"), help_text=_("The day the source was published (after the document).")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        help_text=_("The source's language, as a code: en, zh, ko…"),
        validators=[
            # BCP 47's primary tag and an optional region or script (“zh”, “zh-Hant”).
            RegexValidator(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
        ],
    )
    reading = models.CharField(
        _("reading"),
        max_length=11,
        choices=Reading,
        help_text=_(
            "What the source reports about the outcome; the about page gives each rule. "
            "When a source reports several things, the reading is the strongest: "
            "contradicts, ended, changed, delivered, expanded, continued."
        ),
    )
    summary = models.TextField(
        _("summary"), help_text=_("What it reports, in your own words: never a copied passage.")
    )
    summary_zh = models.TextField(_("summary in Chinese"), blank=True)
    added_by = editor_field(_("added by"))
    added_by_name = name_field(_("added by (name)"), _("Seeded reports only."))
    reviewed_by = editor_field(_("reviewed by"))
    reviewed_by_name = name_field(_("reviewed by (name)"), _("Seeded reports only."))
    reviewed = models.DateField(_("reviewed on"), null=True, blank=True)

    objects = LaterReportQuerySet.as_manager()
    NATURAL_KEY = ("url",)

    class Meta:
        ordering = ["published", "url"]
        verbose_name = _("later report")
        verbose_name_plural = _("later reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(reading__in=Reading.values), name="laterreport_reading_known"
            ),
        ]

    def __str__(self):
        return f"{self.publisher}, {self.published}: {self.title}"

    @property
    def is_reviewed(self):
        return self.reviewed_by_id is not None or bool(self.reviewed_by_name)

    @property
    def adder(self):
        return editor_name(self.added_by, self.added_by_name)

    @property
    def reviewer(self):
        return editor_name(self.reviewed_by, self.reviewed_by_name)

    def may_review(self, editor):
        """Not one who added the report or wrote any of it (its history says who)."""
        written = self.history.filter(history_user=editor).exclude(history_change_reason=REVIEWED)
        return editor.pk != self.added_by_id and not written.exists()

    def clean(self):
        if self.reviewed_by_id and self.pk and not self.may_review(self.reviewed_by):
            message = _("A second editor reviews a report: not one who added or changed it.")
            raise ValidationError({"reviewed_by": message})

    def check_published_after(self, outcomes):
        """Called by the form with the outcomes chosen."""
        for outcome in outcomes:
            document_date = outcome.source.published
            if self.published and document_date and self.published <= document_date:
                raise ValidationError(
                    _(
                        "%(reference)s's document was published on %(date)s: a source "
                        "published on or before it is background, not a later report."
                    ),
                    params={"reference": outcome.reference, "date": document_date},
                )


class ReportFigure(ReportFigureOf, Amount):
    objects = CatalogueQuerySet.as_manager()
    NATURAL_KEY = ("report__url", "position")

    class Meta:
        ordering = ["report", "position"]
        verbose_name = _("figure reported")
        verbose_name_plural = _("figures reported")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "position"], name="reportfigure_position_unique"
            ),
            *Amount.Meta.constraints,
        ]


class LaterSearch(CatalogueModel):
    """One search for later reports on an outcome: when, what was tried, by whom."""

    outcome = outcome_field("later_searches")
    searched = models.DateField(_("searched on"))
    queries = models.TextField(
        _("queries"), help_text=_("What was searched for, one query per line (both languages).")
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("Pages read and set aside, and why.")
    )
    searched_by = editor_field(_("searched by"))
    searched_by_name = name_field(_("searched by (name)"), _("Seeded searches only."))

    objects = CatalogueQuerySet.as_manager()
    NATURAL_KEY = ("outcome__source__slug", "outcome__reference", "searched")

    class Meta:
        ordering = ["outcome", "-searched"]
        get_latest_by = "searched"
        verbose_name = _("search for later reports")
        verbose_name_plural = _("searches for later reports")
        constraints = [
            models.UniqueConstraint(fields=["outcome", "searched"], name="latersearch_once_a_day"),
        ]

    @property
    def searcher(self):
        return editor_name(self.searched_by, self.searched_by_name)

    def __str__(self):
        return f"{self.outcome.reference}, {self.searched}"
