"""Later reports in a real Chromium: the outcome's timeline and the map's option pass axe
in both languages with everything open, fit a phone, and work by keyboard alone. Needs
Debian's Chromium; skipped without it, except in CI."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_browser_map import PHONE, tab_to
from tests.site import WCAG

pytestmark = pytest.mark.browser

# Two reports (I.3, with figures in Chinese words) and one (I.1); II.1 has none found.
OUTCOMES = [
    "/outcomes/brightness-action-free-cataract-surgeries-on-the-mekong-river/",
    "/outcomes/nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation/",
    "/outcomes/job-creation-in-cambodia-and-womens-opportunities-in-uzbekistan/",
]
FILL = "el => getComputedStyle(el).fill"


def open_everything(page):
    for details in page.locator("details").all():
        details.evaluate("el => el.open = true")


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_the_timeline_and_the_map_option_have_no_axe_violations(page, live_catalogue, prefix):
    axe = Axe()
    problems = []
    for path in OUTCOMES:
        page.goto(live_catalogue + prefix + path)
        open_everything(page)
        results = axe.run(page, options=WCAG)
        if results.violations_count:
            problems.append(f"{path}:\n{results.generate_report()}")
    for path in ["/", "/countries/"]:
        page.goto(live_catalogue + prefix + path)
        page.locator(".layer-later").check()
        results = axe.run(page, options=WCAG)
        if results.violations_count:
            problems.append(f"{path} (later reports shown):\n{results.generate_report()}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_on_a_phone_the_open_timeline_does_not_scroll_sideways(browser, live_catalogue, prefix):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    for path in [*OUTCOMES, "/", "/countries/"]:
        page.goto(live_catalogue + prefix + path)
        open_everything(page)
        if page.locator(".layer-later").count():
            page.locator(".layer-later").tap()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{prefix}{path} is {width}px wide"
    context.close()


def test_cite_this_source_opens_by_keyboard(page, live_catalogue):
    page.goto(live_catalogue + OUTCOMES[0])
    summary = page.locator(".cite-report summary").first
    citation = page.locator(".cite-report").first.locator(".citation").first
    expect(citation).to_be_hidden()
    tab_to(page, ".cite-report summary")
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    outline = summary.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused summary shows no outline"
    page.keyboard.press("Enter")
    expect(citation).to_be_visible()
    expect(citation).to_contain_text("APA:")


@pytest.mark.parametrize(
    ("prefix", "option"), [("", "Outcomes with later reports"), ("/zh-hans", "有后续报道的成果")]
)
def test_the_map_shows_the_countries_with_later_reports_by_keyboard(
    page, live_catalogue, prefix, option
):
    page.goto(live_catalogue + prefix + "/")
    reported = page.locator(".world-map path.later").first
    unreported = page.locator('.world-map path[class*="shade-"]:not(.later)').first
    before = reported.evaluate(FILL), unreported.evaluate(FILL)
    expect(page.locator(".legend-later")).to_be_hidden()
    tab_to(page, ".map-layers input[value=outcomes]")
    page.keyboard.press("ArrowRight")  # radios: the arrow keys choose
    expect(page.get_by_role("radio", name=option)).to_be_checked()
    after = reported.evaluate(FILL), unreported.evaluate(FILL)
    assert after[0] != before[0] and after[1] != before[1]
    assert after[0] != after[1], "with later reports and without look the same"
    expect(page.locator(".legend-later")).to_be_visible()
    expect(page.locator(".legend-outcomes")).to_be_hidden()
