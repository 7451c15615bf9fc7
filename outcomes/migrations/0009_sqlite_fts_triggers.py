"""Put back the SQLite full-text index's triggers after 0007.

SQLite alters a table by copying it into a new one, which drops the triggers that
keep the FTS5 index of migration 0006 in step with Outcome.search_text. This
drops what is left of the index and makes it again, rebuilt from the table.
"""

import importlib

from django.db import migrations

fts = importlib.import_module("outcomes.migrations.0006_sqlite_fts")


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0008_editors_claims")]

    operations = [
        migrations.RunPython(fts.run(fts.DROP + fts.CREATE), fts.run(fts.DROP)),
    ]
