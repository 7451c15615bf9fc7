"""The outcome list: filters, facets, search, sorting, paging and bad input."""

import re
from html import unescape
from unittest import mock

import pytest

from outcomes.models import Category, Country, Outcome, Region
from tests.places import countries_named_in

pytestmark = pytest.mark.django_db

LIST = "/outcomes/"


ROW = re.compile(
    r'<h3 class="outcome-title"><a href="[^"]+"><span class="ref">([^<]+)</span> ([^<]+)</a>'
)


def references_in(html):
    return [reference for reference, _ in ROW.findall(html)]


def references(response):
    """The references of the outcomes listed on the page, as a visitor sees them."""
    return references_in(response.content.decode())


def facet(response, name):
    group = response.context["facets"][name]
    return {option["value"]: option["count"] for option in group["options"]}


def test_the_list_shows_all_outcomes_in_document_order(client):
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 37
    assert references(response)[:3] == ["I.1", "I.2", "I.3"]
    assert "37 outcomes" in response.content.decode()


def test_a_result_shows_reference_title_category_organizations_and_countries(client):
    html = client.get(LIST, {"country": "et"}).content.decode()
    assert "I.2" in html
    assert "Paukphaw scholarships" in html
    assert "Livelihood Cooperation and Donation" in html
    assert "China Foundation for Poverty Alleviation" in html
    assert "Ethiopia" in html and "Sudan" in html


def test_country_filter_lists_exactly_the_outcomes_naming_myanmar(client):
    response = client.get(LIST, {"country": "mm"})
    expected = [o.reference for o in Outcome.objects.all() if "MM" in countries_named_in(o.text)]
    assert references(response) == expected == ["I.1", "I.2", "I.8", "II.10"]


def test_country_codes_are_read_in_any_case(client):
    assert references(client.get(LIST, {"country": "MM"})) == references(
        client.get(LIST, {"country": "mM"})
    )


def test_category_filter_gives_section_iv(client):
    response = client.get(LIST, {"category": "culture"})
    assert references(response) == ["IV.1", "IV.2", "IV.3", "IV.4", "IV.5", "IV.6"]


def test_values_of_one_filter_combine_with_or(client):
    response = client.get(LIST + "?country=et&country=pk")
    assert references(response) == ["I.2", "I.7", "II.11"]


def test_different_filters_combine_with_and(client):
    response = client.get(LIST + "?country=mm&country=kh&category=capacity")
    assert references(response) == ["II.1", "II.10"]


def test_region_filter(client):
    assert references(client.get(LIST, {"region": "asean"})) == ["IV.5"]
    # III.2 only advocates a China-CEEC alliance: a mention, not a reach.
    assert references(client.get(LIST, {"region": "china-ceec"})) == ["II.4"]


def test_organization_filter_and_status_filter(client):
    assert references(client.get(LIST, {"organization": "cfpd"})) == ["I.1", "II.11"]
    assert references(client.get(LIST, {"status": "planned"})) == ["IV.1"]


def test_search_finds_the_mekong_eye_surgery_outcome(client):
    assert references(client.get(LIST, {"q": "cataract"})) == ["I.3"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("CATARACT", ["I.3"]),
        ("cfpd", ["I.1", "II.11"]),  # an acronym
        ("paukphaw", ["I.2"]),  # a programme name
        ("Seychelles", ["IV.4"]),
        ("Korea", ["IV.6"]),  # a country linked by its abbreviation (ROK) in the text
        ("ASEAN", ["IV.5"]),
        ("women", ["II.1", "II.10", "III.4", "V.1"]),
        ("nothingmatchesthis", []),
    ],
)
def test_search_is_case_insensitive_over_text_and_names(client, query, expected):
    assert references(client.get(LIST, {"q": query, "sort": "reference"})) == expected


def test_a_word_matches_the_start_of_words(client):
    assert "II.2" in references(client.get(LIST, {"q": "school"}))


def test_facet_counts_are_what_choosing_each_value_would_give(client):
    params = {"category": "livelihood"}
    response = client.get(LIST, params)
    for name in ("country", "organization", "status", "region"):
        for value, count in facet(response, name).items():
            chosen = client.get(LIST, {**params, name: value})
            assert chosen.context["page"].paginator.count == count, (name, value)


