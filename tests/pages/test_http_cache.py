"""A shared cache in front (Varnish, a CDN): public pages may be kept HTTP_CACHE_SECONDS
and name what they show (xkey, Surrogate-Key); nothing with a session or a form is
kept; and every change purges the catalogue from HTTP_CACHE_PURGE_URLS once it commits."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from outcomes.models import Category, Country, Organization, Outcome
from tests.conftest import admin_form_data

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=0, s-maxage=300"


def test_public_pages_may_be_kept_by_shared_caches_and_name_their_records(client):
    outcome = Outcome.objects.first()
    category = Category.objects.first()
    organization = Organization.objects.filter(participations__isnull=False).first()
    pages = {
        "/": "catalogue",
        "/outcomes/?country=mm": "catalogue",
        "/zh-hans/outcomes/": "catalogue",
        "/api/v1/outcomes/": "catalogue",
        outcome.get_absolute_url(): f"catalogue outcome-{outcome.pk}",
        category.get_absolute_url(): f"catalogue category-{category.slug}",
        organization.get_absolute_url(): f"catalogue organization-{organization.slug}",
        Country.objects.get(code="MM").get_absolute_url(): "catalogue country-mm",
    }
    for url, keys in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PUBLIC, url
        assert response["xkey"] == response["Surrogate-Key"] == keys, url
        assert client.get(url)["xkey"] == keys, url  # the kept copy
        # A 304 names no keys: a proxy revalidating keeps those of its copy.
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304, url
        assert again["Cache-Control"] == PUBLIC, url
        assert "xkey" not in again, url


def test_the_shared_cache_time_is_a_setting(client, settings):
    settings.HTTP_CACHE_SECONDS = 30
    assert client.get("/about/")["Cache-Control"] == "public, max-age=0, s-maxage=30"


def test_forms_and_the_admin_are_never_kept(client, admin_client):
    for response in (
        client.get("/corrections/new/"),
        client.get("/account/login/"),
        admin_client.get("/admin/outcomes/outcome/"),
    ):
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert "xkey" not in response
        assert "Surrogate-Key" not in response


class Proxy(BaseHTTPRequestHandler):
    """Answers PURGE as Varnish does, noting each one."""

    purges = []

    def do_PURGE(self):  # noqa: N802 (http.server's naming)
        self.purges.append((self.path, self.headers.get("xkey-purge")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    Proxy.purges = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", Proxy.purges
    server.shutdown()
    server.server_close()


def edit_category(admin_client):
    # Seeded, unless an earlier test emptied the database.
    category, _ = Category.objects.get_or_create(
        numeral="V",
        defaults={"name": "Testing", "slug": "testing", "order": 99, "description": "A test."},
    )

    url = f"/admin/outcomes/category/{category.pk}/change/"
    data = admin_form_data(admin_client.get(url), name="Testing again")
    return category, data, url


@pytest.mark.django_db(transaction=True)
def test_an_admin_edit_is_purged_by_the_worker_not_in_the_editors_request(
    admin_client, settings, proxy, caplog
):
    from edge.purge import PurgeAfterChanges

    address, purges = proxy
    category, data, url = edit_category(admin_client)
    # The second proxy does not answer: logged, and the purge of the first goes through.
    settings.HTTP_CACHE_PURGE_URLS = [address, "http://127.0.0.1:1"]
    worker = PurgeAfterChanges()
    worker()  # a worker that starts purges once
    assert purges == [("/", "catalogue")]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content
    category.refresh_from_db()
    assert category.name == "Testing again"
    assert purges == [("/", "catalogue")]  # the editor's request purged nothing
    worker()
    assert purges == [("/", "catalogue")] * 2
    assert "Purging the catalogue from http://127.0.0.1:1 failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_nothing_is_purged_without_proxies(admin_client, settings, proxy):
    from edge.purge import PurgeAfterChanges

    address, purges = proxy
    category, data, url = edit_category(admin_client)
    assert settings.HTTP_CACHE_PURGE_URLS == []
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    PurgeAfterChanges()()
    assert purges == []


def test_the_proxies_are_purged_once_the_replicas_have_the_change(
    settings, proxy, replica, monkeypatch, caplog
):
    """A purged page is fetched again at once, maybe from a replica: the worker's purge
    waits until each replica that is up has replayed the change (or gives up, logged),
    asking again on each of its rounds and never blocking one."""
    from edge import purge
    from outcomes.dataversion import bump_data_version, current_version
    from outcomes.models import DataVersion

    address, purges = proxy
    settings.HTTP_CACHE_PURGE_URLS = [address]
    job = purge.PurgeAfterChanges()
    job()  # the replica holds the version (the fixture): purged at once
    assert purges == [("/", "catalogue")]
    job()
    assert purges == [("/", "catalogue")]  # once per version

    monkeypatch.setattr(purge, "REPLICA_WAIT", 0.3)
    number = bump_data_version().number  # the replica is now behind
    DataVersion.objects.using(replica).update(version=number - 1)
    started = time.monotonic()
    job()
    assert time.monotonic() - started < 0.2  # a round does not wait
    assert purges == [("/", "catalogue")]  # not yet: the replica is behind
    time.sleep(0.3)
    job()
    assert purges == [("/", "catalogue")] * 2  # then purged anyway
    assert f"have not replayed version {number}" in caplog.text

    number = bump_data_version().number
    DataVersion.objects.using(replica).update(version=number - 1)
    job()
    assert len(purges) == 2
    DataVersion.objects.using(replica).update(version=number)  # the replica catches up
    job()
    assert len(purges) == 3
    assert current_version().number == number


def test_a_stream_of_edits_does_not_put_the_purge_off_for_ever(
    settings, proxy, replica, monkeypatch
):
    """The wait for the replicas counts from the first change not yet purged: edits that
    keep coming while a replica is behind do not start it again."""
    from edge import purge
    from outcomes.dataversion import bump_data_version
    from outcomes.models import DataVersion

    address, purges = proxy
    settings.HTTP_CACHE_PURGE_URLS = [address]
    monkeypatch.setattr(purge, "REPLICA_WAIT", 0.3)
    job = purge.PurgeAfterChanges()
    job()
    assert len(purges) == 1
    for _ in range(3):  # a change every 0.12 s, the replica always one behind
        number = bump_data_version().number
        DataVersion.objects.using(replica).update(version=number - 1)
        job()
        time.sleep(0.12)
    job()
    assert len(purges) == 2  # 0.36 s after the first change, though the last was 0.12 s ago
