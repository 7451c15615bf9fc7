"""The correction form, the catalogue's one public write, and the editors' inbox."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corrections.forms import CorrectionForm
from corrections.models import CorrectionReport, ReportStatus
from outcomes.models import Outcome
from tests.conftest import admin_form_data

pytestmark = pytest.mark.django_db

SLUG = "nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation"
OUTCOME_FORM = f"/outcomes/{SLUG}/correction/"
GENERAL_FORM = "/corrections/new/"
INBOX = "/admin/corrections/correctionreport/"


def send(client, url=GENERAL_FORM, address="192.0.2.1", **data):
    fields = {"what": "The year is wrong: the text says 2019.", **data}
    return client.post(url, fields, REMOTE_ADDR=address)


def test_a_report_about_an_outcome_is_stored_with_it(client):
    response = send(client, OUTCOME_FORM, source="https://example.org/page", email="a@example.org")
    assert response.status_code == 302
    assert response["Location"] == f"/corrections/thanks/?outcome={SLUG}"
    report = CorrectionReport.objects.get()
    outcome = Outcome.objects.get(slug=SLUG)
    assert report.outcome == outcome
    assert report.outcome_label == str(outcome)
    assert report.what == "The year is wrong: the text says 2019."
    assert report.source == "https://example.org/page"
    assert report.email == "a@example.org"
    assert report.status == ReportStatus.NEW
    # A salted hash, not the address.
    assert re.fullmatch(r"[0-9a-f]{64}", report.client)
    assert "192.0.2.1" not in report.client


def test_the_general_form_stores_a_report_about_no_outcome(client):
    assert send(client).status_code == 302
    report = CorrectionReport.objects.get()
    assert report.outcome is None
    assert str(report) == f"Report #{report.pk} about the catalogue"


def test_the_thank_you_page_says_what_happens_next(client):
    response = client.get(send(client)["Location"])
    assert response.status_code == 200
    assert "What happens next" in response.content.decode()


def test_an_unknown_outcome_has_no_form(client):
    assert client.get("/outcomes/no-such-outcome/correction/").status_code == 404
    assert send(client, "/outcomes/no-such-outcome/correction/").status_code == 404
    assert not CorrectionReport.objects.exists()


def test_the_links_lead_to_the_forms(client):
    outcome_page = client.get(f"/outcomes/{SLUG}/").content.decode()
    assert f'href="{OUTCOME_FORM}">Report a correction to I.1</a>' in outcome_page
    assert f'<a href="{GENERAL_FORM}">Report a correction</a>' in outcome_page  # the footer
    assert f'href="{GENERAL_FORM}"' in client.get("/about/").content.decode()


def test_the_form_names_its_outcome(client):
    page = client.get(OUTCOME_FORM).content.decode()
    assert "<h1>Report a correction to" in page
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_the_thanks_page_leads_back_to_the_outcome_reported(client, prefix):
    thanks = client.get(send(client, prefix + OUTCOME_FORM)["Location"]).content.decode()
    assert f'href="{prefix}/outcomes/{SLUG}/"' in thanks
    general = client.get(send(client, prefix + GENERAL_FORM, address="192.0.2.2")["Location"])
    assert f'href="{prefix}/outcomes/{SLUG}/"' not in general.content.decode()
    assert f'href="{prefix}/outcomes/"' in general.content.decode()
    unknown = client.get(f"{prefix}/corrections/thanks/?outcome=no-such-outcome")
    assert unknown.status_code == 200 and f'href="{prefix}/outcomes/"' in unknown.content.decode()


def test_the_honeypot_is_answered_like_success_and_nothing_is_kept(client):
    response = send(client, website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == "/corrections/thanks/"
    assert not CorrectionReport.objects.exists()


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(client):
    page = client.get(GENERAL_FORM).content.decode()
    trap = re.search(r'<div class="trap" aria-hidden="true">(.*?)</div>', page, re.S)[1]
    assert 'name="website"' in trap
    assert 'tabindex="-1"' in trap
    assert 'autocomplete="off"' in trap


def test_too_long_text_is_rejected_by_the_form_and_the_model(client):
    response = send(client, what="x" * 4001)
    assert response.status_code == 200
    assert "Please shorten this to 4,000 characters or fewer (it has 4001)." in (
        response.content.decode()
    )
    assert not CorrectionReport.objects.exists()
    with pytest.raises(ValidationError):
        CorrectionReport(what="x" * 4001, client="c").full_clean()


def test_line_breaks_count_once_so_a_full_textarea_fits(client):
    text = ("y" * 99 + "\r\n") * 40  # 4,000 characters as a browser counts them
    assert send(client, what=text).status_code == 302
    assert len(CorrectionReport.objects.get().what) == 3999  # the last line break is trimmed


def test_empty_text_is_refused_with_a_clear_message(client):
    response = send(client, what="  \x07 ")
    assert "Please say what is wrong." in response.content.decode()
    assert not CorrectionReport.objects.exists()


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.org/x", "data:,x"])
def test_a_source_link_must_be_a_web_address(client, link):
    response = send(client, source=link)
    assert "Please enter a web address starting with https:// or http://." in (
        response.content.decode()
    )
    assert not CorrectionReport.objects.exists()


def test_html_is_kept_as_typed_control_characters_are_removed_and_the_admin_escapes(
    client, admin_client
):
    typed = '<script>alert("x")</script>\x00\x1b[31m\u202eIt is <b>wrong</b>\ttoo'
    assert send(client, what=typed).status_code == 302
    report = CorrectionReport.objects.get()
    assert report.what == '<script>alert("x")</script>[31mIt is <b>wrong</b>\ttoo'
    page = admin_client.get(f"{INBOX}{report.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    changelist = admin_client.get(INBOX).content.decode()
    assert "&lt;b&gt;wrong&lt;/b&gt;" in changelist
    assert "<b>wrong</b>" not in changelist


def test_errors_echo_the_input_escaped(client):
    page = send(client, what="<img src=x onerror=alert(1)>", email="<svg>").content.decode()
    assert "<img src=x" not in page
    assert "<svg>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_report_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert send(client).status_code == 403
    assert not CorrectionReport.objects.exists()
    page = client.get(GENERAL_FORM).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert send(client, csrfmiddlewaretoken=token).status_code == 302
    assert CorrectionReport.objects.count() == 1


def test_the_sixth_report_within_the_hour_from_one_address_is_refused(client):
    for _ in range(5):
        assert send(client, OUTCOME_FORM).status_code == 302
    response = send(client)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600  # when the hour ends
    assert "Too many reports" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert CorrectionReport.objects.count() == 5
    # Another address still can.
    assert send(client, address="198.51.100.7").status_code == 302
    assert CorrectionReport.objects.count() == 6


def test_invalid_submissions_do_not_use_up_the_limit(client):
    for _ in range(6):
        response = send(client, what="")
        assert response.status_code == 200
        assert "Please say what is wrong." in response.content.decode()
    assert send(client)["Location"] == "/corrections/thanks/"
    assert CorrectionReport.objects.count() == 1


def test_behind_the_trusted_proxy_the_address_is_the_one_it_appended(client, settings):
    def flood(forwarded):
        return [
            client.post(
                GENERAL_FORM,
                {"what": "wrong"},
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR=forwarded,
            ).status_code
            for _ in range(6)
        ]

    # Without a trusted proxy, a forged header changes nothing: one address, the socket's.
    assert flood("203.0.113.1")[-1] == 429
    assert flood("1.2.3.4")[0] == 429
    # Behind the proxy, its own (last) entry counts; what the client put before it does not.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert flood("9.9.9.9, 203.0.113.2") == [302] * 5 + [429]
    assert flood("8.8.8.8, 203.0.113.3") == [302] * 5 + [429]


@pytest.mark.parametrize("url", [GENERAL_FORM, OUTCOME_FORM, "/corrections/thanks/"])
def test_form_pages_carry_the_strict_csp_and_are_never_cached(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "form-action 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert not response.has_header("ETag")
    body = response.content.decode()
    assert "<script" not in body
    assert "style=" not in body
    assert "<style" not in body


def test_the_form_page_is_not_kept_in_the_public_page_cache(client):
    first = Client().get(GENERAL_FORM).content.decode()
    second = Client().get(GENERAL_FORM).content.decode()
    token = r'name="csrfmiddlewaretoken" value="([^"]+)"'
    assert re.search(token, first)[1] != re.search(token, second)[1]


def test_the_form_refuses_other_methods(client):
    put = client.put(GENERAL_FORM)
    assert put.status_code == 405
    assert put["Allow"] == "GET, HEAD, POST"
    post = client.post("/corrections/thanks/")
    assert post.status_code == 405
    assert post["Allow"] == "GET, HEAD"


def test_the_outcome_form_costs_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the outcome (+category)
        response = client.get(OUTCOME_FORM)
    assert response.status_code == 200
    assert '<h1>Report a correction to <span class="ref">I.1</span>' in response.content.decode()


def test_editors_get_view_and_change_but_not_delete():
    codenames = set(
        Group.objects.get(name="Editors")
        .permissions.filter(content_type__app_label="corrections")
        .values_list("codename", flat=True)
    )
    assert codenames == {"view_correctionreport", "change_correctionreport"}


def test_an_editor_sees_the_inbox_and_sets_status_with_history(client, editor_client):
    send(client, OUTCOME_FORM, what="Older report")
    send(client, what="Newer report")
    older, newer = CorrectionReport.objects.order_by("pk")
    response = editor_client.get(INBOX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Newer report") < page.index("Older report")  # newest first
    assert f'href="/admin/outcomes/outcome/{older.outcome_id}/change/">I.1</a>' in page
    assert "?status__exact=in-progress" in page  # the status filter
    assert editor_client.get(f"{INBOX}?status__exact=new&q=Older").status_code == 200

    url = f"{INBOX}{older.pk}/change/"
    form = editor_client.get(url)
    data = admin_form_data(form, status="done", note="Year corrected.")
    assert editor_client.post(url, data).status_code == 302
    older.refresh_from_db()
    assert older.status == ReportStatus.DONE
    assert older.note == "Year corrected."
    assert older.what == "Older report"  # the report itself is read-only
    latest = older.history.first()
    assert latest.history_user.username == "edith"
    assert latest.status == ReportStatus.DONE
    assert editor_client.get(f"{INBOX}{older.pk}/history/").status_code == 200


def test_an_editor_links_the_change_that_fixed_it(client, editor_client):
    outcome = Outcome.objects.get(slug=SLUG)
    send(client, OUTCOME_FORM)
    report = CorrectionReport.objects.get()
    outcome.year = 2019
    outcome.save()
    fix = outcome.history.first()
    other = Outcome.objects.exclude(pk=outcome.pk).first()
    other.save()
    url = f"{INBOX}{report.pk}/change/"
    form = editor_client.get(url)
    choices = [value for value, _ in form.context["adminform"].form.fields["fixed_by"].choices]
    assert other.history.first().history_id not in [getattr(v, "value", v) for v in choices]
    data = admin_form_data(form, status="done", fixed_by=str(fix.history_id))
    assert editor_client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.fixed_by == fix
    page = editor_client.get(url).content.decode()
    assert f"/admin/outcomes/outcome/{outcome.pk}/history/{fix.history_id}/" in page


def test_editors_can_neither_add_nor_delete_reports(client, editor_client):
    send(client)
    report = CorrectionReport.objects.get()
    assert editor_client.get(f"{INBOX}add/").status_code == 403
    assert editor_client.get(f"{INBOX}{report.pk}/delete/").status_code == 403
    assert CorrectionReport.objects.exists()


def notify():
    """What the worker does on each round (corrections.notify.NotifyEditors)."""
    from corrections.notify import NotifyEditors

    NotifyEditors()()


def test_editors_are_emailed_by_the_worker_when_addresses_are_set(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CORRECTIONS_NOTIFY = ["editors@example.org"]
    settings.SITE_URL = "https://catalogue.example.org"
    send(client, OUTCOME_FORM, email="reader@example.org")
    report = CorrectionReport.objects.get()
    assert mail.outbox == []  # the sender's request sends nothing
    notify()
    [message] = mail.outbox
    assert message.to == ["editors@example.org"]
    assert message.reply_to == ["reader@example.org"]
    assert message.subject == f"Correction report #{report.pk}"
    assert "The year is wrong" in message.body
    assert f"https://catalogue.example.org{INBOX}{report.pk}/change/" in message.body
    notify()
    assert len(mail.outbox) == 1  # once


def test_two_workers_e_mail_a_report_once(client, settings):
    from corrections.notify import NotifyEditors

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CORRECTIONS_NOTIFY = ["editors@example.org"]
    send(client, OUTCOME_FORM)
    first, second = NotifyEditors(), NotifyEditors()
    first()
    second()
    assert len(mail.outbox) == 1


def test_no_email_without_addresses_nor_for_a_robot(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CORRECTIONS_NOTIFY = []
    send(client)
    notify()
    assert mail.outbox == []
    settings.CORRECTIONS_NOTIFY = ["editors@example.org"]
    notify()
    assert mail.outbox == []  # announced to nobody: not sent later
    send(client, website="x")
    notify()
    assert mail.outbox == []


def test_a_failing_mail_server_does_not_lose_the_report(client, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    settings.CORRECTIONS_NOTIFY = ["editors@example.org"]
    assert send(client).status_code == 302
    notify()
    report = CorrectionReport.objects.get()
    assert report.notified is None  # tried again on a later round
    assert f"Could not e-mail the editors about correction report {report.pk}" in caplog.text


TEXT = st.text(max_size=300)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(what=TEXT, source=TEXT, email=TEXT, website=st.sampled_from(["", "x"]))
def test_any_input_is_answered_without_error_and_never_echoed_raw(
    client, what, source, email, website
):
    from corrections.models import SenderCount

    SenderCount.objects.all().delete()  # the examples share one address
    data = {"what": what, "source": source, "email": email, "website": website}
    valid = CorrectionForm(data).is_valid()
    kept = CorrectionReport.objects.count()
    response = client.post(GENERAL_FORM, data)
    body = response.content.decode()
    if valid:  # thanked; kept unless a robot filled in the honeypot
        assert response.status_code == 302
        assert response["Location"] == "/corrections/thanks/"
        assert CorrectionReport.objects.count() == kept + (not website)
    else:  # the form again, saying what to fix
        assert response.status_code == 200
        assert "Please check the form" in body
        assert CorrectionReport.objects.count() == kept
    # Raw markup never comes back: no more often than the page itself holds it ("</li").
    blank = client.get(GENERAL_FORM).content.decode()
    for value in (what, source, email):
        if "<" in value and len(value) > 3:
            assert body.count(value) <= blank.count(value)


@pytest.mark.browser
def test_a_reader_reports_by_keyboard_and_the_errors_pass_axe(page, live_catalogue):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    from tests.site import WCAG

    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_catalogue}/outcomes/{SLUG}/")
    page.get_by_role("link", name="Report a correction to I.1").click()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("alert")).to_contain_text("Please say what is wrong.")
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, results.generate_report()
    # The honeypot is not in the tab order: Tab goes from the e-mail to the button.
    page.get_by_label("What is wrong, and what should it say?").fill("The year is 2019.")
    page.get_by_label("Your e-mail (optional)").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send the report")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your report")
    assert CorrectionReport.objects.get().outcome.slug == SLUG
    assert console == []


def test_an_ipv6_subscriber_counts_as_one_sender_across_its_64():
    from corrections.limits import sender

    assert sender("2001:db8:1:2:aaaa::1") == sender("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert sender("2001:db8:1:3::1") != sender("2001:db8:1:2::1")
    assert sender("203.0.113.7") == "203.0.113.7"
    assert sender("::ffff:203.0.113.7") == "203.0.113.7"


def test_the_admin_home_counts_the_new_reports(client, editor_client):
    home = "/admin/"
    assert "0 new correction reports" in editor_client.get(home).content.decode()
    for address in ("192.0.2.1", "192.0.2.2"):
        send(Client(), address=address)
    html = editor_client.get(home).content.decode()
    assert "2 new correction reports" in html
    assert "?status__exact=new" in html
    opened = CorrectionReport.objects.first()
    opened.status = ReportStatus.IN_PROGRESS
    opened.save()
    assert "1 new correction report<" in editor_client.get(home).content.decode()
