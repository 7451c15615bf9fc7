"""Every public page type is valid HTML for the Nu HTML checker (vnu.jar, system Java).

`make test` installs vnu.jar with npm into tools/vnu/; without Java or npm these tests
skip, except in CI, where they must run.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import need, publish_releases
from tests.site import CHINESE_PAGES, PAGES, RELEASE_PAGES

VNU = Path(__file__).resolve().parents[2] / "tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar"

pytestmark = pytest.mark.django_db


def test_every_public_page_type_is_valid_html(client, tmp_path):
    assert_valid(client, {**PAGES, **CHINESE_PAGES}, tmp_path)


def test_the_release_pages_are_valid_html(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    publish_releases()
    assert_valid(client, RELEASE_PAGES, tmp_path)


def assert_valid(client, pages, tmp_path):
    need(shutil.which("java"), "Java is missing: apt-get install -y default-jre-headless")
    need(VNU.exists(), "vnu.jar is missing: npm ci --prefix tools/vnu")
    files = {}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == (404 if name.startswith("404") else 200), path
        file = tmp_path / f"{name.replace(' ', '-').replace('(', '').replace(')', '')}.html"
        file.write_bytes(response.content)
        files[file.name] = path
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *map(str, files_in(tmp_path)),
        ],
        capture_output=True,
        text=True,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    problems = [
        f"{files[Path(m['url']).name]}:{m.get('lastLine')}: {m['message']}" for m in messages
    ]
    assert not problems, "\n".join(problems)


def files_in(folder):
    return sorted(folder.glob("*.html"))
