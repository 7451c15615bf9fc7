"""The corrections inbox (docs/editors.md); reports come only from the public form."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from corrections.models import CorrectionReport, ReportKind
from outcomes.admin_editing import ConflictCheckForm
from outcomes.models import Outcome


@admin.register(CorrectionReport)
class CorrectionReportAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "created", "kind", "status", "outcome_link", "summary", "has_email"]
    list_display_links = ["__str__"]
    list_filter = ["kind", "status", "created"]
    list_select_related = ["outcome"]
    date_hierarchy = "created"
    ordering = ["-created", "-pk"]
    search_fields = ["what", "note", "email", "outcome_label", "outcome__reference"]
    autocomplete_fields = ["outcome"]
    as_sent = ["kind", "outcome_label", "what", "source_link", "email", "created"]
    done = ["status", "outcome", "fixed_by", "fixed_by_link", "draft_link", "note", "updated"]
    form = ConflictCheckForm
    readonly_fields = [*as_sent, "updated", "client", "fixed_by_link", "draft_link"]
    fieldsets = [
        (
            _("The report"),
            {
                "fields": as_sent,
                "description": _(
                    "As sent from the public form. The text is shown as plain "
                    "text; a link is the reporter's, not checked."
                ),
            },
        ),
        (_("What the editors did"), {"fields": [*done, "loaded"]}),
        (_("Sender"), {"fields": ["client"], "classes": ["collapse"]}),
    ]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        draft = self.admin_site.admin_view(self.make_draft)
        name = "corrections_correctionreport_draft"
        return [path("<int:pk>/draft/", draft, name=name), *super().get_urls()]

    @transaction.atomic
    @method_decorator(require_POST)
    def make_draft(self, request, pk):
        """The inbox's one click: a suggestion becomes a draft later report, opened for editing."""
        suggestion = get_object_or_404(CorrectionReport, pk=pk, kind=ReportKind.LATER)
        allowed = self.has_change_permission(request, suggestion)
        if not (allowed and request.user.has_perm("outcomes.add_laterreport")):
            raise PermissionDenied
        new = suggestion.draft is None
        draft, made = suggestion.make_draft(request.user)
        if new and not made:
            said = gettext(
                "A later report with this address was already in the catalogue: check "
                "whether it should name this suggestion's outcome too."
            )
            messages.warning(request, said)
        return redirect("admin:outcomes_laterreport_change", draft.pk)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if field := form.base_fields.get("fixed_by"):
            # The report's outcome's saved versions, newest first (one query).
            outcome = obj.outcome_id if obj else None
            versions = Outcome.history.filter(id=outcome) if outcome else Outcome.history.none()
            field.queryset = versions.select_related("history_user").order_by("-history_date")
            field.label_from_instance = version_label
        return form

    @admin.display(description=_("outcome"), ordering="outcome__position")
    def outcome_link(self, report):
        if report.outcome is None:
            return report.outcome_label or "—"
        url = reverse("admin:outcomes_outcome_change", args=[report.outcome_id])
        return format_html('<a href="{}">{}</a>', url, report.outcome.reference)

    @admin.display(description=_("what is wrong"))
    def summary(self, report):
        return Truncator(report.what).chars(80)

    @admin.display(description=_("e-mail"), boolean=True)
    def has_email(self, report):
        return bool(report.email)

    @admin.display(description=_("source link"))
    def source_link(self, report):
        if not report.source:
            return "—"
        return format_html('<a href="{0}" rel="noopener noreferrer">{0}</a>', report.source)

    @admin.display(description=_("the change in the outcome's history"))
    def fixed_by_link(self, report):
        if report.fixed_by_id is None or report.outcome_id is None:
            return "—"
        url = reverse(
            "admin:outcomes_outcome_simple_history", args=[report.outcome_id, report.fixed_by_id]
        )
        return format_html('<a href="{}">{}</a>', url, version_label(report.fixed_by))

    @admin.display(description=_("draft later report"))
    def draft_link(self, report):
        if report.draft_id is None:
            return "—"
        url = reverse("admin:outcomes_laterreport_change", args=[report.draft_id])
        return format_html('<a href="{}">{}</a>', url, gettext("Open the later report"))


def version_label(version):
    return gettext("%(when)s · %(change)s by %(who)s") % {
        "when": f"{version.history_date:%Y-%m-%d %H:%M}",
        "change": version.get_history_type_display(),
        "who": version.history_user or gettext("an import or the shell"),
    }
