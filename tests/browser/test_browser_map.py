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


def map_link(page, code):
    return page.locator(f'.world-map a[href="/countries/{code}/"]')


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
    link = map_link(page, code)
    assert link.count() == 1
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24, box
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(rf"/countries/{code}/$"))
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
