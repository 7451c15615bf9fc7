"""Atom feeds of new and corrected outcomes, and each outcome's list of corrections."""

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.models import Category, Country, Organization, Outcome

pytestmark = pytest.mark.django_db


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def correct(outcome, title):
    outcome.title = title
    outcome.save()


def test_the_catalogue_feed_has_new_and_corrected_outcomes(client):
    outcome = Outcome.objects.get(reference="II.7")
    old = outcome.title
    correct(outcome, "A corrected title")
    feed = parsed(client, "/outcomes/feed.atom")
    first = feed.entries[0]
    assert first.title == "Corrected: II.7 A corrected title"
    assert f"Title: “{old}” → “A corrected title”" in first.summary
    assert first.link.endswith(outcome.get_absolute_url())
    assert any(entry.title.startswith("New: ") for entry in feed.entries)
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)


@pytest.mark.parametrize(
    ("address", "feed"),
    [
        ("/outcomes/", "/outcomes/feed.atom"),
        ("/categories/livelihood/", "/categories/livelihood/feed.atom"),
        ("/countries/mm/", "/countries/mm/feed.atom"),
        ("/organizations/cfpd/", "/organizations/cfpd/feed.atom"),
    ],
)
def test_each_feed_is_linked_from_its_page_and_holds_only_its_outcomes(client, address, feed):
    html = client.get(address).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html and f'href="{feed}"' in html
    entries = parsed(client, feed).entries
    assert entries
    outcomes = Outcome.objects.all()
    if "categories" in feed:
        outcomes = outcomes.filter(category=Category.objects.get(slug="livelihood"))
    elif "countries" in feed:
        outcomes = outcomes.filter(countries=Country.objects.get(code="MM"))
    elif "organizations" in feed:
        outcomes = outcomes.filter(participations__organization__slug="cfpd")
    addresses = {outcome.get_absolute_url() for outcome in outcomes}
    links = {entry.link.removeprefix("http://testserver").split("#")[0] for entry in entries}
    assert links <= addresses


def test_an_unknown_feed_is_404(client):
    assert client.get("/categories/nothing/feed.atom").status_code == 404
    assert client.get("/countries/zz/feed.atom").status_code == 404


def test_an_outcome_lists_an_admin_edit_as_a_correction_without_the_editors_name(
    editor_client, editor, client
):
    from django.urls import reverse

    from tests.conftest import admin_form_data

    outcome = Outcome.objects.get(reference="I.1")
    assert (
        "None since the catalogue took this item"
        in client.get(outcome.get_absolute_url()).content.decode()
    )
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url), status="ongoing")
    assert editor_client.post(url, data).status_code == 302
    organization = Organization.objects.get(slug="cfpd")
    organization.name += " (renamed)"  # not an outcome's correction
    organization.save()
    html = client.get(outcome.get_absolute_url()).content.decode()
    section = html[html.index('id="corrections-heading"') :]
    section = section[: section.index("</section>")]
    assert "Status: “Completed” → “Ongoing”" in section
    assert editor.username not in section


@pytest.mark.parametrize("corrected", [2, 12])
def test_a_feed_and_an_outcomes_corrections_cost_the_same_queries_however_many(
    client, django_assert_num_queries, corrected
):
    """Each correction changes a title and the places; the words are read for all the
    records at once (outcomes/changelog.py), not per record."""
    from outcomes.dataversion import current_version

    myanmar, laos = Country.objects.get(code="MM"), Country.objects.get(code="LA")
    outcome = Outcome.objects.get(reference="I.1")  # in Myanmar
    with CaptureQueriesContext(connection) as uncorrected:
        client.get(outcome.get_absolute_url())
    for n in range(corrected):
        correct(outcome, f"Title {n}")
        outcome.countries.add(laos) if n % 2 == 0 else outcome.countries.remove(laos)
    current_version()
    # the data version; the history records, the ones before them, their places; the
    # outcomes they are of; the later reports' links (+report, outcome), their reviews
    with django_assert_num_queries(7):
        entries = parsed(client, "/outcomes/feed.atom").entries
    assert "Places: " in entries[0].summary and "Lao" in entries[0].summary
    assert myanmar.name in entries[0].summary
    # as many as before its corrections
    with django_assert_num_queries(len(uncorrected)):
        html = client.get(outcome.get_absolute_url()).content.decode()
    # the latest 20 corrections (changes.LISTED), half of them to places
    assert html.count("Places: ") == min(corrected, 10)


def test_the_chinese_feed_is_in_chinese(client):
    feed = parsed(client, "/zh-hans/outcomes/feed.atom")
    assert feed.feed.title == "SIRONET 成果目录：新增和更正的成果"
    assert "编辑审核" in feed.feed.subtitle
    outcome = Outcome.objects.get(reference="I.3")
    titles = [entry.title for entry in feed.entries]
    assert any(outcome.title_zh in title for title in titles)
    later = [title for title in titles if title.startswith("关于")]
    assert later and all("年" in title and "月" in title for title in later)  # 2018年5月9日
    myanmar = parsed(client, "/zh-hans/countries/mm/feed.atom")
    assert "缅甸" in myanmar.feed.title
