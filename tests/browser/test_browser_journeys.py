"""What people meet in a real Chromium: visitors' and an editor's journeys.

Needs Debian's Chromium (/usr/bin/chromium); skipped without it, except in CI.
"""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import EDITOR_PASSWORD, totp
from tests.site import PAGES

pytestmark = pytest.mark.browser


def listed_references(page):
    return page.locator(".outcome .ref").all_inner_texts()


def all_listed_references(page):
    """References on every page of the current list, following "Next"."""
    references = listed_references(page)
    while page.locator("a[rel=next]").count():
        page.click("a[rel=next]")
        references += listed_references(page)
    return references


def downloaded_rows(download):
    return list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))


def facet_checkbox(page, facet, label):
    return page.locator("fieldset.facet", has=page.get_by_text(facet, exact=True)).get_by_label(
        re.compile(rf"^{re.escape(label)} \(\d+\)$")
    )


def test_a_newcomer_browses_from_home_to_a_filtered_list(page, live_catalogue):
    page.goto(live_catalogue + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cooperation outcomes of SIRONET member organizations"
    )
    page.get_by_role("link", name="IV. Cultural Exchange").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("IV. Cultural Exchange")
    page.get_by_role("link", name=re.compile("IV.4 Acupuncture")).click()
    expect(page.locator("blockquote")).to_contain_text("Italy, Russia, Mauritius and Seychelles")
    page.get_by_role("link", name="The World Federation of Acupuncture-Moxibustion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The World Federation of Acupuncture-Moxibustion"
    )
    page.go_back()
    page.locator("dd").get_by_role("link", name="Italy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Italy")
    page.get_by_role("link", name="Filter or download these outcomes").click()
    expect(page).to_have_url(re.compile(r"/outcomes/\?country=it$"))
    expect(page.locator(".results-count")).to_have_text("1 outcome")
    assert listed_references(page) == ["IV.4"]


def test_a_visitor_filters_reads_facets_removes_a_chip_sorts_pages_and_downloads(
    page, live_catalogue
):
    page.goto(live_catalogue + "/outcomes/")
    facet_checkbox(page, "Country", "Myanmar").check()
    facet_checkbox(page, "Country", "Cambodia").check()
    facet_checkbox(page, "Category", "Capacity Building and Talent Exchanges").check()
    page.get_by_role("button", name="Apply filters").last.click()

    expect(page.locator(".results-count")).to_have_text("2 outcomes")
    assert listed_references(page) == ["II.1", "II.10"]
    # Facet counts: what choosing each value would give under the other filters.
    expect(facet_checkbox(page, "Category", "Livelihood Cooperation and Donation")).to_be_visible()
    expect(page.locator("fieldset.facet").filter(has_text="Category")).to_contain_text(
        "Livelihood Cooperation and Donation (3)"
    )
    expect(page.locator("fieldset.facet").filter(has_text="Country")).to_contain_text(
        "Uzbekistan (1)"
    )

    page.get_by_role("link", name="Remove filter Country: Cambodia").click()
    expect(page.locator(".results-count")).to_have_text("1 outcome")
    assert listed_references(page) == ["II.10"]

    page.get_by_label("Sort by").select_option("title")
    page.get_by_role("button", name="Apply filters").last.click()
    expect(page).to_have_url(re.compile(r"sort=title"))

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = downloaded_rows(download.value)
    assert [row["reference"] for row in rows] == listed_references(page)

    page.get_by_role("link", name="Clear all").click()
    expect(page.locator(".results-count")).to_have_text("37 outcomes")
    expect(page.locator(".pagination")).to_contain_text("Page 1 of 2")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = downloaded_rows(download.value)
    assert [row["reference"] for row in rows] == all_listed_references(page)
    expect(page.locator(".pagination")).to_contain_text("Page 2 of 2")


