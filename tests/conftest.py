import os

import pytest

from outcomes.seeding import seed


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor}"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Hashing passwords at full strength only slows the tests down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests do not run collectstatic, so there is no manifest of hashed names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the test database once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        seed()


def in_ci():
    return os.environ.get("CI", "").lower() == "true"
