"""Every public page: what it shows, its metadata, and its query budget at two data sizes."""

import re

import pytest
from django.utils.http import http_date

from outcomes.models import Category, DataVersion, Organization, Outcome, Region

pytestmark = pytest.mark.django_db


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_lists_categories_with_counts_totals_and_a_search_box(client):
    html = html_of(client, "/")
    for name, count in [
        ("Livelihood Cooperation and Donation", 8),
        ("Capacity Building and Talent Exchanges", 11),
        ("Promoting Development", 4),
        ("Cultural Exchange", 6),
        ("Exchange Mechanism", 8),
    ]:
        assert re.search(
            rf"{name}</a></h3>\s*<p>[^<]+</p>\s*<p class=\"count\">{count} outcomes", html
        )
    assert "37 outcomes" in html
    # As many organizations as /organizations/ lists.
    assert f"naming {Organization.objects.count()} organizations" in html
    assert Organization.objects.count() == 48
    assert 'type="search" name="q"' in html


def test_outcome_page_quotes_the_text_with_its_citation(client):
    outcome = Outcome.objects.get(reference="II.1")
    html = html_of(client, outcome.get_absolute_url())
    source = outcome.source.url
    assert f'<blockquote cite="{source}"><p>{outcome.text}</p></blockquote>' in html
    assert 'published <time datetime="2017-12-18">18 December 2017</time>' in html
    assert f'<a href="{source}">' in html
    assert "section II (“Capacity Building and Talent Exchanges”), item 1" in html
    assert "over US$500,000" in html
    assert "currency assumed: the text says “over 500,000 dollars”" in html
    assert 'href="/countries/kh/">Cambodia</a>' in html
    assert 'href="/countries/uz/">Uzbekistan</a>' in html
    assert "China Association for NGO Cooperation</a> — lead, SIRONET member" in html
    assert "Revision 1, last changed" in html


def test_outcome_page_writes_figures_as_people_read_them(client):
    html = html_of(client, Outcome.objects.get(reference="V.6").get_absolute_url())
    assert "nearly CN¥100 million" in html
    html = html_of(client, Outcome.objects.get(reference="III.3").get_absolute_url())
    assert "CN¥1 million" in html


def test_outcome_page_shows_status_year_programmes_regions_and_partners(client):
    html = html_of(client, Outcome.objects.get(reference="III.1").get_absolute_url())
    assert "Ongoing, 2016" in html
    assert "Belt and Road Industrial and Commercial Alliance</a> — founded body</li>" in html
    assert (
        "<dt>Planned or aimed at, not reported as done</dt><dd>“planning to build industrial parks"
        in html
    )
    html = html_of(client, Outcome.objects.get(reference="IV.5").get_absolute_url())
    assert 'Via <a href="/regions/asean/">ASEAN</a> (“ASEAN countries”): its members on 18' in html
    assert 'href="/countries/th/">Thailand</a>' in html
    assert 'href="/countries/tl/"' not in html  # Timor-Leste joined ASEAN in 2025
    html = html_of(client, Outcome.objects.get(reference="I.1").get_absolute_url())
    assert "Myanmar Alinyaung Foundation</a> — co-lead</li>" in html  # membership not stated
    assert "not a SIRONET member" not in html
    html = html_of(client, Outcome.objects.get(reference="I.6").get_absolute_url())
    assert 'Somewhere in <a href="/regions/asia/">Asia</a>' in html
    assert "None named" in html


def test_outcome_page_lists_mentions_with_their_reasons(client):
    html = html_of(client, Outcome.objects.get(reference="III.4").get_absolute_url())
    assert "China in “traditional Chinese culture”: culture, people or language" in html
    assert 'href="/countries/cn/"' not in html


def test_outcome_page_links_previous_next_and_related(client):
    html = html_of(client, Outcome.objects.get(reference="I.2").get_absolute_url())
    assert re.search(r'rel="prev" href="[^"]+">← I\.1 ', html)
    assert re.search(r'rel="next" href="[^"]+">I\.3 ', html)
    assert "Related outcomes" in html
    assert ">I.4</span>" in html  # same organization: China Foundation for Poverty Alleviation
    assert ">I.8</span>" in html  # same country: Myanmar


