"""What happened next, as visitors see it: the outcome's timeline, its citations, the home
chart, the map's option and the feeds show reviewed later reports, and never one waiting."""

import json
import re
from datetime import date

import feedparser
import pytest
from django.db.models import Count

from outcomes.models import Category, LaterReport, Outcome, ReportFigure
from tests.pages.test_map import later_links

pytestmark = pytest.mark.django_db


def new_report(outcome, reviewed=True, number=1, **fields):
    """A report on `outcome` with one figure: reviewed by a second editor, or waiting."""
    report = LaterReport.objects.create(
        url=f"https://news.example.org/{outcome.slug}/{number}",
        title=fields.pop("title", f"Schools open in the valley ({number})"),
        publisher="Example Daily",
        published=date(2023, 5, 1),
        language="en",
        reading="expanded",
        summary="The report says twelve schools now run.",
        summary_zh="报道称十二所学校正在运行。",
        added_by_name="First editor",
        reviewed_by_name="Second editor" if reviewed else "",
        reviewed=date(2026, 12, 8) if reviewed else None,
        **fields,
    )
    report.outcomes.add(outcome)
    ReportFigure.objects.create(
        report=report,
        position=1,
        kind="count",
        value=12,
        qualifier="exact",
        unit="schools",
        unit_zh="所学校",
        words="twelve schools",
    )
    return report


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def timeline(html):
    start = html.index('<section class="later"')
    return html[start : html.index("</section>", start)]


def test_the_timeline_shows_each_reviewed_report_with_its_source_reading_figures_and_summary(
    client,
):
    outcome = Outcome.objects.get(reference="I.3")
    shown = timeline(html_of(client, outcome.get_absolute_url()))
    assert '<time datetime="2017-12-18">18 December 2017</time>' in shown
    assert "<strong>The document</strong>: thousands of patients" in shown
    reports = LaterReport.objects.reviewed().filter(outcomes=outcome).order_by("published")
    assert reports.count() == 2
    positions = []
    for report in reports:
        positions.append(shown.index(f'id="report-{report.pk}"'))
        assert f'<time datetime="{report.published:%Y-%m-%d}">' in shown
        assert f'<a href="{report.url}" hreflang="zh">{report.title}</a>' in shown
        assert (
            f'<span lang="zh">{report.publisher}</span> <span class="hint">(Chinese)</span>'
            in shown
        )
        assert f'href="/about/#reading-{report.reading}">{report.reading.capitalize()}</a>' in shown
        assert report.summary.replace("'", "&#x27;") in shown
    assert positions == sorted(positions)  # oldest first, after the document
    assert "474 cataract patients" in shown and "474名老挝白内障患者" in shown
    assert "Last searched for later reports on" in shown


def test_a_chinese_page_gives_the_chinese_summary_and_reading(client):
    outcome = Outcome.objects.get(reference="I.3")
    shown = timeline(html_of(client, f"/zh-hans{outcome.get_absolute_url()}"))
    report = LaterReport.objects.reviewed().filter(outcomes=outcome).first()
    assert report.summary_zh in shown and report.summary not in shown
    assert '<h2 id="later-heading">后续进展</h2>' in shown
    assert 'href="/zh-hans/about/#reading-continued">仍在进行</a>' in shown


def test_a_report_waiting_for_review_is_on_no_page_citation_or_feed(client):
    outcome = Outcome.objects.get(reference="I.3")
    new_report(outcome, reviewed=False, title="A report no second editor has read")
    for url in [
        outcome.get_absolute_url(),
        f"/zh-hans{outcome.get_absolute_url()}",
        f"{outcome.get_absolute_url()}cite.csl.json",
        f"{outcome.get_absolute_url()}cite.bib",
        "/outcomes/feed.atom",
        f"{outcome.get_absolute_url()}feed.atom",
    ]:
        assert "no second editor" not in client.get(url).content.decode(), url


def test_an_outcome_never_searched_differs_from_one_searched_in_vain(client):
    outcome = Outcome.objects.get(reference="II.1")
    assert not LaterReport.objects.reviewed().filter(outcomes=outcome).exists()
    shown = timeline(html_of(client, outcome.get_absolute_url()))
    assert (
        'No later report found (searched on <time datetime="2026-12-07">7 December 2026</time>).'
        in shown
    )
    assert "Not searched yet" not in shown
    outcome.later_searches.all().delete()
    shown = timeline(html_of(client, outcome.get_absolute_url()))
    assert "Not searched yet for later reports." in shown and "No later report found" not in shown
    shown = timeline(html_of(client, f"/zh-hans{outcome.get_absolute_url()}"))
    assert "尚未查找后续报道。" in shown


