import importlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connections
from django.utils import translation

from outcomes.seeding import seed

# The tests sit by kind: rules/ (models and the claims the data makes), pages/, data/ (the
# API and the downloads), editors/ (the admin, imports, corrections), browser/ (a real
# Chromium) and services/ (real servers and programs: nginx, gunicorn, Redis, Varnish, the
# HTML checker, make). The last two are marked as such: `make test-fast` leaves them out.
MARKED_FOLDERS = {"browser": "browser", "services": "services"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(item.fspath).parent.name
        if folder in MARKED_FOLDERS:
            item.add_marker(MARKED_FOLDERS[folder])


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor}"


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request for a Chinese page leaves Chinese active in the thread: each test ends
    by going back to the default language, so that the next one starts in English."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test meets an empty page cache (pages are cached per data version)."""
    from django.core.cache import caches

    from outcomes.facets import forget_index

    caches["pages"].clear()
    caches["rows"].clear()
    forget_index()


@pytest.fixture(autouse=True)
def _on_commit_at_once(request, monkeypatch):
    """Tests run in a transaction that never commits: do on-commit work at once.

    (outcomes/dataversion.py refreshes search documents and bumps the data version on
    commit.) Tests with real commits (transactional_db, live_server) keep Django's.
    """
    marker = request.node.get_closest_marker("django_db")
    if (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker and marker.kwargs.get("transaction"))
    ):
        return
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda function, *args, **kwargs: function()
    )


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    # Hashing passwords at full strength only slows the tests down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests do not run collectstatic, so there is no manifest of hashed names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The tests' transactions never commit, so no process would hear their versions:
    # requests read the version (tests/pages/test_listen.py turns listening on).
    settings.DATA_VERSION_LISTEN = False
    # The data package's files are written per data version: into the tests' own folder.
    settings.DATA_PACKAGE_DIR = tmp_path_factory.getbasetemp() / "datapackage"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seed the test database once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        seed()


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(params=["document", "grown"])
def catalogue_size(request, db):
    """Run a test on the document's 37 outcomes, then again with 500 synthetic ones more."""
    if request.param == "grown":
        grow_catalogue(500)
    return request.param


def grow_catalogue(count):
    """Add `count` synthetic outcomes, linked like the document's (outcomes/synthetic.py)."""
    from outcomes.dataversion import bump_data_version
    from tools.synthetic import synthetic_outcomes

    synthetic_outcomes(count, seed=1)
    bump_data_version()


@pytest.fixture
def worker_alive():
    """The worker's heartbeat, as `manage.py worker` leaves it in the shared cache."""
    import time

    from django.core.cache import caches

    from edge.middleware import WORKER_HEARTBEAT

    caches["default"].set(WORKER_HEARTBEAT, time.time())
    yield
    caches["default"].delete(WORKER_HEARTBEAT)


EDITOR_PASSWORD = "a-long-editor-password"
# The data migration that makes the Editors group (and says what it may do).
EDITORS_MIGRATION = "outcomes.migrations.0004_editors_and_data_version"


@pytest.fixture
def editor(db):
    """An account in the Editors group (made by migration outcomes 0004), as editors get."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("edith", "edith@example.org", EDITOR_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def log_in(client, user):
    """Log `user` in with both factors, as after the login page's password and code: an
    authenticator device, and the session verified by it (django-otp)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user).first()
    device = device or TOTPDevice.objects.create(user=user, name="default")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def totp(user):
    """The code `user`'s authenticator shows now."""
    from django_otp.oath import totp as code
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    return f"{code(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def editor_client(client, editor):
    return log_in(client, editor)


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's (a client of its own), logged in with both factors."""
    from django.test import Client

    return log_in(Client(), admin_user)


def admin_form_data(response, **changes):
    """The POST data of an admin change (or revert) form as the browser would send it.

    Collects the main form's fields and every inline formset, with its management form.
    """
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(item) for item in value]
            else:
                data[form.add_prefix(name)] = "on" if value is True else str(value)

    form = response.context["adminform"].form
    add(form)
    if "change_reason" in form.fields and form.instance.pk:  # every public change says why
        data[form.add_prefix("change_reason")] = "A test's change"
    for inline in response.context.get("inline_admin_formsets") or []:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update(changes)
    return data


def inline_index(data, prefix, pk):
    """The index of the row of inline formset `prefix` that holds record `pk` in `data`."""
    return next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(pk)
    )


# Real-browser tests ------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def need(available, message):
    """Skip a test whose tool is missing, except in CI, where it must fail."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{message} (CI must install it: see .ci/run)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    need(CHROMIUM.exists(), "Chromium is missing: apt-get install -y chromium")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def live_catalogue(live_server, transactional_db):
    """The live server with the catalogue seeded and the Editors group in place.

    Live-server tests empty the database after each test (then Django recreates
    permissions, but not what migrations and seeding made), so each one seeds again.
    """
    from django.contrib.auth.models import Group, Permission

    seed()
    editors = importlib.import_module(EDITORS_MIGRATION)
    group, _ = Group.objects.get_or_create(name=editors.GROUP)
    group.permissions.set(editors.editor_permissions(Permission))
    return live_server.url


def publish_releases():
    """Release 2026.1 (the document) and 2026.2 (after a correction), as tests.site's
    RELEASE_PAGES name them; their files go where MEDIA_ROOT says."""
    from downloads.releases import publish
    from outcomes.models import Outcome

    outcome = Outcome.objects.get(reference="I.1")
    outcome.title += " (corrected)"
    outcome.save()
    publish("A correction", now=datetime(2026, 12, 7, 12, tzinfo=UTC))


# A read replica for a test (tests/pages/test_replicas.py says how it is made).
REPLICA_CHANGED = datetime(2001, 1, 1, tzinfo=UTC)


def add_replica(alias):
    configured = connections.configure_settings(
        {"default": {}, alias: {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    )
    connections.settings[alias] = configured[alias]
    # Connected here: the test case refuses connections it was not told of beforehand.
    connections[alias].connect()


def remove_replica(alias):
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


@pytest.fixture
def replica(monkeypatch):
    """A replica holding every table, empty but for the data version: the primary's
    number, another time of change."""
    from django.apps import apps

    from edge import routing
    from outcomes import models
    from outcomes.dataversion import current_version

    monkeypatch.setattr(routing, "_newest", 0)
    monkeypatch.setattr(routing, "_down_until", {})
    alias = "replica_0"
    add_replica(alias)
    with connections[alias].schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy:
                editor.create_model(model)
    number = current_version().number
    models.DataVersion.objects.using(alias).create(pk=1, version=number, changed=REPLICA_CHANGED)
    yield alias
    remove_replica(alias)
