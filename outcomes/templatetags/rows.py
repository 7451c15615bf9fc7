"""`{% load rows %}{% for row in outcomes|list_rows %}`: outcomes' rows in a list
(outcomes/rows.py)."""

from django import template

from outcomes.rows import list_rows

register = template.Library()
register.filter("list_rows", list_rows)
