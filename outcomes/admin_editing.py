"""What every catalogue admin shares: a save that refuses to overwrite another editor's, and
history whose changes read in words and whose revert is a save."""

from typing import Any, cast

from django import forms
from django.core import signing
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from outcomes.history import change_reason, record_state, state_changes
from outcomes.models import localized


class ConflictCheckForm(forms.ModelForm):
    """`loaded` carries, signed, the state of the record and its rows (PARTS) as opened; clean()
    compares it with the record read again, locked (docs/architecture.md, "An editor's save")."""

    loaded = forms.CharField(widget=forms.HiddenInput, required=False)
    PARTS: tuple[str, ...] = ()
    SALT = "outcomes.admin.loaded"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            # Read from the database: a history page's form shows an older version.
            saved = type(self.instance)._default_manager.get(pk=self.instance.pk)
            self.fields["loaded"].initial = self.signed_state(saved)

    def signed_state(self, obj):
        return signing.dumps(record_state(obj, self.PARTS), salt=self.SALT, compress=True)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        model = type(self.instance)
        current = model.objects.select_for_update().get(pk=self.instance.pk)
        try:
            loaded = signing.loads(self.data.get(self.add_prefix("loaded"), ""), salt=self.SALT)
        except signing.BadSignature:
            loaded = None
        state = record_state(current, self.PARTS)
        if loaded == state:
            return cleaned
        changes = state_changes(model, loaded, state) if loaded else []
        # The next save compares with what is there now: the editor may reapply.
        data = cast(QueryDict, self.data).copy()
        data[self.add_prefix("loaded")] = self.signed_state(current)
        self.data = data
        who = ""
        if latest := current.history.first():
            user = latest.history_user or gettext("an import or a script")
            who = f" ({user}, {timezone.localtime(latest.history_date):%Y-%m-%d %H:%M})"
        refused = gettext(
            "Another editor saved this %(record)s after you opened it%(who)s; "
            "nothing of yours was saved. Your changes are still in the form "
            "below: check them against what changed, then save again."
        ) % {"record": model._meta.verbose_name, "who": who}
        changed = gettext("Changed: %(change)s")
        raise forms.ValidationError([refused, *(changed % {"change": c} for c in changes)])


def chinese_authors(obj):
    """The ids of the editors who wrote or changed a record's Chinese (None: a load, a script)."""
    columns = [f"{name}_zh" for name in obj.CHINESE]
    authors, before = set(), None
    for record in obj.history.order_by("history_date", "history_id"):
        chinese = [getattr(record, column) for column in columns]
        if chinese != before and any(chinese):
            authors.add(record.history_user_id)
        before = chinese
    return authors


class SecondReviewer(forms.ModelForm):
    """A translation is reviewed by a second editor: not by one who wrote or changed its
    Chinese (in this save or before). A change of the Chinese waits for a review again."""

    editor: Any = None

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        columns = [f"{name}_zh" for name in self.instance.CHINESE]
        rewritten = any(column in self.changed_data for column in columns)
        was_reviewed = self.initial.get("translation_reviewed", False)
        if rewritten and was_reviewed:
            cleaned["translation_reviewed"] = False
        elif cleaned.get("translation_reviewed") and not was_reviewed:
            pk = self.instance.pk
            if rewritten or (pk and self.editor.pk in chinese_authors(self.instance)):
                said = gettext(
                    "A second editor reviews a translation: you wrote or changed this "
                    "Chinese, so another editor must tick “reviewed”."
                )
                self.add_error("translation_reviewed", said)
        return cleaned


def ask_why(form, cleaned):
    """A change the public sees says why, or is marked minor (an editor's save, an import)."""
    if not (cleaned.get("change_reason") or cleaned.get("minor")):
        said = gettext("Say why, for the public correction, or mark the change as minor.")
        form.add_error("change_reason", said)


class PublicChangeForm(ConflictCheckForm):
    """A record whose changes the public sees as corrections: a change says why, or is minor."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=200,
        required=False,
        help_text=_(
            "Shown with the correction on the public page and in its feed, e.g. “Title "
            "matched to the document’s wording”."
        ),
    )
    minor = forms.BooleanField(
        label=_("Minor change"),
        required=False,
        help_text=_(
            "A slip of your own or a revert: kept in history and counted in the record’s "
            "revision, but not listed as a correction or fed."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        # Every save of a record, a revert too: its rows' changes join its own in history.
        if self.instance.pk:
            ask_why(self, cleaned)
        return cleaned

    def reason(self):
        said = self.cleaned_data
        return change_reason(said.get("change_reason", ""), said.get("minor"))


class ReadableChanges(HistoricalRecordContextHelper):
    """A history page's "Changes" in words: a choice by its label, nothing as “(empty)”."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value in (None, "", []):
            return gettext("(empty)")
        if getattr(field, "choices", None) and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return value


class HistoryAdmin(SimpleHistoryAdmin):
    """History with a revert, and a save that refuses to overwrite another editor's (its fields
    list "loaded", the form's hidden state)."""

    form = ConflictCheckForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "translation_reviewed" not in form.base_fields:
            return form
        return type(form.__name__, (SecondReviewer, form), {"editor": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A link to a named record (a region…) shows its name in the admin's language."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(db_field.related_model, "name_zh"):
            field.label_from_instance = lambda record: localized(record, "name")
        return field

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert is a save like any other: one transaction, in which the conflict
        # check may lock the record (simple-history runs it in autocommit).
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)