def test_a_facet_counts_its_own_values_under_the_other_filters_only(client):
    response = client.get(LIST, {"category": "culture", "country": "ru"})
    # Other categories stay countable although culture is chosen: OR within a filter.
    # IV.4 (Russia); IV.2 and V.1 name Russia only in joint bodies' names, no place.
    assert facet(response, "category") == {"culture": 1}
    # Countries are counted within section IV, ignoring the chosen country.
    assert facet(response, "country")["IT"] == 1
    assert facet(response, "country")["CN"] == 1  # IV.6: in China and ROK


def test_active_filters_show_as_removable_chips(client):
    html = client.get(LIST + "?country=mm&category=capacity").content.decode()
    assert "Clear all" in html
    assert 'href="?category=capacity"' in html  # removes Myanmar
    assert 'href="?country=MM"' in html  # removes the category


@pytest.mark.parametrize(
    "sort, first",
    [("reference", "I.1"), ("title", "IV.4"), ("-updated", None)],
)
def test_sorting(client, sort, first):
    response = client.get(LIST, {"sort": sort})
    assert response.status_code == 200
    if first:
        assert references(response)[0] == first


def test_sort_by_title_is_alphabetical(client):
    html = client.get(LIST, {"sort": "title"}).content.decode()
    titles = [unescape(title) for _, title in ROW.findall(html)]
    assert titles == sorted(titles, key=str)


def test_pages_hold_twenty_and_keep_the_filters(client):
    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})
    assert len(references(first)) == 20
    assert references(second)[0] == "III.2"
    html = client.get(LIST, {"sort": "title"}).content.decode()
    assert "sort=title&amp;page=2" in html