def test_cfpd_page_shows_both_of_its_outcomes(client):
    html = html_of(client, "/organizations/cfpd/")
    assert "China Foundation for Peace and Development (CFPD)" in html
    assert ">I.1</span>" in html and ">II.11</span>" in html


def test_organization_page_groups_outcomes_by_role(client):
    html = html_of(client, "/organizations/cnie/")
    assert "<h3>As lead</h3>" in html
    html = html_of(client, "/organizations/polish-house-civic-association/")
    assert "<h3>As partner</h3>" in html
    assert "Poland" in html


def test_organizations_are_a_to_z_ignoring_the(client):
    response = client.get("/organizations/")
    names = [o.name for o in response.context["organizations"]]
    assert names.index("The Great Wall Society of China") < names.index(
        "Hebei Provincial Red Cross Society"
    )
    assert names[0] == "Aier Eye Hospital Group Co Ltd"


def test_organizations_filter_by_type(client):
    response = client.get("/organizations/", {"type": "company"})
    assert {o.name for o in response.context["organizations"]} == {
        "Aier Eye Hospital Group Co Ltd",
        "Fujian Hongbo Opto-Electronics Technology Co., Ltd.",
    }
    response = client.get("/organizations/", {"type": "bogus"})
    assert response.status_code == 200
    assert len(response.context["organizations"]) == Organization.objects.count()
    assert "There is no organization type" in response.content.decode()


def test_countries_are_grouped_by_continent_with_counts(client):
    html = html_of(client, "/countries/")
    assert re.search(r"<h3[^>]*>Asia</h3>", html)
    assert re.search(r"<h3[^>]*>Africa</h3>", html)
    assert 'href="/countries/mm/">Myanmar</a> <span class="count">(4)</span>' in html
    assert 'href="/countries/vn/"' not in html  # named by no outcome


def test_country_page_lists_named_outcomes_then_regional_ones(client):
    response = client.get("/countries/mm/")
    named = [o.reference for o in response.context["named"]["shown"]]
    via = [o.reference for o in response.context["via_groupings"]["shown"]]
    assert named == ["I.1", "I.2", "I.8", "II.10"]
    # The Mekong and ASEAN; not "over 20 Asian countries" (I.5, I.6) nor "Southeast
    # Asian countries" (II.4), which reach no particular country.
    assert via == ["I.3", "IV.5"]
    html = response.content.decode()
    assert html.index("Outcomes in Myanmar") < html.index(
        "Outcomes that reach Myanmar through a grouping"
    )
    assert 'reaches Myanmar via <a href="/regions/mekong/">' in html
    # The link keeps what the page shows: both lists.
    assert 'href="/outcomes/?country=mm&amp;via=1">Filter or download these outcomes' in html


def test_country_pages_follow_memberships_as_of_the_documents_date(client):
    timor = client.get("/countries/tl/")  # ASEAN since 2025
    assert timor.context["via_groupings"]["total"] == 0
    assert 'href="/outcomes/?country=tl">Filter or download' in timor.content.decode()
    india = client.get("/countries/in/")  # the SCO since June 2017
    assert [o.reference for o in india.context["via_groupings"]["shown"]] == ["IV.5"]
    assert client.get("/countries/ir/").context["via_groupings"]["total"] == 0  # SCO 2023
    assert client.get("/countries/ee/").context["via_groupings"]["total"] == 0
    china = client.get("/countries/cn/")
    assert [o.reference for o in china.context["named"]["shown"]] == ["IV.6"]
    # The members' own side is not reached through a grouping it belongs to (I.3 on the
    # Mekong, IV.5 with the SCO's member states): no "via" section lists them for China.
    assert china.context["via_groupings"]["total"] == 0
    listed = html_of(client, "/outcomes/?country=cn&via=1")
    assert ">IV.6</span>" in listed and ">I.3</span>" not in listed and ">IV.5</span>" not in listed
    mekong = "/outcomes/brightness-action-free-cataract-surgeries-on-the-mekong-river/"
    assert "other than the members’ own side, China" in html_of(client, mekong)
    assert "成员国家中中国以外的成员" in html_of(client, f"/zh-hans{mekong}")


