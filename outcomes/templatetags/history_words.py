"""`{% load history_words %}{{ record.history_change_reason|reason_in_words }}`: a
historical record's reason in the admin's language where the catalogue wrote it (a load
from the source, a minor change's mark); an editor's own words as written."""

from django import template
from django.utils.translation import gettext

from outcomes.history import LOADED, MINOR

register = template.Library()


@register.filter
def reason_in_words(reason):
    if not reason:
        return gettext("(none given)")
    if reason == LOADED:
        return gettext("Loaded from its source document")
    if reason.startswith(MINOR):
        return gettext("Minor: %(reason)s") % {"reason": reason.removeprefix(MINOR)}
    return reason
