"""axe-core (WCAG 2.1 A and AA) finds nothing on any public page type, and the browser
console stays clean. Needs Debian's Chromium; skipped without it, except in CI."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.site import CHINESE_PAGES, PAGES, WCAG

pytestmark = pytest.mark.browser


def test_every_public_page_type_has_no_axe_violations_and_no_console_errors(page, live_catalogue):
    axe = Axe()
    problems = []
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    for name, path in {**PAGES, **CHINESE_PAGES}.items():
        console.clear()
        page.goto(live_catalogue + path)
        page.wait_for_load_state("networkidle")
        results = axe.run(page, options=WCAG)
        if results.violations_count:
            problems.append(f"{name} ({path}):\n{results.generate_report()}")
        for violation in results.response["violations"]:
            for node in violation["nodes"]:
                problems.append(f"{name}: {violation['id']} at {node['target']}")
        # The 404 page's own status is expected; anything else is an error.
        errors = [text for text in console if not (name.startswith("404") and "404" in text)]
        if errors:
            problems.append(f"{name} ({path}) console: {errors}")
    assert not problems, "\n".join(problems)