def test_country_addresses_are_lower_case(client):
    response = client.get("/countries/MM/")
    assert response.status_code == 301
    assert response["Location"] == "/countries/mm/"


def test_region_page(client):
    response = client.get("/regions/mekong/")
    assert [o.reference for o in response.context["as_a_whole"]["shown"]] == ["I.3"]
    assert "I.1" in [o.reference for o in response.context["via_members"]["shown"]]


def test_a_continent_page_lists_outcomes_somewhere_in_it(client):
    response = client.get("/regions/asia/")
    assert [o.reference for o in response.context["somewhere_in"]["shown"]] == ["I.5", "I.6"]
    assert response.context["as_a_whole"]["total"] == 0
    assert "reach no particular country" in response.content.decode()


def test_a_region_page_shows_its_members_then_and_now(client):
    html = html_of(client, "/regions/china-ceec/")
    assert "Member on 18 December 2017" in html and "Member today" in html
    estonia = re.search(r'href="/countries/ee/">Estonia</a></td>(.*?)</tr>', html, re.S)[1]
    assert "11 Aug 2022" in estonia
    assert re.findall(r"<td>(Yes|No)</td>", estonia) == ["Yes", "No"]
    greece = re.search(r'href="/countries/gr/">Greece</a></td>(.*?)</tr>', html, re.S)[1]
    assert re.findall(r"<td>(Yes|No)</td>", greece) == ["No", "Yes"]


def test_category_page(client):
    response = client.get("/categories/mechanism/")
    assert [o.reference for o in response.context["outcomes"]["shown"]][0] == "V.1"
    assert "Forums, symposia and agreements" in response.content.decode()


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_the_categories_and_regions_have_pages_of_their_own(client, prefix):
    """/categories/ and /regions/ list what their members' pages are, with counts that
    agree with those pages."""
    categories = client.get(f"{prefix}/categories/")
    regions = client.get(f"{prefix}/regions/")
    assert categories.status_code == regions.status_code == 200
    for category in Category.objects.all():
        assert f'href="{prefix}/categories/{category.slug}/"' in categories.content.decode()
    for region in Region.objects.all():
        assert f'href="{prefix}/regions/{region.slug}/"' in regions.content.decode()
    counted = {c.slug: c.outcome_count for c in categories.context["categories"]}
    livelihood = client.get(f"{prefix}/categories/livelihood/").context["outcomes"]["total"]
    assert counted["livelihood"] == livelihood
    assert sum(counted.values()) == Outcome.objects.count()
    mekong = client.get(f"{prefix}/regions/mekong/")
    shown = mekong.context["as_a_whole"]["total"] + mekong.context["somewhere_in"]["total"]
    assert {r.slug: r.outcome_count for r in regions.context["regions"]}["mekong"] == shown > 0
    assert f'href="{prefix}/regions/"' in mekong.content.decode()  # its breadcrumb


def test_about_page_names_the_source_licence_and_corrections(client):
    html = html_of(client, "/about/")
    assert "Cooperation Outcomes of SIRONET Member Organizations" in html
    assert '<time datetime="2017-12-18">18 December 2017</time>' in html
    assert "https://sironet.cnie.org.cn/cnie_en/Documents_224/201712/t20171218_94520.html" in html
    for rule in ("place", "mention", "via", "somewhere", "roles", "membership", "status"):
        assert f'id="rule-{rule}"' in html
    assert "Creative Commons Attribution 4.0" in html
    assert 'id="corrections"' in html


