"""Full-text search on SQLite: an FTS5 index of Outcome.search_text, kept by triggers.

It serves the `q` filter of the outcome list on SQLite (outcomes/search.py), which
would otherwise scan every search document with LIKE. PostgreSQL has its GIN
index (migration 0002) instead. The tokenizer keeps letters and digits as the
search document does (outcomes.search.words), and does not fold diacritics.

SQLite alters a table by copying it into a new one, which drops its triggers: a
later migration that alters outcomes_outcome on SQLite must run DROP + CREATE
again afterwards (the last statement of CREATE rebuilds the index from the table).
"""

from django.db import migrations

CREATE = [
    """CREATE VIRTUAL TABLE outcome_fts USING fts5(
        search_text, content='outcomes_outcome', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER outcome_fts_insert AFTER INSERT ON outcomes_outcome BEGIN
        INSERT INTO outcome_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER outcome_fts_delete AFTER DELETE ON outcomes_outcome BEGIN
        INSERT INTO outcome_fts(outcome_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER outcome_fts_update AFTER UPDATE OF search_text ON outcomes_outcome BEGIN
        INSERT INTO outcome_fts(outcome_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO outcome_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO outcome_fts(outcome_fts) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS outcome_fts_update",
    "DROP TRIGGER IF EXISTS outcome_fts_delete",
    "DROP TRIGGER IF EXISTS outcome_fts_insert",
    "DROP TABLE IF EXISTS outcome_fts",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_search_index")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
