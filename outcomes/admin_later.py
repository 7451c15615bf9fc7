"""The editors' side of later reports: add, review, and record searches (docs/editors.md)."""

from datetime import timedelta
from typing import cast

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from outcomes.admin_editing import ConflictCheckForm, HistoryAdmin
from outcomes.history import with_row_changes
from outcomes.models import LaterReport, LaterSearch, Outcome, Reading, ReportFigure
from outcomes.models.later import READING_RULES, REVIEWED
from outcomes.record import FIGURE_FIELDS


def review(report, editor):
    """Mark `report` reviewed by `editor`, in its history; a ValidationError says why not."""
    if report.is_reviewed:
        raise ValidationError(gettext("“%(report)s” is already reviewed.") % {"report": report})
    if is_draft(report):
        raise ValidationError(
            gettext("A draft made from a suggestion is reviewed once an editor has completed it.")
        )
    report.reviewed_by, report.reviewed = editor, timezone.localdate()
    report.clean()  # the model's rule: a second editor, not one who added or changed it
    report._change_reason = REVIEWED
    report.save()


def words_changed(report, form):
    """Whether the save changes the report's words (its form's fields) or outcomes from what is
    stored (a history page's form starts from an old version, so its changed_data cannot say)."""
    stored = LaterReport.objects.get(pk=report.pk)
    words = [field.name for field in report._meta.concrete_fields if field.name in form.fields]
    if any(getattr(stored, name) != getattr(report, name) for name in words):
        return True
    chosen = form.cleaned_data.get("outcomes")
    return chosen is not None and set(chosen) != set(stored.outcomes.all())


def unreview(request, report):
    """A reviewed report whose words change waits for a review again, off public pages."""
    report.reviewed_by, report.reviewed_by_name, report.reviewed = None, "", None
    report._change_reason = "Changed after its review: waiting for a review again"
    said = gettext(
        "This report changed after its review: it is no longer public, and waits "
        "for a second editor to review it again."
    )
    messages.warning(request, said)


def is_draft(report):
    """A draft made from a suggestion that no editor has completed (its form needs a
    summary): its date and reading are placeholders (CorrectionReport.make_draft)."""
    return not report.summary


class ReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("waiting", _("waiting for review")), ("reviewed", _("reviewed"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.waiting()
        return queryset.reviewed() if self.value() == "reviewed" else queryset


class LaterReportForm(ConflictCheckForm):
    PARTS = ("figures",)

    class Meta:
        widgets = {"reading": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reading = cast(forms.ChoiceField, self.fields["reading"])
        # Each reading with its rule (the about page's), where the editor chooses.
        reading.choices = [(value, f"{value.label}: {READING_RULES[value]}") for value in Reading]
        if self.instance.pk and is_draft(self.instance) and not self.is_bound:
            self.initial.pop("published", None)
            self.initial.pop("reading", None)

    def clean(self):
        cleaned = super().clean()
        chosen, published = cleaned.get("outcomes"), cleaned.get("published")
        if chosen and published:
            try:
                LaterReport(published=published).check_published_after(
                    chosen.select_related("source")
                )
            except ValidationError as error:
                self.add_error("published", error)
        return cleaned


class ReportFigureInline(admin.TabularInline):
    model = ReportFigure
    fields = ["position", *FIGURE_FIELDS]
    extra = 0
    verbose_name_plural = _(
        "Figures the source gives (money needs a currency, a count needs a unit)"
    )


@admin.register(LaterReport)
class LaterReportAdmin(HistoryAdmin):
    form = LaterReportForm
    list_display = [
        "title_or_address",
        "publisher",
        "published",
        "reading",
        "outcome_list",
        "review_state",
        "adder",
    ]
    list_filter = [ReviewFilter, "reading", "language"]
    list_select_related = ["added_by", "reviewed_by"]
    search_fields = ["title", "publisher", "url", "summary", "outcomes__reference"]
    autocomplete_fields = ["outcomes"]
    date_hierarchy = "published"
    actions = ["mark_reviewed"]
    readonly_fields = ["added", "reviewed_state"]
    inlines = [ReportFigureInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            _("The source"),
            {
                "fields": ["outcomes", "url", "title", "publisher", "published", "language"],
                "description": _(
                    "A dated public source, published after the outcome's document, that names "
                    "one of the outcome's organizations or its programme. Its title, publisher "
                    "and date exactly as published."
                ),
            },
        ),
        (
            _("What it reports"),
            {
                "fields": ["reading", "summary", "summary_zh", "loaded"],
                "description": _(
                    "The summary is in your own words, never a copied passage: the source's "
                    "own words stay at its address."
                ),
            },
        ),
        (_("Added and reviewed"), {"fields": ["added", "reviewed_state"]}),
    ]

    def get_queryset(self, request):
        outcomes = Outcome.objects.order_by("position")
        return super().get_queryset(request).prefetch_related(Prefetch("outcomes", outcomes))

    def get_urls(self):
        view = self.admin_site.admin_view(self.review_view)
        name = "outcomes_laterreport_review"
        return [path("<int:pk>/review/", view, name=name), *super().get_urls()]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        elif obj.is_reviewed and words_changed(obj, form):
            unreview(request, obj)  # here, as a history page's revert saves too
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        report = form.instance
        loaded = signing.loads(form.cleaned_data["loaded"], salt=form.SALT) if change else None
        with with_row_changes(report, LaterReportForm.PARTS, before=loaded):
            super().save_related(request, form, formsets, change)
        if change and report.is_reviewed and any(f.has_changed() for f in formsets):
            unreview(request, report)
            report.save()

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["may_review"] = obj is not None and obj.may_review(request.user)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def mark(self, request, report):
        try:
            review(report, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return False
        self.log_change(request, report, gettext("Reviewed"))
        return True

    @admin.action(description=_("Mark the selected reports reviewed"), permissions=["change"])
    def mark_reviewed(self, request, queryset):
        # Locked on their own: PostgreSQL refuses FOR UPDATE with the list's joins.
        chosen = LaterReport.objects.filter(pk__in=list(queryset.values_list("pk", flat=True)))
        with transaction.atomic():
            done = sum(self.mark(request, report) for report in chosen.select_for_update())
        if done:
            messages.success(request, gettext("Reports reviewed: %(count)s.") % {"count": done})

    @transaction.atomic
    @method_decorator(require_POST)
    def review_view(self, request, pk):
        """The review button on a report's page."""
        report = get_object_or_404(LaterReport.objects.select_for_update(), pk=pk)
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        if self.mark(request, report):
            messages.success(request, gettext("Reviewed: the report is now public."))
        return redirect("admin:outcomes_laterreport_change", report.pk)

    @admin.display(description=_("source"), ordering="title")
    def title_or_address(self, report):
        return report.title or report.url

    @admin.display(description=_("outcomes"))
    def outcome_list(self, report):
        return ", ".join(outcome.reference for outcome in report.outcomes.all())

    @admin.display(description=_("review"))
    def review_state(self, report):
        if report.is_reviewed:
            return gettext("reviewed by %(editor)s") % {"editor": report.reviewer}
        if is_draft(report):
            return gettext("draft from a suggestion: to complete")
        return gettext("waiting for review")

    @admin.display(description=_("added by"))
    def adder(self, report):
        return report.adder or "—"

    @admin.display(description=_("added"))
    def added(self, report):
        return report.adder or gettext("you, when you save it")

    @admin.display(description=_("reviewed"))
    def reviewed_state(self, report):
        state = self.review_state(report)
        if not report.is_reviewed:
            return state
        return format_html("{} ({})", state, report.reviewed or gettext("seeded"))


class SearchedFilter(admin.SimpleListFilter):
    """Outcomes by their last search (annotated as `searched_last`), longest ago first."""

    title = _("searched for later reports")
    parameter_name = "searched"
    ordering = [F("searched_last").asc(nulls_first=True), "position"]

    def lookups(self, request, model_admin):
        return [
            ("all", _("all, longest ago first")),
            ("never", _("never")),
            ("year", _("over a year ago")),
        ]

    def queryset(self, request, queryset):
        year_ago = timezone.localdate() - timedelta(days=365)
        return {
            "never": queryset.filter(searched_last=None),
            "year": queryset.filter(searched_last__lt=year_ago),
        }.get(self.value() or "", queryset)


@admin.display(description=_("last searched"), ordering=F("searched_last").asc(nulls_first=True))
def last_searched(outcome):
    return outcome.searched_last or gettext("never")


class LaterSearchInline(admin.TabularInline):
    model = LaterSearch
    fields = ["searched", "queries", "note", "searcher"]
    readonly_fields = ["searcher"]
    extra = 0
    formfield_overrides = {
        models.DateField: {"initial": timezone.localdate},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 40})},
    }
    verbose_name_plural = _(
        "Searches for later reports (what was tried, both languages; pages set aside and why)"
    )

    @admin.display(description=_("searched by"))
    def searcher(self, search):
        return search.searcher


def set_searcher(request, formset):
    """A new search is the editor's who records it."""
    for row in formset.forms:
        if isinstance(row.instance, LaterSearch) and row.instance._state.adding:
            row.instance.searched_by = request.user


@admin.register(LaterSearch)
class LaterSearchAdmin(HistoryAdmin):
    list_display = ["outcome", "searched", "searcher", "queries"]
    list_select_related = ["outcome", "searched_by"]
    list_filter = ["searched"]
    search_fields = ["outcome__reference", "outcome__title", "queries", "note"]
    autocomplete_fields = ["outcome"]
    fields = ["outcome", "searched", "queries", "note", "loaded"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.searched_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("searched by"))
    def searcher(self, search):
        return search.searcher
