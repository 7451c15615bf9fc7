"""`{% load chinese %}{{ outcome|localized:"title" }}`: a record's name in the page's
language (models.localized): its Chinese column on a Chinese page where filled, else the
English. `{{ outcome|named:"title" }}` is the same for a page's text: an unreviewed
Chinese translation is followed by a mark that a screen reader reads too, and English
shown on a Chinese page is marked lang="en" (never in an attribute: both are HTML)."""

from django import template
from django.utils.html import format_html

from outcomes.models import chinese_page, localized, unreviewed_mark

register = template.Library()
register.filter("localized", localized)


@register.filter
def named(record, name):
    shown = localized(record, name)
    if not chinese_page():
        return shown
    if not getattr(record, f"{name}_zh", ""):  # the English, said so for screen readers
        return format_html('<span lang="en">{}</span>', shown) if shown else shown
    if getattr(record, "translation_reviewed", True) is False:
        return format_html("{} {}", shown, unreviewed_mark())
    return shown
