"""`{{ record.history_change_reason|reason_in_words }}`: the catalogue's own reasons (a load,
a minor change's mark) in the admin's language; an editor's words as written."""

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
