"""The data version, and what sets it off: the one home for invalidation (docs/architecture.md,
"An editor's save"). Changes are noted in their transaction and acted on once it commits: an
import costs one refresh and one bump, a rollback (an import's preview) sets off nothing, and
no row lock is held on the version while a long transaction runs."""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.apps import apps
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import Signal
from django.utils import timezone

from outcomes import models

# Sent once a bump has committed, with `version` (a Version).
version_bumped = Signal()

# On PostgreSQL, a bump notifies this channel with its tag when it commits (edge/listen.py).
CHANNEL = "catalogue_version"

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

KEPT_LOGS = 100  # versions whose VersionLog is kept: a facet index further behind is rebuilt


class Version(NamedTuple):
    """A data version: its number and the time of its change. A restored database repeats
    numbers, never both: what is kept per version (pages, rows, the index) is kept per `tag`."""

    number: int
    changed: datetime

    @property
    def tag(self):
        return f"{self.number}.{(self.changed - EPOCH) // MICROSECOND:x}"


def parse_tag(tag):
    """The Version a tag names (Version.tag's inverse)."""
    number, micros = tag.split(".")
    return Version(int(number), EPOCH + int(micros, 16) * MICROSECOND)


# Read by every public request: SQL, as the ORM's query costs many times what the database
# takes to answer it (docs/performance.md).
VERSION_SQL = f"SELECT version, changed FROM {models.DataVersion._meta.db_table} WHERE id = 1"


def current_version(using="default"):
    """The data's Version, in database `using`; one query."""
    with connections[using].cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    if row is None:
        return Version(0, datetime(2000, 1, 1, tzinfo=UTC))
    number, changed = row
    if timezone.is_naive(changed):  # SQLite keeps UTC without a time zone
        changed = changed.replace(tzinfo=UTC)
    return Version(number, changed)


def bump_data_version(outcome_ids=None):
    """Record that the catalogue changed, inside the caller's transaction. `outcome_ids`:
    the outcomes whose rows alone changed; None when anything else may have (VersionLog)."""
    # One transaction: the UPDATE's row lock keeps another bump out until this
    # version's log is written (on commit, the caller has no transaction).
    versions = models.DataVersion.objects
    with transaction.atomic():
        now = timezone.now()
        if not versions.filter(pk=1).update(version=F("version") + 1, changed=now):
            versions.get_or_create(pk=1, defaults={"changed": now})
        number = versions.values_list("version", flat=True).get(pk=1)
        ids = sorted(outcome_ids or ())
        logged = {"changed": now, "outcomes": ids, "whole": outcome_ids is None}
        # A restored database may repeat a version.
        models.VersionLog.objects.update_or_create(version=number, defaults=logged)
        models.VersionLog.objects.filter(version__lte=number - KEPT_LOGS).delete()
        version = Version(number, now)
        if connection.vendor == "postgresql":  # heard by every process when this commits
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, version.tag])
        transaction.on_commit(lambda: version_bumped.send(sender=Version, version=version))
    return version


# Not the catalogue's data (publishing a release bumps the version itself: downloads/releases).
BOOKKEEPING = {models.DataVersion, models.VersionLog, models.SeedRecord, models.Release}

# Changes to rows of these models touch the search document of their outcome.
PARTS_IN_SEARCH = {models.Participation, models.Programme, models.Reach, models.Mention}

# What editors learn later about outcomes: their rows and pages, not their search documents.
LATER = {
    models.LaterReport,
    models.ReportFigure,
    models.LaterSearch,
    models.LaterReport.outcomes.through,
}

# Changes to these touch their outcomes' rows and nothing else; a change to any other
# catalogue model (a name, a grouping's members…) may touch any page: see VersionLog.
ROW_PARTS = {
    models.Outcome,
    models.Figure,
    *PARTS_IN_SEARCH,
    *LATER,
    models.Outcome.countries.through,
}


def tracked_models():
    """The catalogue's models: the app's models less bookkeeping and history tables."""
    found = apps.get_app_config("outcomes").get_models()
    return [m for m in found if m not in BOOKKEEPING and not hasattr(m, "instance_type")]


def outcomes_touched(instance, created=False):
    """Ids of the outcomes whose search document names `instance`."""
    if isinstance(instance, models.Outcome):
        return {instance.pk}
    if type(instance) in PARTS_IN_SEARCH or type(instance) is models.LaterSearch:
        return {instance.outcome_id}
    # A new organization, country or region is in no outcome yet.
    if created and type(instance) is not models.ReportFigure:
        return set()
    return touched_by(type(instance), type(instance)._base_manager.filter(pk=instance.pk))