def test_each_report_cites_its_source_in_three_styles_and_the_outcome_cites_them_all(client):
    outcome = Outcome.objects.get(reference="I.3")
    html = html_of(client, outcome.get_absolute_url())
    reports = list(LaterReport.objects.reviewed().filter(outcomes=outcome))
    for report in reports:
        item = timeline(html)[timeline(html).index(f'id="report-{report.pk}"') :]
        details = item[item.index('<details class="cite-report">') : item.index("</details>")]
        assert "<summary>Cite this source</summary>" in details
        for style in ["APA:", "Chicago (author-date):", "GB/T 7714-2015:"]:
            assert style in details
        assert details.count(report.url) == 3
    cite = html[html.index('<section class="cite"') :]
    assert "then the later reports it shows" in cite and "Download them all" in cite
    assert all(cite.count(report.url) == 3 for report in reports)  # one per style
    items = json.loads(client.get(f"{outcome.get_absolute_url()}cite.csl.json").content)
    assert [item["URL"] for item in items[2:]] == [report.url for report in reports]
    assert items[2]["author"] == [{"literal": reports[0].publisher}]


def test_an_outcome_without_reports_cites_what_it_always_did(client):
    outcome = Outcome.objects.get(reference="II.1")
    html = html_of(client, outcome.get_absolute_url())
    cite = html[html.index('<section class="cite"') :]
    assert "Two things to cite: the catalogue’s record of this item" in cite
    assert "then the later reports" not in cite
    assert "Download both for a reference manager" in cite
    assert len(json.loads(client.get(f"{outcome.get_absolute_url()}cite.csl.json").content)) == 2


