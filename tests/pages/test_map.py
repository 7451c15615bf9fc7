"""The world map and the charts: drawn on the server from the current data."""

import gzip
import json
import math
import re
from itertools import pairwise

import pytest

from outcomes.maps import WORLD, shade_bins
from outcomes.models import Country, Outcome

pytestmark = pytest.mark.django_db

LINK = re.compile(
    r'<a href="/countries/([a-z]{2})/" aria-label="([^"]+): (\d+) outcomes?'
    r'(?:, (\d+) with (?:a )?later reports?)?">\s*<path class="land shade-(\d)[^"]*?( later)?"'
)


def map_links(html):
    svg = html[html.index('<figure class="world-map">') : html.index("</svg>")]
    return {code.upper(): int(count) for code, _, count, *_ in LINK.findall(svg)}, svg


def later_links(html):
    """{code: (outcomes with later reports in the link's label, its shape marked `later`)}"""
    _, svg = map_links(html)
    return {
        code.upper(): (int(later or 0), bool(marked))
        for code, _, _, later, _, marked in LINK.findall(svg)
    }


def named_counts():
    return {
        code: Outcome.objects.filter(countries__code=code).count()
        for code in Country.objects.with_outcomes().values_list("code", flat=True)
    }


@pytest.mark.parametrize("url", ["/", "/countries/"])
def test_every_country_with_outcomes_is_a_link_on_the_map_with_its_count(client, url):
    links, _ = map_links(client.get(url).content.decode())
    assert links == named_counts()
    # China is a place only where the work happens there (IV.6), not for its members.
    assert links["MM"] == 4 and links["CN"] == 1 and links["SC"] == 1 and links["RU"] == 1
    # A country only in a joint body's name is no place (IV.2 Mongolia, V.8 Tanzania).
    assert "MN" not in links and "TZ" not in links


def test_a_country_without_outcomes_is_drawn_but_not_shaded(client):
    _, svg = map_links(client.get("/").content.decode())
    assert 'href="/countries/vn/"' not in svg
    viet_nam = re.search(r'<path class="land" d="[^"]+" aria-hidden="true"/>', svg)
    assert viet_nam and "shade" not in viet_nam[0]


def test_the_map_reflects_an_edit_at_once(client):
    client.get("/")
    Outcome.objects.get(reference="V.4").countries.add(Country.objects.get(code="BR"))
    links, _ = map_links(client.get("/").content.decode())
    assert links["BR"] == 1


def test_a_region_page_highlights_its_members(client):
    html = client.get("/regions/mekong/").content.decode()
    members = re.findall(r'class="land[^"]*\bmember\b', html)
    assert len(members) == 6
    assert "member of this region" in html


def test_the_legend_explains_the_shades():
    assert shade_bins(12) == [(1, 1), (2, 3), (4, 7), (8, 12)]
    assert shade_bins(1) == [(1, 1)]
    assert shade_bins(0) == []


def test_the_map_has_a_table_of_the_same_numbers(client):
    html = client.get("/countries/").content.decode()
    table = html[html.index("<caption>Outcomes per country") :]
    rows = re.findall(
        r'<a href="/countries/([a-z]{2})/">[^<]+</a></td><td data-label="Outcomes">(\d+)</td>',
        table,
    )
    assert {code.upper(): int(n) for code, n in rows} == named_counts()


def test_category_bars_link_to_each_category_with_its_count(client):
    html = client.get("/").content.decode()
    chart = html[html.index("<figcaption>Outcomes per category") :]
    bars = re.findall(
        r'<a href="/categories/([a-z]+)/">[^<]+</a>\s*<svg[^>]*><rect width="([\d.]+)"', chart
    )
    assert [slug for slug, _ in bars] == [
        "livelihood",
        "capacity",
        "development",
        "culture",
        "mechanism",
    ]
    assert dict(bars)["capacity"] == "100.0"  # the largest, 11 outcomes
    assert '<span class="value">11</span>' in chart


def test_organization_types_are_charted(client):
    html = client.get("/organizations/").content.decode()
    assert "<figcaption>Organizations by type</figcaption>" in html
    assert '<a href="?type=foundation">Foundation</a>' in html


def test_the_map_asset_is_small():
    assert len(gzip.compress(WORLD.read_bytes())) < 150_000


STEP = re.compile(r"[MmLlZz]|-?(?:\d+\.?\d*|\.\d+)")


def subpaths(data):
    """The rings of an SVG path written by tools/map/build_map.py (M, m, l, Z only), as
    lists of absolute points; a move inside a ring (not after Z) is kept as a step."""
    rings, ring, command, x, y = [], [], "", 0.0, 0.0
    tokens = STEP.findall(data)
    numbers = iter(tokens)
    for token in numbers:
        if token in "MmLlZz":
            command = token
            if token in "Zz":
                rings.append(ring)
                ring, (x, y) = [], ring[0]
            continue
        dx, dy = float(token), float(next(numbers))
        if command in "Mm" and not ring:
            x, y = (x + dx, y + dy) if command == "m" else (dx, dy)
        else:
            x, y = (x + dx, y + dy) if command.islower() else (dx, dy)
        ring.append((x, y))
    assert not ring, "every ring ends with Z"
    return rings


def test_no_country_is_drawn_across_the_map():
    """A shape crossing the 180th meridian (Russia, Fiji) is cut there when the map is
    built: no step of a ring jumps across the map, and every ring ends where it starts,
    so that filling it closes no long chord (the wedge Russia once had)."""
    world = json.loads(WORLD.read_text())
    width = float(world["viewBox"].split()[2])
    wide, open_ = [], []
    for code, data in world["countries"].items():
        for ring in subpaths(data):
            steps = list(pairwise(ring))
            if any(abs(x2 - x1) > width / 2 for (x1, _), (x2, _) in steps):
                wide.append(code)
            (x1, y1), (x2, y2) = ring[-1], ring[0]
            if math.hypot(x2 - x1, y2 - y1) > 2:  # a tiny island's triangle closes by 1.6
                open_.append(code)
    assert not wide, f"rings jumping across the map: {sorted(set(wide))}"
    assert not open_, f"rings whose closing line is long: {sorted(set(open_))}"


def test_a_small_country_with_outcomes_has_a_mark_and_a_tap_disc_under_every_shape(client):
    """Seychelles, Mauritius and Cambodia are too small to see or tap on a phone: each
    link holds a mark at the country's centroid, drawn after every shape (on top), and a
    second link, out of the Tab order, holds its tap disc, drawn before every shape
    (beneath): a disc never covers another country's shape (issue 26)."""
    links, svg = map_links(client.get("/").content.decode())
    first_shape = svg.index("<path")
    for code in ["sc", "mu", "kh"]:
        assert svg.count(f'href="/countries/{code}/"') == 2
        link = re.search(rf'<a href="/countries/{code}/" aria-label[^>]*>(.*?)</a>', svg, re.S)[1]
        assert re.search(
            r'<circle class="mark shade-\d( later)?" cx="\d+" cy="\d+" r="7.5"/>', link
        )
        tap = re.search(rf'<a href="/countries/{code}/" class="tap" tabindex="-1"', svg)
        assert tap and tap.start() < first_shape
    after_first_mark = svg[svg.index('<circle class="mark') :]  # only other marked countries
    assert after_first_mark.count("<path") == after_first_mark.count('class="mark') - 1
    small = set(json.loads(WORLD.read_text())["marks"])
    assert "CN" not in small and "KH" in small
    assert svg.count('class="target"') == len(small & set(links))
