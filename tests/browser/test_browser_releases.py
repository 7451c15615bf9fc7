"""The release pages in a real Chromium: axe-core (WCAG 2.1 A and AA) finds nothing, in both
languages, and on a phone no release page scrolls sideways."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import publish_releases
from tests.site import RELEASE_PAGES, WCAG

pytestmark = pytest.mark.browser


@pytest.fixture
def released(live_catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    publish_releases()
    return live_catalogue


def test_release_pages_have_no_axe_violations_and_fit_a_phone(browser, released):
    axe, problems = Axe(), []
    desk = browser.new_page()
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    ).new_page()
    for name, path in RELEASE_PAGES.items():
        desk.goto(released + path)
        results = axe.run(desk, options=WCAG)
        for violation in results.response["violations"]:
            problems += [
                f"{name}: {violation['id']} at {node['target']}" for node in violation["nodes"]
            ]
        phone.goto(released + path)
        if (width := phone.evaluate("document.documentElement.scrollWidth")) > 360:
            problems.append(f"{name} is {width}px wide on a phone")
    assert not problems, "\n".join(problems)