def test_the_outcome_page_costs_the_same_queries_however_many_reports(
    client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    outcome = Outcome.objects.get(reference="II.1")
    new_report(outcome)
    with CaptureQueriesContext(connection) as one:
        client.get(outcome.get_absolute_url())
    for number in range(2, 7):
        new_report(outcome, number=number)
    with django_assert_num_queries(len(one)):
        shown = timeline(client.get(outcome.get_absolute_url()).content.decode())
    assert shown.count('class="timeline-report"') == 6


def reported_per_category():
    reported = LaterReport.objects.reviewed().values("outcomes")
    counts = (
        Outcome.objects.filter(pk__in=reported).values("category__slug").annotate(n=Count("pk"))
    )
    return {row["category__slug"]: row["n"] for row in counts}


def home_chart(client, prefix=""):
    html = html_of(client, f"{prefix}/")
    chart = html[html.index('<figure class="bars shares">') :]
    chart = chart[: chart.index("</figure>")]
    return re.findall(
        r'\?category=([a-z]+)&amp;later=reported">[^<]+</a>.*?<rect width="([\d.]+)".*?'
        r'<span class="value">(\d+)\D+(\d+)[^<]*</span>',
        chart,
        re.S,
    )


def test_the_home_chart_counts_the_outcomes_with_a_reviewed_report_per_category(client):
    expected = reported_per_category()
    totals = dict(Category.objects.annotate(n=Count("outcomes")).values_list("slug", "n"))
    bars = home_chart(client)
    assert len(bars) == Category.objects.count() == 5
    for slug, percent, part, whole in bars:
        assert int(part) == expected.get(slug, 0) and int(whole) == totals[slug]
        assert float(percent) == round(100 * int(part) / int(whole), 1)
    assert "3 of 8" in html_of(client, "/")
    assert home_chart(client, "/zh-hans")  # “8 项中 3 项”: the same numbers


def test_the_home_chart_counts_a_report_once_reviewed(client):
    outcome = Outcome.objects.get(reference="II.1")  # capacity: 1 of 11 so far
    before = {slug: int(part) for slug, _, part, _ in home_chart(client)}
    report = new_report(outcome, reviewed=False)
    assert {slug: int(part) for slug, _, part, _ in home_chart(client)} == before
    report.reviewed_by_name, report.reviewed = "Second editor", date(2026, 12, 9)
    report.save()
    after = {slug: int(part) for slug, _, part, _ in home_chart(client)}
    assert after == {**before, "capacity": before["capacity"] + 1}


@pytest.mark.parametrize("url", ["/", "/countries/"])
def test_the_map_can_show_the_countries_whose_outcomes_have_later_reports(client, url):
    html = html_of(client, url)
    assert '<fieldset class="map-layers">' in html
    assert 'type="radio" name="map-layer" value="later" class="layer-later"' in html
    reported = LaterReport.objects.reviewed().values("outcomes")
    expected = {
        code: Outcome.objects.filter(pk__in=reported, countries__code=code).count()
        for code in later_links(html)
    }
    assert {code: later for code, (later, _) in later_links(html).items()} == expected
    assert {code for code, (_, marked) in later_links(html).items() if marked} == {
        code for code, n in expected.items() if n
    }
    assert expected["MM"] >= 1 and expected["KH"] >= 1
    assert '<ul class="legend legend-later"' in html


def test_the_map_label_and_table_say_how_many_outcomes_have_later_reports(client):
    html = html_of(client, "/countries/")
    assert re.search(r'aria-label="Myanmar: 4 outcomes, \d with (a )?later reports?"', html)
    assert re.search(
        r'>Myanmar</a></td><td data-label="Outcomes">4</td>'
        r'<td data-label="With later reports">\d</td>',
        html,
    )


def test_the_map_option_is_in_chinese_too(client):
    html = html_of(client, "/zh-hans/countries/")
    assert "<legend>地图显示</legend>" in html and "有后续报道的成果</label>" in html
    assert re.search(r'aria-label="缅甸：4 项成果，其中 \d 项有后续报道"', html)
    assert "有成果在此开展，但尚无后续报道" in html


def test_a_region_map_has_no_layer_option(client):
    assert "map-layers" not in html_of(client, "/regions/mekong/")


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/atom+xml"
    )
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def test_a_newly_reviewed_report_is_an_entry_of_the_catalogue_and_the_outcome_feed(client):
    outcome = Outcome.objects.get(reference="II.1")
    report = new_report(outcome, reviewed=False)
    assert not any(
        "Example Daily" in entry.title for entry in parsed(client, "/outcomes/feed.atom").entries
    )
    report.reviewed_by_name, report.reviewed = "Second editor", date(2026, 12, 9)
    report.save()
    for url in ["/outcomes/feed.atom", f"{outcome.get_absolute_url()}feed.atom"]:
        first = parsed(client, url).entries[0]
        assert first.title == (
            f"Later report on II.1 {outcome.title}: expanded (Example Daily, 1 May 2023)"
        ), url
        assert first.link == f"http://testserver{outcome.get_absolute_url()}#report-{report.pk}"
        assert "twelve schools now run" in first.summary and report.url in first.summary
    country = outcome.countries.first()
    entries = parsed(client, f"/countries/{country.code.lower()}/feed.atom").entries
    assert entries[0].link.endswith(f"#report-{report.pk}")


def test_an_outcome_feed_holds_only_that_outcome_and_is_linked_from_its_page(client):
    outcome = Outcome.objects.get(reference="I.3")
    html = html_of(client, outcome.get_absolute_url())
    feed_url = f"{outcome.get_absolute_url()}feed.atom"
    assert (
        '<link rel="alternate" type="application/atom+xml"' in html and f'href="{feed_url}"' in html
    )
    entries = parsed(client, feed_url).entries
    assert {entry.link.split("#")[0] for entry in entries} == {
        f"http://testserver{outcome.get_absolute_url()}"
    }
    assert sum(entry.title.startswith("Later report on I.3") for entry in entries) == 2
    assert client.get("/outcomes/no-such-outcome/feed.atom").status_code == 404


def test_an_outcome_feed_at_an_earlier_slug_redirects(client):
    outcome = Outcome.objects.get(reference="I.3")
    old = outcome.slug
    outcome.slug = "renamed-item"
    outcome.save()
    assert (
        client.get(f"/outcomes/{old}/feed.atom")["Location"] == "/outcomes/renamed-item/feed.atom"
    )


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["Continued</dt>", "Contradicts</dt>"]),
        ("/zh-hans", ["仍在进行</dt>", "与文件不符</dt>"]),
    ],
)
def test_the_about_page_gives_each_readings_rule(client, prefix, words):
    html = html_of(client, f"{prefix}/about/")
    for reading in ["continued", "expanded", "delivered", "changed", "ended", "contradicts"]:
        assert re.search(rf'<dt id="reading-{reading}">[^<]+</dt><dd>[^<]{{12,}}</dd>', html)
    for word in words:
        assert word in html
