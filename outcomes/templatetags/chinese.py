"""`{% load chinese %}{{ outcome|localized:"title" }}`: a record's name in the page's
language (models.localized): its Chinese column on a Chinese page where filled, else the
English."""

from django import template

from outcomes.models import localized

register = template.Library()
register.filter("localized", localized)
