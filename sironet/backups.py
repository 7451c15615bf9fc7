"""A backup of what the catalogue cannot make again, the database (with its own tools) and the
media folder, in one tar file; and its restore into an empty database (docs/deployment.md)."""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from outcomes.dataversion import bump_data_version

DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


def postgres(program, *arguments):
    """Run a PostgreSQL client program on the default database, its password never on a
    command line."""
    database = connection.settings_dict
    address = ["--host", database["HOST"] or "localhost", "--port", str(database["PORT"] or 5432)]
    env = {**os.environ, "PGPASSWORD": database["PASSWORD"] or ""}
    command = [program, *address, "--username", database["USER"], "--no-owner", "--no-privileges"]
    subprocess.run([*command, *arguments], env=env, check=True, capture_output=True)


def backup(path):
    """Write the backup to `path` (a .tar file); its manifest says what it holds."""
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / DUMPS[vendor]
        if vendor == "sqlite":  # SQLite's online backup: a consistent copy while in use
            connection.ensure_connection()
            with sqlite3.connect(dump) as copy:
                connection.connection.backup(copy)
            copy.close()
        else:  # one consistent snapshot, in pg_dump's own format
            name = connection.settings_dict["NAME"]
            postgres("pg_dump", "--format=custom", "--file", str(dump), name)
        manifest = Path(folder) / "manifest.json"
        made = {"database": vendor, "made": timezone.now().isoformat()}
        manifest.write_text(json.dumps(made, indent=2))
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(path, "w") as archive:
            archive.add(manifest, "manifest.json")
            archive.add(dump, dump.name)
            if media.is_dir():
                archive.add(media, "media")


class RestoreError(Exception):
    pass


def restore(path):
    """Restore the backup at `path` into the empty default database and media folder; then a
    new data version, so that no page of the restored catalogue repeats an ETag."""
    name = connection.settings_dict["NAME"]
    if connection.introspection.table_names():
        raise RestoreError(
            f"The database {name} is not empty: restore into an "
            "empty one (make createdb with a new name in DATABASE_URL, or a new SQLite file)."
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise RestoreError(f"The media folder {media} is not empty.")
    with tempfile.TemporaryDirectory() as folder, tarfile.open(path) as archive:
        archive.extractall(folder, filter="data")
        made = json.loads((Path(folder) / "manifest.json").read_text())
        if made["database"] != connection.vendor:
            raise RestoreError(
                f"This backup is of a {made['database']} database, not {connection.vendor}."
            )
        dump = Path(folder) / DUMPS[connection.vendor]
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(dump) as source:
                source.backup(connection.connection)
            source.close()
        else:
            postgres(
                "pg_restore", "--single-transaction", "--exit-on-error", "--dbname", name, str(dump)
            )
        if (Path(folder) / "media").is_dir():
            shutil.copytree(Path(folder) / "media", media, dirs_exist_ok=True)
    bump_data_version()
    return made
