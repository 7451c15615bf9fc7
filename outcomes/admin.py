"""The editors' admin: correct the catalogue, import and export it, see and revert its history."""

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.db import models
from django.db.models import Count, Max, Prefetch, Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX
from import_export.forms import ConfirmImportForm, ImportForm

from outcomes import uploads
from outcomes.admin_editing import ConflictCheckForm, HistoryAdmin, PublicChangeForm, ask_why
from outcomes.admin_later import LaterSearchInline, SearchedFilter, last_searched, set_searcher
from outcomes.history import MINOR, OUTCOME_PARTS, change_reason, with_row_changes
from outcomes.models import (
    Category,
    Country,
    Figure,
    Membership,
    Mention,
    Organization,
    Outcome,
    Participation,
    Programme,
    Reach,
    Region,
    Source,
)
from outcomes.record import FIGURE_FIELDS
from outcomes.resources import CountryResource, OrganizationResource, OutcomeResource, row_messages

admin.site.site_header = admin.site.site_title = _("SIRONET Outcomes Catalogue administration")
admin.site.index_title = _("Catalogue editing")


class SlugChangeWarningMixin:
    """After a slug changes, tell the editor the new address (the old one redirects to it)."""

    def get_form(self, request, obj=None, **kwargs):
        slug_help = _(
            "The last part of this record's public address. The old address keeps working (it "
            "redirects to the new one), but change it only to correct a mistake: links and "
            "citations show the address they were made with."
        )
        kwargs["help_texts"] = {"slug": slug_help}
        return super().get_form(request, obj, **kwargs)  # type: ignore[misc]

    def save_model(self, request, obj, form, change):
        old_slug = form.initial.get("slug")
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        if change and "slug" in form.changed_data:
            said = gettext(
                "The address of “%(record)s” is now %(address)s. "
                "Links to the old address %(old_address)s redirect to it."
            )
            old_url = type(obj)(slug=old_slug).get_absolute_url()
            address = {"record": obj, "address": obj.get_absolute_url(), "old_address": old_url}
            messages.warning(request, said % address)


def chinese_fieldset(*fields):
    return (
        _("Chinese"),
        {
            "fields": [*fields, "translated_by", "translation_reviewed"],
            "description": _(
                "Chinese pages show these where filled, and the English where "
                "not. Leave a name empty unless you are sure of its official Chinese; tick "
                "“reviewed” only once someone has checked it."
            ),
        },
    )


class ChineseFilter(admin.SimpleListFilter):
    title = _("Chinese")
    parameter_name = "chinese"

    def lookups(self, request, model_admin):
        return [
            ("missing", _("missing")),
            ("unreviewed", _("unreviewed")),
            ("reviewed", _("reviewed")),
        ]

    def queryset(self, request, queryset):
        missing = Q()
        for name in queryset.model.CHINESE:
            missing |= Q(**{f"{name}_zh": ""}) & ~Q(**{name: ""})
        if self.value() == "missing":
            return queryset.filter(missing)
        if self.value() in ("unreviewed", "reviewed"):
            return queryset.exclude(missing).filter(translation_reviewed=self.value() == "reviewed")
        return queryset


class LimitedImportForm(ImportForm):
    # An import's changes are public corrections as an editor's save is: it says why.
    change_reason = PublicChangeForm.base_fields["change_reason"]
    minor = PublicChangeForm.base_fields["minor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_file"].help_text = _(
            "CSV, XLSX or JSON; at most %(megabytes)s MB, %(rows)s rows and %(columns)s "
            "columns (an XLSX file at most %(unpacked)s MB unpacked). Nothing is saved "
            "before you confirm."
        ) % {
            "megabytes": uploads.MAX_IMPORT_MB,
            "rows": f"{uploads.MAX_IMPORT_ROWS:,}",
            "columns": uploads.MAX_IMPORT_COLUMNS,
            "unpacked": uploads.MAX_UNPACKED_MB,
        }

    def clean(self):
        cleaned = super().clean()
        upload, choice = cleaned.get("import_file"), cleaned.get("format")
        if upload and choice:
            try:
                uploads.check_upload(upload, dict(self.fields["format"].choices)[choice])
            except forms.ValidationError as refused:
                self.add_error("import_file", refused)
        ask_why(self, cleaned)
        return cleaned


class PreviewedConfirmForm(ConfirmImportForm):
    previewed = forms.CharField(widget=forms.HiddenInput())  # when the preview was made, signed
    reason = forms.CharField(widget=forms.HiddenInput())  # the import form's, never empty

    def clean_previewed(self):
        try:
            moment = signing.loads(self.cleaned_data["previewed"], salt="import-preview")
        except signing.BadSignature:
            refused = gettext("This preview cannot be confirmed: import again.")
            raise forms.ValidationError(refused) from None
        return datetime.fromisoformat(moment)


