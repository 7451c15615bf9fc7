"""On PostgreSQL, each outcome's search document as a stored tsvector, with its GIN index.

The index of migration 0002 was on an expression: a search found its rows from the
index, but then parsed each matching document again to check it and to rank it, which
made the first ranking of a common word cost a large part of a second at 20,000
outcomes. A generated column keeps the parsed vector beside the row; the search reads
it (outcomes.search.SEARCH_VECTOR). SQLite has its FTS5 index instead (0003).
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE outcomes_outcome ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple', coalesce(search_text, ''))) STORED",
    "CREATE INDEX outcome_search_vector ON outcomes_outcome USING gin (search_vector)",
    "DROP INDEX IF EXISTS outcome_search_gin",
]
BACKWARD = [
    "ALTER TABLE outcomes_outcome DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX outcome_search_gin ON outcomes_outcome USING gin "
    "(to_tsvector('simple', coalesce(search_text, '')))",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0008_version_log")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