@pytest.mark.parametrize(
    "params",
    [
        {"country": "zz"},
        {"category": "nope"},
        {"organization": "no-such-org"},
        {"region": "atlantis"},
        {"status": "lost"},
        {"sort": "random"},
    ],
)
def test_an_unknown_value_gives_an_empty_result_with_a_message(client, params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "these filters could not be used" in response.content.decode()


@pytest.mark.parametrize(
    "params, says",
    [
        ({"page": "abc"}, "Page 1 of 2"),  # not a number: the first page
        ({"page": "-1"}, "Page 2 of 2"),  # out of range: the last
        ({"page": "99999999999999999999"}, "Page 2 of 2"),
        ({"q": "'; DROP TABLE outcomes_outcome; --"}, ">0 outcomes</h2>"),
        ({"q": "%_\\*:&|!()<>"}, ">0 outcomes</h2>"),
        ({"q": "\x00"}, "Search: Null characters are not allowed."),
        ({"country": "m" * 300}, f"Country: “{'M' * 300}” is not a known value."),
    ],
)
def test_odd_input_never_fails(client, params, says):
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert says in response.content.decode()
    assert Outcome.objects.count() == 37


def test_a_very_long_search_is_refused_with_a_message(client):
    response = client.get(LIST, {"q": "x" * 5000})
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()


def test_the_page_links_the_download_of_its_view(client):
    html = client.get(LIST + "?country=mm").content.decode()
    assert "/outcomes/export.csv?country=MM" in html
    assert "/outcomes/export.json?country=MM" in html


def test_list_works_without_javascript(client):
    html = client.get(LIST).content.decode()
    assert re.search(r'<form class="filters" method="get"', html)
    assert '<button type="submit">Apply filters</button>' in html
    assert "<script>" not in html  # only the external, deferred file


def test_list_query_count_is_fixed(client, django_assert_num_queries, catalogue_size):
    from django.core.cache import caches

    client.get(LIST)  # builds this data version's facet index (see below)

    def cold(params):
        caches["pages"].clear()  # no cached page,
        caches["rows"].clear()  # no cached rows
        return client.get(LIST, params)

    # the data version. The count, the page's ids, the facets and what the rows show
    # come from the index: no query.
    with django_assert_num_queries(1):
        cold({})
    # the same with filters: their values are checked against the index, no query
    with django_assert_num_queries(1):
        cold({"country": "mm", "category": "livelihood"})
    # a search: one query for the matching outcomes (best first on PostgreSQL, which
    # ranks them); the count and the page's ids from the index
    with django_assert_num_queries(2):
        cold({"q": "school"})
    # a chosen order: count and ids from the database
    with django_assert_num_queries(3):
        cold({"sort": "title"})


def test_rows_rendered_once_serve_every_list_they_appear_in(client, django_assert_num_queries):
    client.get(LIST, {"country": "mm"})
    # data version only: ids from the index, rows from the cache.
    with django_assert_num_queries(1):
        html = client.get(LIST, {"country": "mm", "page": "1"}).content.decode()
    assert references_in(html) == ["I.1", "I.2", "I.8", "II.10"]


def test_an_edit_renders_again_only_the_rows_it_touched(client):
    """A kept row serves until its outcome changes: after an edit of one outcome, a list
    renders that row alone again; a change that may touch any row (a name) renders all."""
    from outcomes import views
    from outcomes.models import Organization

    def rows_rendered(query):
        with mock.patch.object(views, "list_rows", wraps=views.list_rows) as rows:
            response = client.get(LIST, query)
        return sum(len(call.args[0]) for call in rows.call_args_list), response.content.decode()

    assert rows_rendered({"country": "mm"})[0] == 4
    outcome = Outcome.objects.get(reference="I.2")
    outcome.title = "A title corrected"
    outcome.save()
    rendered, html = rows_rendered({"country": "mm"})
    assert rendered == 1 and "A title corrected" in html
    assert references_in(html) == ["I.1", "I.2", "I.8", "II.10"]
    organization = Organization.objects.filter(outcomes__reference="I.8").first()
    organization.name = "An organization renamed"
    organization.save()
    rendered, html = rows_rendered({"country": "mm"})
    assert rendered == 4 and "An organization renamed" in html


def test_the_facet_index_is_built_once_per_data_version(client, django_assert_num_queries):
    from django.core.cache import caches

    # the data version, and eleven for the index: outcomes (with their category, status,
    # whether searched for later reports, and what their rows show of them), country
    # links, region links, participations, countries reached through groupings, links to
    # reviewed later reports; the slugs and codes filters may name: categories,
    # countries (with their names), regions, organizations; and organizations' acronyms
    with django_assert_num_queries(12):
        client.get(LIST)
    caches["pages"].clear()
    caches["rows"].clear()
    with django_assert_num_queries(1):
        client.get(LIST, {"page": 2})
    Outcome.objects.get(reference="I.1").countries.add(Country.objects.get(code="LA"))
    # A new data version that touched one outcome's row: the data version, the change
    # log, and I.1 read again (its row, three kinds of links, its groupings, its reviewed
    # later reports).
    with django_assert_num_queries(8):
        client.get(LIST)
    Category.objects.filter(slug="culture").update(name="Culture and arts")
    # A name changed, which any page may show: the log says so, and the index is built again.
    with django_assert_num_queries(13):
        client.get(LIST)


def test_region_and_country_records(db):
    assert Region.objects.get(slug="mekong").members.count() == 6
    assert Country.objects.get(code="KR").name == "Korea, Republic of"


def test_a_long_facet_shows_its_largest_values_and_those_in_use(client):
    from tests.conftest import grow_catalogue

    grow_catalogue(500)
    response = client.get(LIST, {"organization": "polish-house-civic-association"})
    group = response.context["facets"]["organization"]
    values = {option["value"]: option for option in group["options"]}
    assert len(values) == 21  # the twenty with most outcomes, and the one in use
    assert values["polish-house-civic-association"]["selected"]
    assert group["more"] > 0
    # The line says how many the left-out have at most: never "fewer" where they tie.
    shown = [option["count"] for option in group["options"] if not option["selected"]]
    assert group["most"] <= min(shown)
    noun = "outcome" if group["most"] == 1 else "outcomes"
    assert f"{group['more']} more, each with at most {group['most']} {noun}:" in (
        response.content.decode()
    )


def test_a_facet_whose_left_out_values_tie_with_the_shown_does_not_call_them_fewer(client):
    # All 48 organizations of the document have one to three outcomes: twenty are shown.
    response = client.get(LIST)
    group = response.context["facets"]["organization"]
    left_out = group["more"]
    assert left_out == 28 and group["most"] == 1
    html = response.content.decode()
    assert "fewer outcomes" not in html
    assert "28 more, each with at most 1 outcome:" in html
    chinese = client.get(f"/zh-hans{LIST}").content.decode()
    assert "还有 28 个" in chinese


def test_a_search_asked_again_costs_no_search_query(client, django_assert_num_queries):
    from django.core.cache import caches

    client.get(LIST, {"q": "school"})
    caches["pages"].clear()
    # data version only: the matching outcomes are kept with the facet index (ranked,
    # on PostgreSQL), the rows in the rows cache
    with django_assert_num_queries(1):
        html = client.get(LIST, {"q": "school", "page": "1"}).content.decode()
    assert "II.2" in references_in(html)


@pytest.mark.parametrize("name", ["country", "category", "region", "organization"])
def test_a_nul_character_is_an_unknown_value_not_an_error(client, name):
    response = client.get(LIST, {name: "m\x00m"})
    assert response.status_code == 200
    assert "these filters could not be used" in response.content.decode()


def test_facet_counts_agree_with_the_database_for_any_number_of_outcomes(db):
    """The index counts a narrow selection by tallying its outcomes' values, a wide one
    by ANDing each value's mask (outcomes/facets.py); both give the database's counts."""
    from collections import Counter

    from outcomes.dataversion import current_version
    from outcomes.facets import facet_index
    from outcomes.models import Participation, Reach
    from tests.conftest import grow_catalogue

    grow_catalogue(500)
    index = facet_index(current_version())
    links = {
        "category": Outcome.objects.values_list("pk", "category__slug"),
        "status": Outcome.objects.values_list("pk", "status"),
        "country": Outcome.countries.through.objects.values_list("outcome_id", "country__code"),
        "region": Outcome.regions.through.objects.values_list("outcome_id", "region__slug"),
        "reach": [
            *Outcome.countries.through.objects.values_list("outcome_id", "country__code"),
            *Reach.objects.through_members()
            .values_list("outcome_id", "region__memberships__country__code")
            .distinct(),
        ],
        "organization": Participation.objects.values_list("outcome_id", "organization__slug"),
    }
    livelihood = set(
        Outcome.objects.filter(category__slug="livelihood").values_list("pk", flat=True)
    )
    selections = {
        "all": set(index.ids),
        "one": {index.ids[7]},
        "livelihood": livelihood,
    }
    for name, pairs in links.items():
        for label, outcomes in selections.items():
            expected = Counter(value for pk, value in set(pairs) if pk in outcomes)
            assert index.counts(name, index.mask_of_outcomes(outcomes)) == expected, (name, label)


def test_facets_are_counted_once_per_choice_of_filters(client, monkeypatch):
    from django.core.cache import caches

    from outcomes.facets import FacetIndex

    counted = []
    counts = FacetIndex.counts

    def counting(index, facet, within):
        counted.append(facet)
        return counts(index, facet, within)

    monkeypatch.setattr(FacetIndex, "counts", counting)
    client.get(LIST, {"q": "school", "country": "mm"})
    assert len(counted) == 7  # one count per facet
    caches["pages"].clear()
    # Another page, another order, the same filters written otherwise: counted already.
    client.get(LIST, {"country": "MM", "q": "  School ", "page": "2", "sort": "title"})
    assert len(counted) == 7
    client.get(LIST, {"q": "school", "country": "mm", "status": "completed"})
    assert len(counted) == 14


def test_the_facet_panel_is_rendered_once_per_choice_of_filters_and_language(client):
    from django.core.cache import caches

    def panel_rendered(path, params):
        caches["pages"].clear()
        response = client.get(path, params)
        return "outcomes/includes/_facets.html" in [t.name for t in response.templates]

    assert panel_rendered(LIST, {"q": "school", "country": "mm"})
    # Another page and order of the same filters: the kept panel, with the same boxes.
    assert not panel_rendered(LIST, {"country": "MM", "q": "school", "sort": "title"})
    again = client.get(LIST, {"q": "school", "country": "mm", "page": "1", "sort": "title"})
    assert '<input type="checkbox" name="country" value="MM" checked>' in again.content.decode()
    # Another choice, or another language: a panel of its own.
    assert panel_rendered(LIST, {"q": "school", "country": "mm", "via": "1"})
    assert panel_rendered("/zh-hans" + LIST, {"q": "school", "country": "mm"})
    chinese = client.get("/zh-hans" + LIST, {"q": "school", "country": "mm", "sort": "title"})
    checked = '<input type="checkbox" name="country" value="MM" checked>缅甸'
    assert checked in chinese.content.decode()


def test_a_search_without_words_finds_nothing_and_leaves_the_full_list_alone(client):
    wordless = client.get(LIST, {"q": "-"})
    assert wordless.context["page"].paginator.count == 0
    assert all(not facet["options"] for facet in wordless.context["facets"].values())
    everything = client.get(LIST)
    assert everything.context["page"].paginator.count == Outcome.objects.count()
    assert facet(everything, "category")["livelihood"] > 0


def test_the_grouping_reach_option_adds_outcomes_labelled_via_their_grouping(client):
    plain = client.get(LIST, {"country": "th"})
    assert references(plain) == []  # Thailand is no outcome's place
    response = client.get(LIST, {"country": "th", "via": "1"})
    assert references(response) == ["I.3", "IV.5"]
    html = response.content.decode()
    assert 'reaches Thailand via <a href="/regions/mekong/">' in html
    assert 'reaches Thailand via <a href="/regions/asean/">ASEAN</a>' in html
    # the country facet counts reach too, and the option is a removable chip
    assert facet(response, "country")["TH"] == 2
    assert facet(plain, "country").get("TH", 0) == 0
    assert 'href="?country=TH" class="chip"' in html  # the chip that removes the option
    # a named place is not labelled "via"
    myanmar = client.get(LIST, {"country": "mm", "via": "1"}).content.decode()
    assert references(client.get(LIST, {"country": "mm", "via": "1"})) == [
        "I.1",
        "I.2",
        "I.3",
        "I.8",
        "II.10",
        "IV.5",
    ]
    assert myanmar.count('class="via"') == 2


def test_the_grouping_reach_option_reads_memberships_as_of_the_source(client):
    assert references(client.get(LIST, {"country": "tl", "via": "1"})) == []  # ASEAN 2025
    assert references(client.get(LIST, {"country": "in", "via": "1"})) == ["II.9", "IV.5"]
    assert references(client.get(LIST, {"country": "jp", "via": "1"})) == []  # "Asian"


def test_a_bad_reach_value_is_a_clear_problem_not_an_error(client):
    response = client.get(LIST, {"country": "th", "via": "yes-please"})
    assert response.status_code == 200
    assert "these filters could not be used" in response.content.decode()


def test_founded_bodies_are_listed_and_searchable(client):
    html = client.get("/organizations/").content.decode()
    assert "China-Mongolia-Russia Tea Road Society</a>" in html
    assert references(client.get(LIST, {"q": "tea road"})) == ["IV.2"]
    body = client.get("/organizations/china-mongolia-russia-tea-road-society/").content.decode()
    assert 'Founded by</dt><dd><a href="/organizations/chinese-culture-promotion-society/">' in body
    assert "<h3>As founded body</h3>" in body


def test_a_chosen_value_without_outcomes_stays_chosen_in_the_form(client):
    html = client.get(LIST, {"country": "th", "status": "unknown"}).content.decode()
    assert 'name="country" value="TH" checked>Thailand' in html
    assert 'name="status" value="unknown" checked>Unknown' in html


def index_content(index):
    """What an index answers with: each facet's masks and each outcome's values."""
    return {
        "ids": index.ids,
        "groupings": {bit: sorted(pairs) for bit, pairs in index.groupings.items() if pairs},
        **{
            name: (
                {value: mask for value, mask in facet.masks.items() if mask},
                [sorted(values) for values in facet.values_of],
                facet.links,
            )
            for name, facet in index.facets.items()
        },
    }


def test_after_an_edit_the_index_reads_only_the_outcomes_changed(db, catalogue_size):
    """The first request after an edit reads the changed outcomes again, not the whole
    catalogue (at 20,000 outcomes, a rebuild is a second), and answers what a rebuilt
    index answers; a change it cannot patch (a new outcome, a rename) rebuilds."""
    from outcomes.dataversion import current_version
    from outcomes.facets import FacetIndex, facet_index, forget_index
    from outcomes.models import Organization, ReachKind, Status

    forget_index()
    old = facet_index(current_version())
    outcome = Outcome.objects.get(reference="II.3")
    outcome.status = Status.PLANNED
    outcome.category = Category.objects.get(slug="culture")
    outcome.save(update_fields=["status", "category"])
    outcome.countries.set([Country.objects.get(code="TH"), Country.objects.get(code="NP")])
    outcome.participations.all().delete()
    outcome.participations.create(
        organization=Organization.objects.order_by("pk").last(), role="partner"
    )
    outcome.reaches.create(region=Region.objects.get(slug="asean"), kind=ReachKind.MEMBERS)
    other = Outcome.objects.get(reference="I.1")
    other.countries.clear()
    new = facet_index(current_version())
    assert new is not old and new.ids is old.ids  # patched: what is unchanged is shared
    assert index_content(new) == index_content(FacetIndex())
    assert index_content(old) != index_content(new)  # the old one is left as it was

    Outcome.objects.filter(pk=other.pk).update(reference="I.99", position=10_099)
    rebuilt = facet_index(current_version())
    assert rebuilt.ids != new.ids  # moved in document order: built again


def test_the_index_leaves_the_garbage_collector_little_to_scan(db, catalogue_size):
    """A worker's full garbage collection scans every container the worker keeps: with a
    list of values per outcome and facet, the index made each one far slower (a pause of
    a second after an edit at 20,000 outcomes, docs/performance.md). Tuples of strings,
    built or patched, are left alone once the collector has seen them."""
    import gc

    from outcomes.dataversion import current_version
    from outcomes.facets import facet_index, forget_index

    forget_index()
    built = facet_index(current_version())
    outcome = Outcome.objects.get(reference="II.3")
    outcome.countries.set([Country.objects.get(code="TH")])
    patched = facet_index(current_version())
    assert patched is not built
    gc.collect()
    for index in (built, patched):
        values = [v for facet in index.facets.values() for v in facet.values_of]
        assert len(values) == len(index.facets) * index.size
        assert [v for v in values if gc.is_tracked(v)] == []


def test_an_index_from_before_a_restore_is_rebuilt_not_patched(db):
    """A restored database repeats version numbers with other data: an index of the
    number it had before is not patched from the restored database's changes."""
    from outcomes.dataversion import current_version
    from outcomes.facets import FacetIndex, facet_index, forget_index
    from outcomes.models import DataVersion, VersionLog

    forget_index()
    outcome = Outcome.objects.get(reference="II.3")
    backup = current_version()
    outcome.countries.add(Country.objects.get(code="NP"))  # made after the backup
    old = facet_index(current_version())  # of version backup + 1
    # The restore: the data, the version and its log as they were at the backup.
    outcome.countries.remove(Country.objects.get(code="NP"))
    VersionLog.objects.filter(version__gt=backup.number).delete()
    DataVersion.objects.update(version=backup.number, changed=backup.changed)
    other = Outcome.objects.get(reference="I.1")
    for status in ("planned", "ongoing"):  # the restored database's next two versions
        other.status = status
        other.save()
    assert current_version().number == backup.number + 2
    assert index_content(facet_index(current_version())) == index_content(FacetIndex())
    assert index_content(old) != index_content(FacetIndex())


def test_an_update_that_moves_rows_and_an_add_through_a_link_model_reach_the_index(db):
    """QuerySet.update() notes the outcomes rows move to, not only those they leave; a
    link added through its model (regions.add, which sends no post_save) is noted too."""
    from outcomes.dataversion import current_version
    from outcomes.facets import FacetIndex, facet_index, forget_index
    from outcomes.models import Participation

    forget_index()
    facet_index(current_version())
    x, y = Outcome.objects.get(reference="I.3"), Outcome.objects.get(reference="V.6")
    moved = x.participations.exclude(organization__in=y.organizations.all()).first()
    Participation.objects.filter(pk=moved.pk).update(outcome=y)
    assert index_content(facet_index(current_version())) == index_content(FacetIndex())
    y.refresh_from_db()
    assert moved.organization.name.split()[0].lower() in y.search_text

    before = current_version()[0]
    region = Region.objects.exclude(outcomes=x).first()
    x.regions.add(region, through_defaults={"kind": "within"})
    assert current_version()[0] == before + 1
    assert index_content(facet_index(current_version())) == index_content(FacetIndex())
