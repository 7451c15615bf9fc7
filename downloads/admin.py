"""Releases in the admin: publishing one is adding it (with a note); nothing of a release
can be changed or deleted afterwards, but for its DOI, set once."""

from django.contrib import admin
from django.contrib.admin.options import csrf_protect_m

from downloads import releases
from outcomes.models import Release

SHOWN = ("number", "published", "note", "data_version", "checksum", "doi")


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("number", "published", "note", "doi")
    search_fields = ("number", "note", "doi")

    def get_queryset(self, request):
        return Release.objects.listed()

    def get_fields(self, request, obj=None):
        return ("note",) if obj is None else SHOWN

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return SHOWN if obj.doi else SHOWN[:-1]

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Publishing (adding) runs outside the admin's transaction: publish() opens its own,
        one snapshot of every table on PostgreSQL (downloads/releases.py)."""
        if object_id is None:
            return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        published = releases.publish(form.cleaned_data["note"].strip())
        obj.pk, obj.number = published.pk, published.number
        obj._state.adding = False
