"""Issue 26, "Translations marked, Chinese that reads as Chinese": every unreviewed Chinese
name or title is marked where it is shown, in words a screen reader reads; a second editor
reviews it; an organization's Chinese name stands only with the page that publishes it;
Chinese lists go by pinyin."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from pypinyin import lazy_pinyin

from outcomes.models import Category, Organization, Outcome, Region
from tests.conftest import admin_form_data, log_in

pytestmark = pytest.mark.django_db

MARK = "（译文未经审校）"
OUTCOME = "/outcomes/brightness-action-free-cataract-surgeries-on-the-mekong-river/"


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_unreviewed_chinese_title_is_marked_in_its_heading_and_not_in_english(client):
    chinese = client.get(f"/zh-hans{OUTCOME}").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", chinese, re.S)[1]
    assert f'<small class="unreviewed">{MARK}</small>' in heading
    assert (
        "unreviewed"
        not in re.search(r"<h1>(.*?)</h1>", client.get(OUTCOME).content.decode(), re.S)[1]
    )
    # Not inside an attribute: the page title and the description stay plain text.
    assert MARK not in re.search(r"<title>(.*?)</title>", chinese, re.S)[1]


def test_every_unreviewed_title_in_the_chinese_list_is_marked_until_reviewed(client):
    html = client.get("/zh-hans/outcomes/").content.decode()
    rows = re.findall(r'<li class="outcome">(.*?)</h3>', html, re.S)
    assert len(rows) == 20  # the first page
    assert all(MARK in row for row in rows)
    Outcome.objects.filter(reference="I.1").update(translation_reviewed=True)
    html = client.get("/zh-hans/outcomes/").content.decode()
    first = re.findall(r'<li class="outcome">(.*?)</h3>', html, re.S)[0]
    assert ">I.1<" in first and MARK not in first


def test_facets_category_cards_and_organization_pages_mark_unreviewed_names(client):
    html = client.get("/zh-hans/outcomes/").content.decode()
    facet = html[html.index('name="organization"') - 400 :]
    assert re.search(r'value="cfpa">中国扶贫基金会 <small class="unreviewed">', html)
    assert MARK in facet
    # A country's Chinese name comes from Unicode CLDR: never marked.
    assert not re.search(r'value="MM">缅甸 <small', html)
    home = client.get("/zh-hans/").content.decode()
    cards = home[home.index('<ul class="cards">') :]
    assert MARK in cards
    Category.objects.update(translation_reviewed=True)
    Outcome.objects.update(translation_reviewed=True)
    Organization.objects.update(translation_reviewed=True)
    Region.objects.update(translation_reviewed=True)
    assert MARK not in client.get("/zh-hans/categories/").content.decode()
    assert MARK not in client.get("/zh-hans/outcomes/").content.decode()


def test_a_chinese_organization_name_is_shown_with_the_page_that_publishes_it(client):
    names = json.loads((Path(settings.BASE_DIR) / "fixtures" / "names.json").read_text())
    for slug, given in names["organizations"].items():
        if given.get("name_zh"):  # no page, no name
            source = given["source"]
            assert source["url"].startswith("http") and source["publisher"], slug
    named = Organization.objects.exclude(name_zh="")
    assert named.count() == 33
    assert not named.filter(name_zh_url="").exists()
    caneco = Organization.objects.get(slug="china-association-for-ngo-cooperation")
    assert caneco.name_zh == "中国国际民间组织合作促进会"
    html = client.get(caneco.get_absolute_url()).content.decode()
    assert f'as published by <a href="{caneco.name_zh_url}">' in html
    assert "中国国际民间组织合作促进会" in html


def test_an_editor_cannot_keep_a_chinese_name_without_its_page(editor_client):
    organization = Organization.objects.get(slug="china-public-diplomacy-association")
    url = reverse("admin:outcomes_organization_change", args=[organization.pk])
    data = admin_form_data(editor_client.get(url), name_zh="中国公共外交协会")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Give the public page that publishes this Chinese name." in response.content.decode()
    organization.refresh_from_db()
    assert organization.name_zh == ""


def test_chinese_lists_go_by_pinyin(client):
    html = client.get("/zh-hans/organizations/").content.decode()
    anchors = re.findall(r'<td><a href="/zh-hans/organizations/[^"]+/">(.*?)</a>', html)
    # Each name without its mark; an English one is marked lang="en" for screen readers.
    shown = [re.sub(r"<small.*?</small>|<[^>]+>", "", anchor).strip() for anchor in anchors]
    assert len(shown) == 48
    keys = [
        " ".join(lazy_pinyin(name)).lower() if re.search("[\u4e00-\u9fff]", name) else name.lower()
        for name in (name.strip() for name in shown)
    ]
    assert keys == sorted(keys)
    # Not the English alphabet: 爱德基金会 (ai) comes before 北京… (bei), before 中国… (zhong).
    assert (
        shown.index("爱德基金会") < shown.index("北京市志愿服务联合会") < shown.index("中华医学会")
    )
    english = client.get("/organizations/").content.decode()
    assert english.index(">Amity Foundation<") < english.index(">Beijing Volunteer")


def test_a_second_editor_reviews_a_translation_never_its_author(editor_client):
    outcome = Outcome.objects.get(reference="I.3")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    # Edith rewrites the Chinese title, and cannot tick "reviewed" in the same save.
    data = admin_form_data(
        editor_client.get(url),
        title_zh="光明行：在湄公河流域免费做白内障手术",
        translation_reviewed="on",
    )
    data["change_reason"] = "Chinese title reworded"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "you wrote or changed this Chinese" in response.content.decode()
    del data["translation_reviewed"]
    assert editor_client.post(url, data).status_code == 302
    # Nor later: she wrote it.
    data = admin_form_data(editor_client.get(url), translation_reviewed="on")
    data["change_reason"] = "Reviewed"
    assert "you wrote or changed this Chinese" in editor_client.post(url, data).content.decode()
    outcome.refresh_from_db()
    assert not outcome.translation_reviewed
    # Bea, who did not write it, may.
    bea = User.objects.create_user("bea", is_staff=True)
    bea.groups.add(Group.objects.get(name="Editors"))
    other = Client()
    log_in(other, bea)
    data = admin_form_data(other.get(url), translation_reviewed="on")
    data["change_reason"] = "Reviewed"
    assert other.post(url, data).status_code == 302
    outcome.refresh_from_db()
    assert outcome.translation_reviewed
    # A change of the reviewed Chinese waits for a review again.
    data = admin_form_data(other.get(url), title_zh="光明行：湄公河流域的免费白内障手术")
    data["change_reason"] = "Chinese title reworded"
    assert other.post(url, data).status_code == 302
    outcome.refresh_from_db()
    assert not outcome.translation_reviewed


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("缅甸", "<mark>缅甸</mark>"),  # Myanmar, in Chinese titles and as a place
        ("白内障", "<mark>白内障</mark>"),  # cataract: I.3's Chinese title
        ("妇女", "<mark>妇女</mark>"),  # women
        ("Burma", "<mark>Burma</mark>"),  # another name of Myanmar: found through a place
    ],
)
def test_every_result_says_why_it_matched(client, query, why):
    for prefix in ("", "/zh-hans"):
        html = client.get(f"{prefix}/outcomes/", {"q": query}).content.decode()
        rows = html.count('<li class="outcome">')
        snippets = re.findall(r'<p class="snippet">(.*?)</p>', html, re.S)
        assert rows and len(snippets) == rows, (query, prefix)
        assert all("<mark>" in snippet for snippet in snippets), (query, prefix)
        assert any(why in snippet for snippet in snippets), (query, prefix)
    chinese = client.get("/zh-hans/outcomes/", {"q": "Burma"}).content.decode()
    assert '<span class="why">地点：</span>' in chinese


def test_a_groupings_members_and_an_outcomes_places_go_by_pinyin_too(client):
    html = client.get("/zh-hans/regions/asean/").content.decode()
    members = re.findall(r'<td><a href="/zh-hans/countries/[a-z]{2}/">([^<]+)</a></td>', html)
    assert len(members) >= 10
    assert [pinyin_of(m) for m in members] == sorted(pinyin_of(m) for m in members)
    outcome = Outcome.objects.get(reference="IV.4")  # Italy, Mauritius, Russia, Seychelles
    html = client.get(f"/zh-hans/outcomes/{outcome.slug}/").content.decode()
    places = re.search(r"<dt>地点</dt>\s*<dd>(.*?)</dd>", html, re.S)[1]
    names = re.findall(r">([^<]+)</a>", places)
    assert names == sorted(names, key=pinyin_of) and len(names) == 4


def pinyin_of(name):
    return " ".join(lazy_pinyin(name)).lower()
