"""The documentation says what runs: every manage.py line in it runs as written, and every
setting read from the environment is documented."""

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "DEVELOPERS.md", *sorted((ROOT / "docs").glob("*.md"))]
# What makes a command line run: make run's settings, production's, or a container's.
RUNS = re.compile(
    r"^(DJANGO_DEBUG=true \.venv/bin/python"
    r"|DJANGO_SECRET_KEY=\S+ .*\.venv/bin/python"
    r"|docker compose exec \w+ python) manage\.py "
)


def command_lines():
    """Each command in the documents' code blocks and inline code that runs manage.py."""
    for document in DOCUMENTS:
        text = document.read_text().replace("\\\n", " ")
        blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
        inline = re.findall(r"`([^`\n]*manage\.py [^`\n]*)`", text)
        for line in [*"\n".join(blocks).splitlines(), *inline]:
            if "manage.py " in line and not line.lstrip().startswith("#"):
                yield document.name, " ".join(line.split("#")[0].split())


def test_every_manage_py_line_in_the_docs_runs_as_written():
    found = list(command_lines())
    assert len(found) > 5
    known = set(get_commands())
    for document, line in found:
        if line.startswith(("manage.py ", "python manage.py ")) and len(line.split()) <= 3:
            continue  # a command named in prose: `manage.py seed`
        assert RUNS.match(line), f"{document}: {line!r} does not load the settings"
        command = line.split("manage.py ", 1)[1].split()[0]
        assert command == "COMMAND" or command in known, f"{document}: no command {command!r}"


def test_every_environment_variable_the_settings_read_is_documented():
    settings = (ROOT / "sironet" / "settings.py").read_text()
    read = set(
        re.findall(r"""(?:environ\.get|env(?:bool|int|list))\(\s*["']([A-Z_]+)["']""", settings)
    )
    read |= set(re.findall(r"""environ\[["']([A-Z_]+)["']\]""", settings))
    assert "DJANGO_SECRET_KEY" in read and "REDIS_URL" in read
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert not missing, f"docs/configuration.md does not document {missing}"
