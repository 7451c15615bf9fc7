"""A GIN index for full-text search, on PostgreSQL only (SQLite has no GIN indexes).

It serves the `q` filter of the outcome list: WHERE to_tsvector('simple', search_text) @@ query.
The expression must stay the same as outcomes.search.SEARCH_VECTOR, so that queries
match the index (tests/test_search.py checks it); it is written out here because a
migration must not import the app's code.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("search_text", config="simple"), name="outcome_search_gin")


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("outcomes", "Outcome"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("outcomes", "Outcome"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(add_index, remove_index)]