class ImportExportHistoryAdmin(ImportExportMixin, HistoryAdmin):
    """Import (change permission) and export (view permission) with history and revert; an
    import writes nothing if a row has an error or a record it changes changed after the
    preview (CatalogueResource.import_instance)."""

    formats = [CSV, XLSX, JSON]
    import_form_class = LimitedImportForm
    confirm_form_class = PreviewedConfirmForm

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"request": request}

    def get_import_resource_kwargs(self, request, **kwargs):
        resource_kwargs = super().get_import_resource_kwargs(request, **kwargs)
        if isinstance(form := kwargs.get("form"), PreviewedConfirmForm):
            resource_kwargs |= {name: form.cleaned_data[name] for name in ("previewed", "reason")}
        return resource_kwargs

    def import_action(self, request, **kwargs):
        # What the preview reads is as of now: a change after this is a change since it.
        request.preview_started = timezone.now()
        return super().import_action(request, **kwargs)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is None:  # the confirmation shown again: its own reason
            reason = request.POST.get("reason", "")
        else:
            said = import_form.cleaned_data
            reason = change_reason(said.get("change_reason", ""), said.get("minor"))
        started = getattr(request, "preview_started", timezone.now()).isoformat()
        previewed = signing.dumps(started, salt="import-preview")
        return {**initial, "previewed": previewed, "reason": reason}

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        # Rolled back: no log entries, no "Import finished", and the rows that stopped it.
        found = [(row.number, said) for row in result.invalid_rows for said in row_messages(row)]
        found += [(number, e.error) for number, errors in result.row_errors() for e in errors]
        line = gettext("row %(number)s: %(message)s")
        problems = [line % {"number": number, "message": said} for number, said in found]
        problems += [str(error.error) for error in result.base_errors]
        messages.error(request, " ".join([gettext("Nothing was imported."), *problems]))
        return HttpResponseRedirect(request.path.replace("process_import", "import"))

    def get_import_data_kwargs(self, **kwargs):
        # Any invalid row rolls back the whole import, on confirmation too.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}


class OutcomeCountMixin:
    """An "outcomes" column, counted in the changelist's own query (no query per row)."""

    outcome_count_of = "outcomes"  # the relation to count

    def get_queryset(self, request):
        counted = Count(self.outcome_count_of, distinct=True)
        return super().get_queryset(request).annotate(outcome_count=counted)  # type: ignore[misc]

    @admin.display(description=_("outcomes"), ordering="outcome_count")
    def outcome_count(self, obj):
        return obj.outcome_count


class SuperuserDeletesMixin:
    """Only superusers delete these: other records and the public site depend on them."""

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ["organization", "role", "position"]
    autocomplete_fields = ["organization"]
    extra = 0
    verbose_name = _("organization named")
    verbose_name_plural = _("Organizations, in the order the text names them")


class FigureInline(admin.TabularInline):
    model = Figure
    fields = ["position", *FIGURE_FIELDS]
    extra = 0
    verbose_name_plural = _("Figures (money needs a currency, a count needs a unit)")


class ProgrammeInline(admin.TabularInline):
    model = Programme
    fields = ["name", "name_zh", "position"]
    extra = 0


class ReachInline(admin.TabularInline):
    model = Reach
    fields = ["region", "kind", "words"]
    autocomplete_fields = ["region"]
    extra = 0
    verbose_name = _("grouping reached")
    verbose_name_plural = _(
        "Groupings reached (via the grouping: each member on the source's date; "
        "somewhere in: an unnamed part of it)"
    )


class MentionInline(admin.TabularInline):
    model = Mention
    fields = ["country", "region", "words", "reason"]
    autocomplete_fields = ["country", "region"]
    extra = 0
    verbose_name_plural = _("Mentions: countries or groupings named, but not as places")


class OutcomeForm(PublicChangeForm):
    PARTS = (*OUTCOME_PARTS, "later_searches")


