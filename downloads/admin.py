"""Releases in the admin: publishing one is adding it (with a note); nothing of a release
can be changed or deleted afterwards, but for its DOI, set once."""

from django.contrib import admin

from downloads import releases
from outcomes.models import Release

SHOWN = ("number", "published", "note", "data_version", "checksum", "doi")


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("number", "published", "note", "doi")
    search_fields = ("number", "note", "doi")

    def get_fields(self, request, obj=None):
        return ("note",) if obj is None else SHOWN

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return SHOWN if obj.doi else SHOWN[:-1]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        published = releases.publish(form.cleaned_data["note"].strip())
        obj.pk, obj.number = published.pk, published.number
        obj._state.adding = False
