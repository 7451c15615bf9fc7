"""`make backup` and `make restore`: everything comes back, in an empty database of the
engine the suite runs on (CI runs it on SQLite and on PostgreSQL)."""

import copy
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import coverage
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# A catalogue with something of everything a backup must carry: a corrected outcome (its
# history, with the reason), a correction report, an editor's account, a media file.
PREPARE = """
import django
django.setup()
from django.contrib.auth.models import User
from corrections.models import CorrectionReport
from outcomes.models import Outcome
outcome = Outcome.objects.get(reference="I.1")
outcome.title = "Nine schools, corrected"
outcome._change_reason = "Title matched to the document"
outcome.save()
CorrectionReport.objects.create(what="The year is wrong", outcome=outcome, client="x")
User.objects.create_user("ana", "ana@example.org", "a-long-password-for-ana", is_staff=True)
"""

# What a reader and an editor see of it: public pages (their bodies, and their ETags),
# every historical record, accounts, reports, the media folder.
SNAPSHOT = """
import hashlib, json, django
from pathlib import Path
from django.conf import settings
django.setup()
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from corrections.models import CorrectionReport
from outcomes.models import Outcome
client = Client()
slug = Outcome.objects.get(reference="I.1").slug
pages = {}
for url in ["/", "/outcomes/", f"/outcomes/{slug}/", "/outcomes/?q=school", "/organizations/",
            f"/zh-hans/outcomes/{slug}/", f"/outcomes/{slug}/feed.atom"]:
    response = client.get(url)
    pages[url] = [response.status_code, response["ETag"],
                  hashlib.sha256(response.content).hexdigest()]
history = sorted(
    [model._meta.label, record.history_id, record.history_date.isoformat(),
     record.history_change_reason, record.history_type]
    for model in apps.get_models()
    if getattr(model._meta, "simple_history_manager_attribute", None)
    for record in model.history.all()
)
root = Path(settings.MEDIA_ROOT)
media = sorted(str(path.relative_to(root)) for path in root.rglob("*"))
print(json.dumps({
    "pages": pages,
    "history": hashlib.sha256(json.dumps(history).encode()).hexdigest(),
    "history_count": len(history),
    "accounts": sorted(User.objects.values_list("username", "password", "is_staff")),
    "reports": sorted(CorrectionReport.objects.values_list("what", "outcome__reference")),
    "media": media,
}))
"""


def manage(database_url, media, *args, script=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "sironet.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(media),
    }
    if measured := coverage.Coverage.current():
        # Under `pytest --cov` (CI), the commands are measured too, in data files of their
        # own that pytest-cov combines with the suite's.
        config = copy.copy(measured.config)
        config.parallel = True
        env["COVERAGE_PROCESS_CONFIG"] = config.serialize()
    command = ["-c", script] if script else ["manage.py", *args]
    result = subprocess.run(
        [sys.executable, *command], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def databases(tmp_path):
    """Two new databases of the suite's engine: the catalogue's, and the empty one its
    backup is restored into. PostgreSQL's are made beside the test database and dropped."""
    if connection.vendor == "sqlite":
        yield [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("source", "restored")]
        return
    import psycopg

    names = [f"backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("source", "restored")]
    address = urlsplit(os.environ["DATABASE_URL"])
    server = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    try:
        for name in names:
            server.execute(f'CREATE DATABASE "{name}"')
        yield [urlunsplit(address._replace(path=f"/{name}")) for name in names]
    finally:
        for name in names:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def test_a_backup_restored_into_an_empty_database_serves_the_same_catalogue(tmp_path, databases):
    source, restored = databases
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    (media / "releases").mkdir(parents=True)
    (media / "releases" / "2026.1.zip").write_bytes(b"a release's files")
    manage(source, media, "migrate", "--verbosity", "0")
    manage(source, media, "seed")
    manage(source, media, script=PREPARE)
    before = json.loads(manage(source, media, script=SNAPSHOT).splitlines()[-1])

    backup = tmp_path / "backup.tar"
    manage(source, media, "backup", str(backup))
    said = manage(restored, restored_media, "restore", str(backup))
    assert "37 outcomes" in said
    after = json.loads(manage(restored, restored_media, script=SNAPSHOT).splitlines()[-1])

    assert after["history"] == before["history"] and before["history_count"] > 37
    assert after["accounts"] == before["accounts"] and len(before["accounts"]) == 1
    assert after["reports"] == before["reports"] == [["The year is wrong", "I.1"]]
    assert after["media"] == before["media"] == ["releases", "releases/2026.1.zip"]
    for url, (status, etag, body) in before["pages"].items():
        assert status == 200, url
        assert after["pages"][url][2] == body, url  # the same page
        assert after["pages"][url][1] != etag, url  # under an ETag of its own

    # Never over a catalogue: a restore takes an empty database only.
    with pytest.raises(AssertionError, match="is not empty: restore into an empty one"):
        manage(source, tmp_path / "other-media", "restore", str(backup))


@pytest.mark.django_db
def test_a_restore_over_a_catalogue_is_refused_before_anything_is_read(tmp_path):
    """In process: the refusal comes first, whatever the file (here, none at all)."""
    from sironet import backups

    with pytest.raises(backups.RestoreError, match="is not empty: restore into an empty one"):
        backups.restore(tmp_path / "no-such-backup.tar")
