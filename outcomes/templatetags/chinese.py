"""`{{ outcome|localized:"title" }}`: a record's name in the page's language (models.localized).
`{{ outcome|named:"title" }}`, for a page's text, marks an unreviewed Chinese translation, and
English on a Chinese page as lang="en" (HTML: never in an attribute)."""

from django import template

from outcomes.models import localized, shown_name

register = template.Library()
register.filter("localized", localized)


@register.filter
def named(record, name):
    reviewed = getattr(record, "translation_reviewed", True) is not False
    return shown_name(getattr(record, name), getattr(record, f"{name}_zh", ""), reviewed)