def test_the_same_filtering_with_the_keyboard_alone(page, live_catalogue):
    page.goto(live_catalogue + "/outcomes/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))

    def tab_to(locator):
        for _ in range(80):
            page.keyboard.press("Tab")
            if locator.evaluate("element => element === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {locator}")

    myanmar = facet_checkbox(page, "Country", "Myanmar")
    tab_to(myanmar)
    expect(myanmar).to_be_focused()
    page.keyboard.press("Space")
    expect(myanmar).to_be_checked()
    assert "?" not in page.url  # nothing applies on change
    # A control that applies the filters is one Tab away from the box just ticked.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Apply filters")
    page.keyboard.press("Enter")
    expect(page.locator(".results-count")).to_have_text("4 outcomes")
    assert listed_references(page) == ["I.1", "I.2", "I.8", "II.10"]

    # Also the outcomes that reach Myanmar through a grouping, by keyboard too.
    reach = page.get_by_role("checkbox", name=re.compile("^Also outcomes that reach"))
    tab_to(reach)
    page.keyboard.press("Space")
    expect(reach).to_be_checked()
    tab_to(page.get_by_role("button", name="Apply filters").last)
    page.keyboard.press("Enter")
    expect(page.locator(".results-count")).to_have_text("6 outcomes")
    assert sorted(listed_references(page)) == sorted(["I.1", "I.2", "I.8", "II.10", "I.3", "IV.5"])
    expect(page.locator(".via").first).to_contain_text("reaches Myanmar via")
    expect(
        page.get_by_role("link", name=re.compile("Reach: also through groupings"))
    ).to_be_visible()


def test_on_a_phone_no_page_scrolls_sideways_and_filters_work(browser, live_catalogue):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    for path in PAGES.values():  # every public page type
        page.goto(live_catalogue + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide"
    page.goto(live_catalogue + "/outcomes/")
    facet_checkbox(page, "Status", "Planned").check()
    page.get_by_role("button", name="Apply filters").first.click()
    expect(page.locator(".results-count")).to_have_text("1 outcome")
    # It lands on the results, with the filters folded away (two screens of them).
    expect(page.locator(".results-count")).to_be_in_viewport()
    assert page.evaluate("document.querySelector('details.filter-panel').open") is False
    assert (
        page.evaluate("document.querySelector('.results-count').getBoundingClientRect().top") < 200
    )
    # The grouping-reach option is there, and can be tapped, on a phone too.
    page.goto(live_catalogue + "/outcomes/?country=th")
    expect(page.locator(".results-count")).to_have_text("0 outcomes")
    page.get_by_role("checkbox", name=re.compile("^Also outcomes that reach")).tap()
    page.get_by_role("button", name="Apply filters").first.tap()
    expect(page.locator(".results-count")).to_have_text("2 outcomes")
    context.close()


def log_in_as_an_editor(page, live_catalogue, django_user_model):
    """An account in the Editors group, with its authenticator, logged in at the login page
    the admin sends staff to: the password, then the authenticator's code."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    editor = django_user_model.objects.create_user("edith", password=EDITOR_PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    TOTPDevice.objects.create(user=editor, name="default")
    page.goto(live_catalogue + "/admin/")
    page.get_by_label("Username").fill("edith")
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Token").fill(totp(editor))
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Catalogue editing")).to_be_visible()


def test_an_editor_corrects_a_title_and_sees_it_in_public_and_in_the_history(
    page, live_catalogue, django_user_model
):
    log_in_as_an_editor(page, live_catalogue, django_user_model)
    page.get_by_role("link", name="Outcomes", exact=True).first.click()
    page.get_by_role("link", name="I.1", exact=True).click()
    page.locator("#id_title").fill("Nine schools co-built by CFPD and a Myanmar foundation")
    page.get_by_role("button", name="Save", exact=True).click()
    # Every public change says why.
    expect(page.locator(".errorlist")).to_contain_text("Say why, for the public correction")
    page.get_by_label("Reason for this change").fill("Title names both builders")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(live_catalogue + "/outcomes/?q=alinyaung")
    page.get_by_role("link", name=re.compile("Nine schools co-built by CFPD")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "I.1 Nine schools co-built by CFPD and a Myanmar foundation"
    )

    page.goto(live_catalogue + "/admin/outcomes/outcome/")
    page.get_by_role("link", name="I.1", exact=True).click()
    page.get_by_role("link", name="History").click()
    latest = page.locator("#change-history tbody tr").first
    expect(latest).to_contain_text("edith")
    expect(latest).to_contain_text("Title names both builders")
    expect(latest).to_contain_text("Nine schools co-built by CFPD and a Myanmar foundation")


def test_the_admin_change_form_fits_a_laptop_screen(browser, live_catalogue, django_user_model):
    """At 1,366 px wide, an outcome's change form shows every column, the Figures' and
    Mentions' "Delete" boxes and the Chinese unit included, without scrolling sideways."""
    from outcomes.models import Outcome

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in_as_an_editor(page, live_catalogue, django_user_model)
    for reference in ("I.3", "II.8", "V.1"):  # figures, mentions, Chinese units
        outcome = Outcome.objects.get(reference=reference)
        page.goto(f"{live_catalogue}/admin/outcomes/outcome/{outcome.pk}/change/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, f"{reference}: {width}px wide"
        for box in page.locator("td.delete input[type=checkbox], td input[name$=unit_zh]").all():
            right = box.evaluate("element => element.getBoundingClientRect().right")
            assert right <= 1366, f"{reference}: a field ends at {right}px"
    context.close()


def test_the_import_report_keeps_its_headers_readable(browser, live_catalogue, django_user_model):
    """A file with a bad row: the rows with problems show under headers that read as words,
    one line each, not a letter per line ("R O W")."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in_as_an_editor(page, live_catalogue, django_user_model)
    from outcomes.models import Outcome
    from outcomes.resources import OutcomeResource

    dataset = OutcomeResource().export(
        queryset=Outcome.objects.filter(reference__in=["I.1", "I.3"])
    )
    row = list(dataset[1])
    row[dataset.headers.index("countries")] = "MM;ZZ"  # no country ZZ: row 3's problem
    dataset[1] = tuple(row)
    page.goto(live_catalogue + "/admin/outcomes/outcome/import/")
    page.locator("input[type=file]").set_input_files(
        {"name": "outcomes.csv", "mimeType": "text/csv", "buffer": dataset.export("csv").encode()}
    )
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_label("Reason for this change").fill("A test import")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".import-problems")).to_contain_text("row 3")
    headers = page.locator(".import-scroll table th").all()
    assert headers
    for header in headers:
        height = header.evaluate("element => element.getBoundingClientRect().height")
        assert height < 40, f"{header.inner_text()!r} is {height}px tall"
    context.close()


def test_in_chinese_too_apply_is_one_tab_away_and_a_phone_lands_on_the_results(
    browser, page, live_catalogue
):
    page.goto(live_catalogue + "/zh-hans/outcomes/")
    myanmar = facet_checkbox(page, "国家", "缅甸")
    myanmar.focus()
    page.keyboard.press("Space")
    expect(myanmar).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("应用筛选")
    page.keyboard.press("Enter")
    expect(page.locator(".results-count")).to_contain_text("4")
    assert "/zh-hans/outcomes/?" in page.url and page.url.endswith("#results-heading")

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.goto(live_catalogue + "/zh-hans/outcomes/")
    facet_checkbox(phone, "状态", "计划中").check()
    phone.get_by_role("button", name="应用筛选").first.click()
    expect(phone.locator(".results-count")).to_be_in_viewport()
    assert phone.evaluate("document.querySelector('details.filter-panel').open") is False
    context.close()
