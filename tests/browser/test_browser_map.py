"""The world map and the bar charts as drawn by a real Chromium: a linked country shows
hover and keyboard focus, a tiny country can be seen and tapped on a phone, and a bar's
label sits with its own bar. Needs Debian's Chromium; skipped without it, except in CI.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
OUTLINE = "el => [getComputedStyle(el).stroke, getComputedStyle(el).strokeWidth]"


def map_link(page, code, prefix=""):
    """A country's link on the map: its shape (and its dot); a small country's tap disc is
    another link to the same page, `a.tap`, under every shape."""
    return page.locator(f'.world-map a:not(.tap)[href="{prefix}/countries/{code}/"]')


def tab_to(page, selector, limit=200):
    """Press Tab until the focused element matches `selector`, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


@pytest.mark.parametrize("code", ["cn", "sc"])
def test_keyboard_focus_changes_the_outline_of_a_shaded_country(page, live_catalogue, code):
    page.goto(live_catalogue + "/")
    link = map_link(page, code)
    shape = link.locator("path")
    marks = link.locator("circle")
    before = shape.evaluate(OUTLINE), [mark.evaluate(OUTLINE) for mark in marks.all()]
    tab_to(page, f'.world-map a[href="/countries/{code}/"]')
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    after = shape.evaluate(OUTLINE), [mark.evaluate(OUTLINE) for mark in marks.all()]
    assert after[0] != before[0], f"the focused shape keeps its outline {before[0]}"
    for mark_before, mark_after in zip(before[1], after[1], strict=True):
        assert mark_after != mark_before, f"the focused mark keeps its outline {mark_before}"


def test_hovering_a_shaded_country_changes_its_outline(page, live_catalogue):
    page.goto(live_catalogue + "/")
    shape = map_link(page, "cn").locator("path")
    before = shape.evaluate(OUTLINE)
    shape.hover()
    after = shape.evaluate(OUTLINE)
    assert after != before, f"the hovered shape keeps its outline {before}"


@pytest.mark.parametrize("code", ["sc", "mu", "kh"])
def test_a_small_country_with_outcomes_can_be_seen_and_tapped_on_a_phone(
    browser, live_catalogue, code
):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(live_catalogue + "/")
    assert map_link(page, code).count() == 1
    disc = page.locator(f'.world-map a.tap[href="/countries/{code}/"]')
    disc.scroll_into_view_if_needed()
    box = disc.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(rf"/countries/{code}/$"))
    context.close()


WHERE_A_TAP_LANDS = """([x, y]) => {
    const link = document.elementFromPoint(x, y)?.closest("a");
    return link ? link.getAttribute("href") : null;
}"""

# Whether a point of the screen lies on the country's own shape (its fill, whatever is
# drawn over it).
ON_THE_SHAPE = """(shape, [x, y]) => {
    const point = new DOMPoint(x, y).matrixTransform(shape.getScreenCTM().inverse());
    return shape.isPointInFill(point);
}"""


@pytest.mark.parametrize(
    ("path", "viewport"),
    [("/", {"width": 1366, "height": 768}), ("/countries/", {"width": 1024, "height": 768}),
     ("/zh-hans/", {"width": 1366, "height": 768}), ("/", PHONE)],
)  # fmt: skip
def test_a_tap_on_a_countrys_own_shape_opens_that_country_never_a_neighbours_disc(
    browser, live_catalogue, path, viewport
):
    """49 taps around Myanmar's centre (the country with most outcomes, near the discs
    of Cambodia, Nepal and Sri Lanka), within 12 px on a wide map and within a quarter of
    its shape's size on a phone's, all open Myanmar: a disc never covers a shape."""
    context = browser.new_context(viewport=viewport, has_touch=True)
    page = context.new_page()
    page.goto(live_catalogue + path)
    prefix = "/zh-hans" if path.startswith("/zh-hans") else ""
    myanmar = map_link(page, "mm", prefix).locator("path")
    myanmar.scroll_into_view_if_needed()
    box = myanmar.bounding_box()
    # Its centre: the middle of the points of its bounding box that are on its shape.
    inside = [
        (box["x"] + box["width"] * i / 20, box["y"] + box["height"] * j / 20)
        for i in range(21)
        for j in range(21)
        if myanmar.evaluate(
            ON_THE_SHAPE, [box["x"] + box["width"] * i / 20, box["y"] + box["height"] * j / 20]
        )
    ]
    x, y = (sum(p[0] for p in inside) / len(inside), sum(p[1] for p in inside) / len(inside))
    reach = min(12, box["width"] / 4, box["height"] / 4)
    taps = [(x + dx * reach / 3, y + dy * reach / 3) for dx in range(-3, 4) for dy in range(-3, 4)]
    on_it = [tap for tap in taps if myanmar.evaluate(ON_THE_SHAPE, list(tap))]
    assert len(on_it) >= 40, f"only {len(on_it)} of 49 taps fall on Myanmar's shape"
    landed = [page.evaluate(WHERE_A_TAP_LANDS, list(tap)) for tap in on_it]
    assert landed == [f"{prefix}/countries/mm/"] * len(on_it), sorted(set(map(str, landed)))
    # Every disc names its country, for a pointer's tooltip.
    titles = page.locator(".world-map a.tap title").evaluate_all("ts => ts.map(t => t.textContent)")
    assert titles and all(title.strip() for title in titles)
    context.close()


@pytest.mark.parametrize("path", ["/", "/countries/", "/organizations/"])
def test_on_a_phone_each_bar_sits_under_its_own_label(browser, live_catalogue, path):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_catalogue + path)
    rows = page.locator(".bars li").all()
    assert len(rows) > 2
    labels = [row.locator("> a, > span:not(.value)").bounding_box() for row in rows]
    bars = [row.locator("svg.bar").bounding_box() for row in rows]
    for i, label in enumerate(labels):
        label_bottom = label["y"] + label["height"]

        def gap(bar, bottom=label_bottom, top=label["y"]):
            """Vertical distance between the label and a bar (0 if they overlap)."""
            return max(bar["y"] - bottom, top - (bar["y"] + bar["height"]), 0)

        own = gap(bars[i])
        assert own <= 4, f"row {i}: label is {own}px from its bar"
        others = [gap(bar) for j, bar in enumerate(bars) if j != i]
        assert min(others) >= own + 8, f"row {i}: another bar is nearly as close ({others})"
    context.close()
