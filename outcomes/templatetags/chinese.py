"""`{% load chinese %}{{ outcome|localized:"title" }}`: a record's name in the page's
language (models.in_language): its Chinese column on a Chinese page where filled, else
the English."""

from django import template

from outcomes.models import in_language

register = template.Library()


@register.filter
def localized(record, name):
    return in_language(record, name)
