"""System checks of the database, run by `migrate` and `manage.py check --database default`."""

from django.core import checks
from django.db import connections

from outcomes.search import FTS_TRIGGERS


def search_index(app_configs=None, databases=None, **kwargs):
    """SQLite alters a table by copying it, which drops the full-text index's triggers:
    search would then miss every change silently."""
    problems = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "sqlite":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, type FROM sqlite_master WHERE name LIKE 'outcome_fts%'")
            found = dict(cursor.fetchall())
        if not found:
            continue  # not migrated yet
        missing = [name for name in FTS_TRIGGERS if name not in found]
        if missing:
            problems.append(
                checks.Error(
                    f"The SQLite search index lacks its triggers {', '.join(missing)}: a "
                    "migration rebuilt the outcomes table.",
                    hint="Add to that migration a RunPython that drops and creates the index "
                    "again, as migration 0003_sqlite_fts does (DEVELOPERS.md, Adding a field).",
                    id="outcomes.E001",
                )
            )
    return problems


def register():
    checks.register(search_index, checks.Tags.database)