def test_unknown_addresses_are_404_in_the_site_style(client):
    for url in [
        "/outcomes/no-such-outcome/",
        "/organizations/nobody/",
        "/countries/zz/",
        "/regions/atlantis/",
        "/categories/nope/",
        "/nothing/here/",
        "/outcomes/export.pdf",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
    assert "Page not found" in client.get("/nothing/here/").content.decode()


def test_robots_disallows_the_admin_and_names_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_sitemap_lists_every_outcome(client):
    xml = client.get("/sitemap.xml").content.decode()
    for outcome in Outcome.objects.all():
        assert f"http://testserver{outcome.get_absolute_url()}</loc>" in xml


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


PAGES = [
    "/",
    "/outcomes/",
    "/outcomes/nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation/",
    "/organizations/",
    "/organizations/cfpd/",
    "/countries/",
    "/countries/mm/",
    "/regions/mekong/",
    "/categories/livelihood/",
    "/about/",
    "/data/",
]


def test_every_page_has_its_own_title_description_and_canonical_link(client):
    titles = set()
    for url in PAGES:
        html = html_of(client, url)
        title = re.search(r"<title>(.+?)</title>", html, re.S)[1]
        assert title not in titles, url
        titles.add(title)
        assert re.search(r'<meta name="description" content="[^"]{20,}">', html), url
        assert f'<link rel="canonical" href="http://testserver{url}">' in html, url
        assert 'href="#main">Skip to content</a>' in html


def test_public_pages_refuse_writes(client):
    for url in PAGES:
        response = client.post(url)
        assert response.status_code == 405, url
        assert response["Allow"] == "GET, HEAD", url


# Query budgets, pinned at the document's size and with 60 more outcomes.
BUDGETS = [
    ("/", 5),  # categories with counts; outcomes; organizations; countries; the map's counts
    ("/outcomes/brightness-action-free-cataract-surgeries-on-the-mekong-river/", 16),
    # outcome (+category, source); participations (+organization); places; reaches
    # (+region); mentions (+country, region); figures; programmes; its reviewed later
    # reports, their figures, its searches for them; the groupings' members on the
    # source's date; related outcomes (+category); previous; next; its corrections (its
    # history: none here); the latest release (none here: no more)
    ("/organizations/", 2),  # organizations with outcome counts; organizations per type
    # organization (+country, founder); bodies it founded; participations (+outcome, category)
    ("/organizations/cfpd/", 4),  # + the releases that froze it
    ("/countries/", 2),  # countries with outcome counts, by continent; and for the map
    ("/countries/mm/", 6),
    # country; outcomes in it, their number; outcomes via a grouping, their number (what
    # the rows show from the facet index); groupings it belongs to today
    ("/regions/mekong/", 10),
    # region; memberships (+country); its sources' dates; the map's counts; outcomes
    # reaching it as a whole + their number; somewhere in it + their number; outcomes
    # in a member + their number (the rows from the facet index)
    ("/categories/livelihood/", 3),  # category; outcomes; their number (rows: the index)
    # source; outcome count; the sources the dataset is based on; its coverage (exports.
    # coverage): the sources' dates, the reviewed later reports' dates, the countries named
    ("/about/", 6),
    # source; its outcomes; their number (rows: the index)
    ("/sources/sironet-cooperation-outcomes/", 3),
    # the columns and tables are the code's, the version the decorator's; the dataset's
    # sources; its coverage (three, as the about page's)
    ("/data/", 4),
    # the record's (Outcome.objects.with_record_rows): outcomes (+category, source); participations
    # (+organization); places (+country); reaches (+region); mentions (+country, region);
    # figures; programmes; reviewed later reports; their figures; searches for them
    ("/outcomes/export.json", 10),
    ("/outcomes/export.csv", 10),
    # first their number (a workbook has a limit); then the sources, for its "About" sheet
    ("/outcomes/export.xlsx", 12),
]


@pytest.mark.parametrize("url, queries", BUDGETS)
def test_page_query_budget(client, django_assert_num_queries, catalogue_size, url, queries):
    from outcomes.dataversion import current_version
    from outcomes.facets import facet_index

    # Built once per data version and process, and counted in tests/pages/test_outcome_list.py.
    facet_index(current_version())
    # Every public page first reads the data version (outcomes/dataversion.py): + 1.
    with django_assert_num_queries(queries + 1):
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:  # an export's queries run as it streams
            b"".join(response.streaming_content)


def test_a_cached_page_costs_one_query_and_a_revisit_gets_304(client, django_assert_num_queries):
    first = client.get("/outcomes/?country=mm")
    with django_assert_num_queries(1):  # the data version; the page comes from the cache
        again = client.get("/outcomes/?country=mm")
    assert again.content == first.content
    with django_assert_num_queries(1):
        revisit = client.get("/outcomes/?country=mm", HTTP_IF_NONE_MATCH=first["ETag"])
    assert revisit.status_code == 304
    # Last-Modified is the time of the last change, read back from the database.
    changed = DataVersion.objects.get().changed
    assert first["Last-Modified"] == http_date(changed.timestamp())
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=300"


def test_if_modified_since_never_hides_a_newer_version_of_the_same_second(client):
    """Last-Modified has whole seconds, and two edits can share one: only the ETag,
    unique to each version, may earn a 304."""
    first = client.get("/about/")
    version = DataVersion.objects.get()
    DataVersion.objects.update(version=version.version + 1, changed=version.changed)
    again = client.get("/about/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["ETag"] != first["ETag"]


def test_the_etag_does_not_repeat_when_a_database_repeats_a_version_number(client):
    first = client.get("/about/")
    version = DataVersion.objects.get()
    DataVersion.objects.update(changed=version.changed.replace(year=2030))  # another history
    again = client.get("/about/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_a_kept_page_is_kept_per_host_and_scheme(client, settings):
    settings.ALLOWED_HOSTS = ["a.example.org", "b.example.org"]
    a = client.get("/about/", HTTP_HOST="a.example.org").content.decode()
    b = client.get("/about/", HTTP_HOST="b.example.org").content.decode()
    assert '<link rel="canonical" href="http://a.example.org/about/">' in a
    assert '<link rel="canonical" href="http://b.example.org/about/">' in b
    secure = client.get("/about/", HTTP_HOST="b.example.org", secure=True).content.decode()
    assert '<link rel="canonical" href="https://b.example.org/about/">' in secure


def test_an_edit_shows_at_once_on_cached_pages(client):
    outcome = Outcome.objects.get(reference="II.7")
    url = outcome.get_absolute_url()
    before = client.get(url)
    outcome.title = "A corrected title"
    outcome.save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "A corrected title" in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_a_country_address_that_is_not_two_letters_is_404(client):
    for code in ["m%00", "mmm", "1a", "%00%00"]:
        response = client.get(f"/countries/{code}/")
        assert response.status_code == 404
        assert "<h1>Page not found</h1>" in response.content.decode()


def test_the_data_version_is_read_with_its_time_zone(settings):
    from outcomes.dataversion import bump_data_version, current_version

    settings.TIME_ZONE = "Asia/Yangon"  # not UTC, so that a time without zone shows
    bump_data_version()
    version, changed = current_version()
    stored = DataVersion.objects.get()
    assert (version, changed) == (stored.version, stored.changed)


def test_a_detail_page_lists_the_first_outcomes_and_links_the_rest(client):
    from tests.conftest import grow_catalogue

    grow_catalogue(500)
    total = Outcome.objects.filter(category__slug="livelihood").count()
    assert total > 20
    html = html_of(client, "/categories/livelihood/")
    assert html.count('<li class="outcome">') == 20
    assert f"{total} outcomes." in html
    assert (
        f'The first 20 of {total}, in document order: <a href="/outcomes/?category=livelihood">'
        "see them all in the outcome list</a>." in html
    )


def test_a_new_release_of_the_code_serves_no_kept_page_or_tag_of_the_last(client, monkeypatch):
    from edge import pages

    first = client.get("/about/")
    monkeypatch.setattr(pages, "RELEASE", "another")
    again = client.get("/about/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"] and ".another." in again["ETag"]