def touched_by(model, records):
    """Ids of the outcomes whose search document names one of `records` (a QuerySet of
    `model`): one query."""
    outcomes = models.Outcome._base_manager
    if model is models.Outcome:
        found = records
    elif model in PARTS_IN_SEARCH or model is models.LaterSearch:
        found = outcomes.filter(pk__in=records.values("outcome_id"))
    elif model is models.Organization:
        found = outcomes.filter(participations__organization__in=records)
    elif model is models.Country:
        found = outcomes.filter(Q(countries__in=records) | Q(mentions__country__in=records))
    elif model is models.Region:
        found = outcomes.filter(Q(reaches__region__in=records) | Q(mentions__region__in=records))
    elif model is models.Category:
        found = outcomes.filter(category__in=records)
    elif model is models.LaterReport:
        found = outcomes.filter(later_reports__in=records)
    elif model is models.ReportFigure:
        found = outcomes.filter(later_reports__figures__in=records)
    else:  # sources, memberships: not in search documents
        return set()
    return set(found.values_list("pk", flat=True))


def note(outcome_ids, model):
    """Note a change to `model` (None: one that may touch any page), touching these outcomes.
    The changes wait on the connection (one per thread); each note asks for a call on commit,
    and the first does the work for all: a rolled-back savepoint drops its own calls, not the
    changes noted before it."""
    pending = getattr(connection, "catalogue_changes", None)
    if pending is None:
        pending = {"outcomes": set(), "searched": set(), "whole": False}
        setattr(connection, "catalogue_changes", pending)  # noqa: B010 (not a field mypy knows)
    pending["outcomes"].update(outcome_ids)
    if model not in LATER:
        pending["searched"].update(outcome_ids)
    pending["whole"] |= model not in ROW_PARTS
    transaction.on_commit(_apply)


def _apply():
    pending = getattr(connection, "catalogue_changes", None)
    if pending is None:  # done by an earlier call of this transaction
        return
    setattr(connection, "catalogue_changes", None)  # noqa: B010
    try:
        if pending["searched"]:
            models.Outcome.objects.filter(pk__in=pending["searched"]).refresh_search_text()
    finally:
        # The change is committed: pages must show it regardless.
        bump_data_version(None if pending["whole"] else pending["outcomes"])


def _saved(sender, instance, created=False, raw=False, **kwargs):
    outcome = sender is models.Outcome
    # A raw save (loaddata) cannot read related rows yet; the outcome is refreshed anyway.
    touched = {instance.pk} if raw and outcome else outcomes_touched(instance, created)
    # A new outcome takes a place in document order: more than its own row changes.
    note(touched, None if created and outcome else sender)


def _deleting(sender, instance, **kwargs):
    # Read before the delete: a country's or region's links to outcomes go with it.
    if sender is not models.Outcome:
        instance.outcomes_touched = outcomes_touched(instance)


def _deleted(sender, instance, **kwargs):
    note(getattr(instance, "outcomes_touched", set()), None if sender is models.Outcome else sender)


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if sender is models.Membership:  # a grouping's members: any page
        note(set(), sender)
        return
    outcome = isinstance(instance, models.Outcome)
    if action == "pre_clear":  # the links are still there to read
        if not outcome:
            note(set(instance.outcomes.values_list("pk", flat=True)), sender)
        return
    note({instance.pk} if outcome else set(pk_set or ()), sender)


def _rows_updating(sender, rows, notes, **kwargs):
    # Read before: the update may change what the rows link to.
    notes["touched"] = touched_by(sender, rows)


def _rows_updated(sender, rows, fields, notes, **kwargs):
    # An outcome's position (its reference) orders the lists: more than its row.
    kind = None if sender is models.Outcome and "position" in fields else sender
    note(notes["touched"] | touched_by(sender, rows), kind)


def connect():
    for model in tracked_models():
        post_save.connect(_saved, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        pre_delete.connect(_deleting, sender=model, dispatch_uid=f"catalogue-pre-{model.__name__}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"catalogue-del-{model.__name__}")
        # Every many-to-many link, also through a model (Reach: add() bulk-creates, no post_save).
        for through in (field.remote_field.through for field in model._meta.many_to_many):
            uid = f"catalogue-links-{through.__name__}"
            m2m_changed.connect(_links_changed, sender=through, dispatch_uid=uid)
    models.rows_updating.connect(_rows_updating, dispatch_uid="catalogue-updating")
    models.rows_updated.connect(_rows_updated, dispatch_uid="catalogue-updated")
