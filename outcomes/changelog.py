"""The public change log: what each correction of an outcome changed, in words, from its
history (its rows' changes: history.with_row_changes). It never names the editor."""

from typing import cast

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.text import Truncator, capfirst

from outcomes.history import is_public_correction, quoted
from outcomes.models import Outcome

PLACES = "countries"  # the outcome's many-to-many field that has history
SHOWN = 240  # a longer value is shown shortened
LISTED = 20  # an outcome page lists at most this many of its latest corrections


def with_previous(records, limit=None):
    """The first `limit` historical records, each with `previous`: the record before it,
    and `places`: the names of its places, sorted (three queries in all)."""
    model = records.model
    earlier = model.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    records = records.annotate(previous_id=Subquery(earlier.values("history_id")[:1]))
    records = list(records[:limit] if limit else records)
    previous = model.objects.in_bulk([r.previous_id for r in records if r.previous_id])
    places: dict[int, list[str]] = {}
    rows = getattr(model, PLACES).model.objects.filter(history__in=[*records, *previous.values()])
    for history_id, name in rows.values_list("history", "country__name"):
        places.setdefault(history_id, []).append(name)
    for record in [*records, *previous.values()]:
        record.places = sorted(places.get(record.pk, []))
    for record in records:
        record.previous = previous.get(record.previous_id)
    return records


def _shown(field, value):
    if value in (None, "", []):
        return "(empty)"
    if field.many_to_many:  # places: their names
        return ", ".join(value)
    if field.is_relation:
        value = field.related_model.objects.filter(pk=value).first() or value
    elif field.choices:
        value = dict(field.flatchoices).get(value, value)
    return quoted(Truncator(str(value)).chars(SHOWN))


def changes_in_words(record):
    """What `record` (a historical outcome, with `previous`) changed, its rows' changes last."""
    if record.previous is None or not is_public_correction(record.history_change_reason):
        return []
    # Fields worked out (position, search text, timestamps) are never a correction.
    excluded = [PLACES, *(f.name for f in Outcome._meta.fields if not f.editable)]
    delta = record.diff_against(record.previous, excluded_fields=excluded)
    changed = [(change.field, change.old, change.new) for change in delta.changes]
    if record.previous.places != record.places:  # read by with_previous, for all at once
        changed.append((PLACES, record.previous.places, record.places))
    words = []
    for name, old, new in changed:
        field = cast(models.Field, Outcome._meta.get_field(name))
        old, new = _shown(field, old), _shown(field, new)
        words.append(f"{capfirst(field.verbose_name)}: {old} → {new}")
    reason = record.history_change_reason or ""
    return words + [part for part in reason.split("; ") if part]


def corrections(outcome):
    """The outcome's latest corrections, newest first: [(when, [changes in words])]."""
    changes = outcome.history.filter(history_type="~").order_by("-history_date")
    records = with_previous(changes, limit=LISTED * 2)
    found = [(record.history_date, changes_in_words(record)) for record in records]
    return [(when, words) for when, words in found if words][:LISTED]
