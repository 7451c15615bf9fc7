"""`{% load chinese %}{{ outcome|localized:"title" }}`: a record's name in the page's
language (models.localized): its Chinese column on a Chinese page where filled, else the
English. `{{ outcome|named:"title" }}` is the same for a page's text: an unreviewed
Chinese translation is followed by a mark that a screen reader reads too, and English
shown on a Chinese page is marked lang="en" (never in an attribute: both are HTML)."""

from django import template

from outcomes.models import localized, shown_name

register = template.Library()
register.filter("localized", localized)


@register.filter
def named(record, name):
    reviewed = getattr(record, "translation_reviewed", True) is not False
    return shown_name(getattr(record, name), getattr(record, f"{name}_zh", ""), reviewed)