@admin.register(Outcome)
class OutcomeAdmin(SuperuserDeletesMixin, SlugChangeWarningMixin, ImportExportHistoryAdmin):
    form = OutcomeForm
    resource_classes = [OutcomeResource]
    list_display = [
        "reference",
        "title",
        "category",
        "status",
        "organization_list",
        last_searched,
        "updated",
    ]
    list_display_links = ["reference", "title"]
    list_select_related = ["category"]
    list_filter = [
        SearchedFilter,
        "category",
        "status",
        ChineseFilter,
        ("countries", admin.RelatedOnlyFieldListFilter),
        ("regions", admin.RelatedOnlyFieldListFilter),
        ("organizations", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["reference", "title", "title_zh", "text", "participations__organization__name"]
    ordering = ["position"]
    show_full_result_count = False
    list_per_page = 50
    autocomplete_fields = ["countries"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created", "updated"]
    # Titles, slugs and scope are long: show them whole.
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 80})}}
    inlines = [
        ParticipationInline,
        FigureInline,
        ProgrammeInline,
        ReachInline,
        MentionInline,
        LaterSearchInline,
    ]
    fieldsets = [
        (
            _("The item"),
            {
                "fields": ["source", "reference", "category", "title", "slug", "loaded"],
                "description": _(
                    "The reference and text come from the document; the title is "
                    "ours. The reference's numeral must be the category's section numeral."
                ),
            },
        ),
        (
            _("What the text says"),
            {
                "fields": ["text", "status", "plans", "year", "scope", "reading_note"],
                "description": _(
                    "Record only what the text supports; leave a field empty "
                    "when the text does not say."
                ),
            },
        ),
        (
            _("Where"),
            {
                "fields": ["countries"],
                "description": _(
                    "Places: countries where the text says the work happens, or names as the other "
                    "side of the cooperation (the rules are on the public about page). Other "
                    "countries the text names are mentions (below). Groupings are under “Groupings "
                    "reached”; reach without names goes in the scope above."
                ),
            },
        ),
        chinese_fieldset("title_zh", "text_zh"),
        (_("Record"), {"fields": ["created", "updated"], "classes": ["collapse"]}),
        (_("This change"), {"fields": ["change_reason", "minor"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj else fieldsets[:-1]  # a new outcome is no correction

    def save_model(self, request, obj, form, change):
        if change:
            obj._change_reason = form.reason()
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        rows = Participation.objects.select_related("organization")
        searched = Max("later_searches__searched")
        outcomes = super().get_queryset(request).annotate(searched_last=searched)
        return outcomes.prefetch_related(Prefetch("participations", rows))

    def get_ordering(self, request):
        if SearchedFilter.parameter_name in request.GET:
            return SearchedFilter.ordering
        return super().get_ordering(request)

    def save_formset(self, request, form, formset, change):
        set_searcher(request, formset)
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        loaded = signing.loads(form.cleaned_data["loaded"], salt=ConflictCheckForm.SALT)
        with with_row_changes(form.instance, OUTCOME_PARTS, before=loaded):
            super().save_related(request, form, formsets, change)
        # Nothing the public sees changed (no field, no row; a review of the Chinese is
        # not a correction): the save is kept, and counted, as a minor one.
        unseen = {"loaded", "change_reason", "minor", "translation_reviewed", "translated_by"}
        latest, reason = form.instance.history.first(), form.reason()
        # Its reason as given (no row's change was added to it), and not marked minor yet.
        as_given = latest is not None and latest.history_change_reason == reason
        if as_given and not set(form.changed_data) - unseen and not reason.startswith(MINOR):
            latest.history_change_reason = change_reason(reason, minor=True)
            latest.save(update_fields=["history_change_reason"])

    @admin.display(description=_("organizations"))
    def organization_list(self, outcome):
        organizations = [row.organization for row in outcome.participations.all()]
        return ", ".join(named.acronym or named.name for named in organizations)


class OutcomePartAdmin(HistoryAdmin):
    """An outcome's rows, listed too for a history page with a revert. A change here is one of
    its outcome's record, as on the outcome's form: it says why, and is named in its history."""

    form = PublicChangeForm
    list_select_related = autocomplete_fields = ["outcome"]

    def save_model(self, request, obj, form, change):
        outcome = Outcome.objects.get(pk=obj.outcome_id)
        with with_row_changes(outcome, OUTCOME_PARTS):
            super().save_model(request, obj, form, change)
            outcome._change_reason = form.reason()  # type: ignore[attr-defined]
            outcome.save()

    def delete_model(self, request, obj):
        outcome = Outcome.objects.get(pk=obj.outcome_id)
        with with_row_changes(outcome, OUTCOME_PARTS):
            super().delete_model(request, obj)
            outcome.save()

    ordering = ["outcome__position", "position"]
    search_fields = ["outcome__reference", "outcome__title"]

    @admin.display(description=_("outcome"), ordering="outcome__position")
    def outcome_reference(self, part):
        return part.outcome.reference


@admin.register(Participation)
class ParticipationAdmin(OutcomePartAdmin):
    list_display = ["outcome_reference", "organization", "role", "position"]
    list_select_related = autocomplete_fields = ["outcome", "organization"]
    list_filter = ["role"]
    search_fields = [*OutcomePartAdmin.search_fields, "organization__name"]


@admin.register(Figure)
class FigureAdmin(OutcomePartAdmin):
    list_display = ["outcome_reference", "words", "kind", "value", "qualifier", "currency", "unit"]
    list_filter = ["kind", "qualifier", "currency"]
    search_fields = [*OutcomePartAdmin.search_fields, "words"]


@admin.register(Programme)
class ProgrammeAdmin(OutcomePartAdmin):
    list_display = ["outcome_reference", "name", "position"]
    search_fields = [*OutcomePartAdmin.search_fields, "name"]


@admin.register(Reach)
class ReachAdmin(OutcomePartAdmin):
    list_display = ["outcome_reference", "region", "kind", "words"]
    list_select_related = autocomplete_fields = ["outcome", "region"]
    list_filter = ["kind", "region"]
    ordering = ["outcome__position", "region__name"]
    search_fields = [*OutcomePartAdmin.search_fields, "region__name", "words"]


@admin.register(Mention)
class MentionAdmin(OutcomePartAdmin):
    list_display = ["outcome_reference", "words", "country", "region", "reason"]
    list_select_related = autocomplete_fields = ["outcome", "country", "region"]
    list_filter = ["reason"]
    ordering = ["outcome__position", "pk"]
    search_fields = [*OutcomePartAdmin.search_fields, "words", "country__name"]


@admin.register(Organization)
class OrganizationAdmin(
    OutcomeCountMixin, SuperuserDeletesMixin, SlugChangeWarningMixin, ImportExportHistoryAdmin
):
    resource_classes = [OrganizationResource]
    list_display = ["name", "acronym", "type", "country", "membership", "outcome_count"]
    list_select_related = ["country"]
    list_filter = [
        "type",
        "membership",
        ChineseFilter,
        ("country", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "name_zh", "acronym", "aliases", "slug"]
    autocomplete_fields = ["country", "founded_by"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "acronym",
                    "aliases",
                    "type",
                    "country",
                    "membership",
                    "founded_by",
                    "loaded",
                ]
            },
        ),
        chinese_fieldset(
            "name_zh", "name_zh_url", "name_zh_page_title", "name_zh_publisher", "name_zh_published"
        ),
    ]
    outcome_count_of = "participations"


class NamedInOutcomesFilter(admin.SimpleListFilter):
    title = _("named in outcomes")
    parameter_name = "named"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        named = {"yes": Q(outcome_count__gt=0), "no": Q(outcome_count=0)}.get(self.value() or "")
        return queryset if named is None else queryset.filter(named)


@admin.register(Country)
class CountryAdmin(OutcomeCountMixin, ImportExportHistoryAdmin):
    resource_classes = [CountryResource]
    list_display = ["code", "name", "common_name", "continent", "outcome_count"]
    list_display_links = ["code", "name"]
    list_filter = [NamedInOutcomesFilter, "continent"]
    search_fields = ["code", "name", "name_zh", "common_name", "aliases"]
    fields = ["code", "name", "name_zh", "common_name", "aliases", "numeric", "continent", "loaded"]

    def get_readonly_fields(self, request, obj=None):
        # An ISO code is the country's identity in addresses and imports.
        return ["code"] if obj else []


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["country", "since", "until", "note"]
    autocomplete_fields = ["country"]
    extra = 0
    verbose_name_plural = _("Members, with the dates each joined and left (empty: not known)")


class RegionForm(ConflictCheckForm):
    PARTS = ("memberships",)


@admin.register(Region)
class RegionAdmin(OutcomeCountMixin, SlugChangeWarningMixin, HistoryAdmin):
    list_display = ["name", "kind", "member_count", "outcome_count"]
    list_filter = ["kind", ChineseFilter]
    search_fields = ["name", "name_zh", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "description", "loaded"]}),
        chinese_fieldset("name_zh", "description_zh"),
    ]
    inlines = [MembershipInline]
    form = RegionForm

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members", distinct=True))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, region):
        return region.member_count


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    """Every membership, with its history (edited as rows of its region's form)."""

    list_display = ["region", "country", "since", "until"]
    list_select_related = autocomplete_fields = ["region", "country"]
    list_filter = ["region"]
    search_fields = ["region__name", "country__name", "country__code"]


@admin.register(Category)
class CategoryAdmin(OutcomeCountMixin, SlugChangeWarningMixin, HistoryAdmin):
    list_display = ["numeral", "name", "order", "outcome_count"]
    list_display_links = ["numeral", "name"]
    list_filter = [ChineseFilter]
    search_fields = ["name", "name_zh", "description"]
    ordering = ["order"]
    fieldsets = [
        (None, {"fields": ["numeral", "name", "slug", "order", "description", "loaded"]}),
        chinese_fieldset("name_zh", "description_zh"),
    ]


@admin.register(Source)
class SourceAdmin(OutcomeCountMixin, HistoryAdmin):
    list_display = ["title", "publisher", "published", "outcome_count"]
    fields = ["slug", "title", "publisher", "published", "url", "own_side", "note", "loaded"]
    autocomplete_fields = ["own_side"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ["title", "publisher"]
