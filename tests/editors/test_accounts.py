"""Accounts for the admin: `make editor`, `make superuser` and the command behind them."""

import os
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-editor-password"


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    monkeypatch.delenv("ACCOUNT_PASSWORD", raising=False)


@pytest.mark.django_db
def test_an_editor_without_a_terminal_or_password_is_refused_and_nothing_made(no_terminal):
    with pytest.raises(CommandError, match="No terminal.*ACCOUNT_PASSWORD.*Nothing was changed"):
        call_command("account", "ana")
    assert not User.objects.filter(username="ana").exists()


@pytest.mark.django_db
def test_an_editor_takes_the_password_from_the_environment(no_terminal, monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", PASSWORD)
    call_command("account", "ana")
    ana = User.objects.get(username="ana")
    assert ana.is_staff and not ana.is_superuser
    assert ana.check_password(PASSWORD)
    assert list(ana.groups.values_list("name", flat=True)) == ["Editors"]


@pytest.mark.django_db
def test_a_weak_password_is_refused_with_the_validators_words(no_terminal, monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", "12345")
    with pytest.raises(CommandError, match="too short.*Nothing was changed"):
        call_command("account", "ana")
    assert not User.objects.filter(username="ana").exists()


@pytest.mark.django_db
def test_an_existing_account_keeps_its_password_when_refused(no_terminal):
    User.objects.create_user("ana", password=PASSWORD)
    with pytest.raises(CommandError):
        call_command("account", "ana")
    assert User.objects.get(username="ana").check_password(PASSWORD)


@pytest.mark.django_db
def test_a_superuser_from_the_environment(no_terminal, monkeypatch):
    monkeypatch.setenv("ACCOUNT_PASSWORD", PASSWORD)
    call_command("account", "root", "--superuser", "--email", "root@example.org")
    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff and root.email == "root@example.org"
    assert root.check_password(PASSWORD)


@pytest.mark.django_db
def test_at_a_terminal_the_password_is_asked_twice(monkeypatch):
    monkeypatch.delenv("ACCOUNT_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([PASSWORD, "something else"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("account", "ana")
    answers = iter([PASSWORD, PASSWORD])
    call_command("account", "ana")
    assert User.objects.get(username="ana").check_password(PASSWORD)


def make(*args, **env):
    """`make` as a newcomer runs it, from a script (no terminal), on its own SQLite file."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    base.pop("ACCOUNT_PASSWORD", None)
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        env={**base, **env},
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )


@pytest.mark.services
def test_make_editor_and_superuser_without_a_terminal(tmp_path):
    database = f"sqlite:///{tmp_path / 'accounts.sqlite3'}"
    refused = make("editor", "USER=ana", DATABASE_URL=database)
    assert refused.returncode != 0
    assert "set ACCOUNT_PASSWORD" in refused.stderr
    made = make("editor", "USER=ana", DATABASE_URL=database, ACCOUNT_PASSWORD=PASSWORD)
    assert made.returncode == 0, made.stderr
    assert "ana is a staff account in the Editors group" in made.stdout
    refused = make("superuser", "USER=root", DATABASE_URL=database)
    assert refused.returncode != 0 and "set ACCOUNT_PASSWORD" in refused.stderr
    made = make("superuser", "USER=root", DATABASE_URL=database, ACCOUNT_PASSWORD=PASSWORD)
    assert made.returncode == 0 and "root is a superuser" in made.stdout
    unnamed = make("editor", DATABASE_URL=database)
    assert unnamed.returncode != 0 and "Name the account: make editor USER=ana" in unnamed.stderr
