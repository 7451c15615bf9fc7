"""Later reports in the admin: an editor adds one, a second editor reviews it, the queues
share the work out; a visitor's suggestion becomes a draft in one click."""

from datetime import date, timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from corrections.models import CorrectionReport, ReportKind, ReportStatus
from outcomes.models import LaterReport, LaterSearch, Outcome
from tests.conftest import admin_form_data, log_in

pytestmark = pytest.mark.django_db

REPORTS = reverse("admin:outcomes_laterreport_changelist")
ADD = reverse("admin:outcomes_laterreport_add")
OUTCOMES = reverse("admin:outcomes_outcome_changelist")
SLUG = "nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation"  # I.1
SUGGEST = f"/outcomes/{SLUG}/correction/?kind=later"


def editor_named(name):
    """Another editor, with a client of its own."""
    user = User.objects.create_user(name, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    log_in(client, user)
    return user, client


def new_report(added_by, **fields):
    report = LaterReport.objects.create(
        url=fields.pop("url", "https://example.org/news/2021/schools"),
        title="Schools handed over",
        publisher="Example News",
        published=date(2021, 5, 4),
        language="en",
        reading="delivered",
        summary="The foundation handed over the last of the nine schools.",
        added_by=added_by,
        **fields,
    )
    report.outcomes.add(Outcome.objects.get(reference="I.1"))
    return report


def change_url(report):
    return reverse("admin:outcomes_laterreport_change", args=[report.pk])


def review_url(report):
    return reverse("admin:outcomes_laterreport_review", args=[report.pk])


def add_form(client, **changes):
    data = admin_form_data(client.get(ADD))
    data.update(
        {
            "outcomes": [str(Outcome.objects.get(reference="I.1").pk)],
            "url": "https://example.org/2020/eye-care",
            "title": "Eye care for students",
            "publisher": "Example Daily",
            "published": "2020-03-02",
            "language": "en",
            "reading": "continued",
            "summary": "Doctors screened students' eyes again in 2020.",
            **changes,
        }
    )
    return data


# Adding ------------------------------------------------------------------------------------


def test_an_editor_adds_a_report_with_its_figures_and_is_named_its_adder(editor_client, editor):
    data = add_form(
        editor_client,
        **{
            "figures-TOTAL_FORMS": "1",
            "figures-0-position": "1",
            "figures-0-kind": "count",
            "figures-0-value": "120",
            "figures-0-qualifier": "exact",
            "figures-0-unit": "students",
            "figures-0-words": "120 students",
        },
    )
    response = editor_client.post(ADD, data)
    assert response.status_code == 302, response.context["errors"]
    report = LaterReport.objects.get(url="https://example.org/2020/eye-care")
    assert report.added_by == editor
    assert not report.is_reviewed
    assert [figure.words for figure in report.figures.all()] == ["120 students"]
    assert report.history.first().history_user == editor
    # Not public: the queue holds it, the public query does not.
    assert report in LaterReport.objects.waiting()
    assert report not in LaterReport.objects.reviewed()


def test_the_form_shows_each_readings_rule_and_autocompletes_outcomes(editor_client):
    page = editor_client.get(ADD).content.decode()
    assert "delivered: The source reports that what the document planned was done" in page
    assert 'type="radio" name="reading"' in page
    assert 'data-ajax--url="/admin/autocomplete/"' in page


def test_a_source_published_before_the_document_is_refused_with_a_clear_message(editor_client):
    response = editor_client.post(ADD, add_form(editor_client, published="2017-12-18"))
    assert response.status_code == 200
    assert (
        "I.1's document was published on 2017-12-18: a source published on or before it is "
        "background, not a later report."
    ) in unescape(response.content.decode())
    assert not LaterReport.objects.filter(url="https://example.org/2020/eye-care").exists()
    response = editor_client.post(ADD, add_form(editor_client, published="2017-12-19"))
    assert response.status_code == 302


def test_a_second_editor_cannot_silently_undo_the_firsts_save(editor_client, editor):
    report = new_report(editor)
    _, other = editor_named("bea")
    first = admin_form_data(editor_client.get(change_url(report)))
    second = admin_form_data(other.get(change_url(report)))
    first["publisher"] = "Example News Agency"
    assert editor_client.post(change_url(report), first).status_code == 302
    second["summary"] = "A summary from the second editor."
    response = other.post(change_url(report), second)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Another editor saved this later report after you opened it (edith," in html
    assert "Changed: publisher: “Example News” → “Example News Agency”" in html
    report.refresh_from_db()
    assert report.publisher == "Example News Agency"
    assert report.summary == "The foundation handed over the last of the nine schools."


# Reviewing ---------------------------------------------------------------------------------


def test_a_second_editor_reviews_with_the_button_and_it_is_in_the_history(editor):
    report = new_report(editor)
    bea, other = editor_named("bea")
    page = other.get(change_url(report)).content.decode()
    assert f'action="{review_url(report)}"' in page
    response = other.post(review_url(report), follow=True)
    assert response.redirect_chain[-1][0] == change_url(report)
    assert "Reviewed: the report is now public." in response.content.decode()
    report.refresh_from_db()
    assert (report.reviewed_by, report.reviewed) == (bea, timezone.localdate())
    assert report in LaterReport.objects.reviewed()
    latest = report.history.first()
    assert (latest.history_user, latest.history_change_reason) == (bea, "Reviewed")
    assert "Mark reviewed" not in other.get(change_url(report)).content.decode()


def test_the_editor_who_added_a_report_cannot_review_it(editor_client, editor):
    report = new_report(editor)
    page = editor_client.get(change_url(report)).content.decode()
    assert "Waiting for another editor’s review" in page
    assert "Mark reviewed" not in page
    response = editor_client.post(review_url(report), follow=True)  # a forged button
    assert "A second editor reviews a report: not one who added or changed it." in (
        response.content.decode()
    )
    report.refresh_from_db()
    assert not report.is_reviewed
    # The model refuses it on any path (a revert, a script).
    report.reviewed_by = editor
    with pytest.raises(ValidationError):
        report.full_clean()


def test_the_review_action_reviews_others_reports_and_refuses_ones_own(editor_client, editor):
    mine = new_report(editor)
    bea, _ = editor_named("bea")
    theirs = new_report(bea, url="https://example.org/news/2022/more-schools")
    response = editor_client.post(
        REPORTS,
        {"action": "mark_reviewed", "_selected_action": [mine.pk, theirs.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "A second editor reviews a report: not one who added or changed it." in html
    assert "Reports reviewed: 1." in html
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert not mine.is_reviewed and theirs.reviewed_by == editor


def test_the_review_button_answers_only_a_post(editor_client, editor):
    report = new_report(User.objects.create_user("ana"))
    assert editor_client.get(review_url(report)).status_code == 405
    assert (
        editor_client.post(reverse("admin:outcomes_laterreport_review", args=[0])).status_code
        == 404
    )
    assert Client().post(review_url(report)).status_code == 302  # to the login
    report.refresh_from_db()
    assert not report.is_reviewed


def test_a_change_after_the_review_sends_the_report_back_to_the_queue(editor_client, editor):
    report = LaterReport.objects.reviewed().first()
    assert report.reviewed_by_name  # a seeded report
    url = change_url(report)
    data = admin_form_data(editor_client.get(url), summary="A new summary.")
    response = editor_client.post(url, data, follow=True)
    assert "it is no longer public, and waits for a second editor" in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "A new summary." and not report.is_reviewed
    # A save that changes nothing keeps a review.
    reviewed = LaterReport.objects.reviewed().first()
    url = change_url(reviewed)
    assert editor_client.post(url, admin_form_data(editor_client.get(url))).status_code == 302
    assert reviewed in LaterReport.objects.reviewed()


def test_an_editor_who_changed_a_report_cannot_review_it_either(editor_client, editor):
    bea, bea_client = editor_named("bea")
    report = new_report(bea)  # bea added it; the editor then rewrites its summary
    url = change_url(report)
    data = admin_form_data(editor_client.get(url), summary="The editor's own words.")
    assert editor_client.post(url, data).status_code == 302
    page = editor_client.get(url).content.decode()
    assert "Mark reviewed" not in page
    response = editor_client.post(review_url(report), follow=True)
    assert "not one who added or changed it" in response.content.decode()
    report.refresh_from_db()
    assert not report.is_reviewed
    carl, carl_client = editor_named("carl")  # a third editor, who wrote none of it
    assert carl_client.post(review_url(report)).status_code == 302
    report.refresh_from_db()
    assert report.reviewed_by == carl


def test_a_revert_from_the_history_is_reviewed_again_too(editor_client, editor):
    report = LaterReport.objects.reviewed().first()
    url = change_url(report)
    editor_client.post(url, admin_form_data(editor_client.get(url), summary="Edited words."))
    report.refresh_from_db()
    assert not report.is_reviewed
    # No version of the history holds new words beside a reviewer's name.
    for version in report.history.all():
        assert not (version.summary == "Edited words." and version.reviewed_by_name)
    _, carl_client = editor_named("carl")
    assert carl_client.post(review_url(report)).status_code == 302
    report.refresh_from_db()
    assert report.is_reviewed
    # Reverting to the first version brings back its words, which wait for a review.
    first = report.history.last()
    revert = reverse("admin:outcomes_laterreport_simple_history", args=[report.pk, first.pk])
    assert carl_client.post(revert, admin_form_data(carl_client.get(revert))).status_code == 302
    report.refresh_from_db()
    assert report.summary == first.summary and not report.is_reviewed


# Sharing the work out ---------------------------------------------------------------------


def test_the_queue_lists_the_reports_waiting_for_review_and_the_index_links_to_it(
    editor_client, editor
):
    waiting = new_report(editor)
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert f'href="{REPORTS}?review=waiting"' in index
    queue = editor_client.get(REPORTS, {"review": "waiting"})
    assert list(queue.context["cl"].result_list) == [waiting]
    assert "waiting for review" in queue.content.decode()
    reviewed = editor_client.get(REPORTS, {"review": "reviewed"}).context["cl"].result_list
    assert waiting not in reviewed
    assert len(reviewed) == LaterReport.objects.reviewed().count() == 26


def test_the_outcomes_never_searched_then_searched_longest_ago_come_first(editor_client):
    LaterSearch.objects.filter(outcome__reference="I.2").delete()
    old = LaterSearch.objects.get(outcome__reference="II.3")
    old.searched = timezone.localdate() - timedelta(days=400)
    old.save()
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert f'href="{OUTCOMES}?searched=all"' in index
    rows = editor_client.get(OUTCOMES, {"searched": "all"}).context["cl"].result_list
    assert [outcome.reference for outcome in rows[:3]] == ["I.2", "II.3", "I.1"]
    assert len(rows) == 37
    never = editor_client.get(OUTCOMES, {"searched": "never"}).context["cl"].result_list
    assert [outcome.reference for outcome in never] == ["I.2"]
    year = editor_client.get(OUTCOMES, {"searched": "year"}).context["cl"].result_list
    assert [outcome.reference for outcome in year] == ["II.3"]
    assert '<td class="field-last_searched">never</td>' in (
        editor_client.get(OUTCOMES, {"searched": "all"}).content.decode()
    )


def test_an_editor_records_a_search_on_the_outcome_form(editor_client, editor):
    outcome = Outcome.objects.get(reference="I.3")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url))
    index = data["later_searches-TOTAL_FORMS"]
    data["later_searches-TOTAL_FORMS"] = str(int(index) + 1)
    data.update(
        {
            f"later_searches-{index}-searched": "2027-01-05",
            f"later_searches-{index}-queries": "Mekong Brightness Action 2026\n光明行 湄公河",
            f"later_searches-{index}-outcome": str(outcome.pk),
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    search = outcome.later_searches.get(searched=date(2027, 1, 5))
    assert search.searched_by == editor
    assert Outcome.objects.get(pk=outcome.pk).last_searched == date(2027, 1, 5)


def test_a_search_is_recorded_on_its_own_page_too(editor_client, editor):
    outcome = Outcome.objects.get(reference="I.4")
    add = reverse("admin:outcomes_latersearch_add")
    data = {"outcome": outcome.pk, "searched": "2027-02-01", "queries": "query"}
    assert editor_client.post(add, data).status_code == 302
    assert LaterSearch.objects.get(outcome=outcome, searched="2027-02-01").searched_by == editor
    # Twice on one day: a message, not an error page.
    response = editor_client.post(add, data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_editors_may_add_and_change_reports_but_only_superusers_delete_them(editor):
    for action in ("view", "add", "change"):
        assert editor.has_perm(f"outcomes.{action}_laterreport")
    assert not editor.has_perm("outcomes.delete_laterreport")
    assert editor.has_perm("outcomes.delete_reportfigure")
    assert editor.has_perm("outcomes.add_latersearch")


# A visitor's suggestion ---------------------------------------------------------------------


def suggest(client, address="192.0.2.1", **data):
    fields = {"source": "https://example.org/2023/scholarships", "what": "1,348 students.", **data}
    return client.post(SUGGEST, fields, REMOTE_ADDR=address)


def test_a_visitor_suggests_a_later_report_from_the_outcome_page(client):
    page = unescape(client.get(SUGGEST).content.decode())
    assert '<h1>Suggest a later report about <span class="ref">I.1</span>' in page
    assert "The source's address" in page and "Send the suggestion" in page
    response = suggest(client)
    assert response["Location"] == f"/corrections/thanks/?outcome={SLUG}"
    suggestion = CorrectionReport.objects.get()
    assert suggestion.kind == ReportKind.LATER
    assert suggestion.outcome.reference == "I.1"
    assert suggestion.source == "https://example.org/2023/scholarships"
    assert not LaterReport.objects.filter(url=suggestion.source).exists()  # only the editors'


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "Please give the source's address, starting with https:// or http://."),
        ("javascript:alert(1)", "Please enter a web address starting with https:// or http://."),
        (
            "ftp://example.org/report",
            "Please enter a web address starting with https:// or http://.",
        ),
        ("not an address", "Please enter a web address starting with https:// or http://."),
        ("https://example.org/" + "x" * 500, "Please use a link of 500 characters or fewer."),
    ],
)
def test_a_bad_address_gets_a_clear_message(client, address, message):
    response = suggest(client, source=address)
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not CorrectionReport.objects.exists()


def test_suggestions_count_against_the_correction_limit(client):
    for _ in range(5):
        assert suggest(client).status_code == 302
    assert suggest(client).status_code == 429
    assert CorrectionReport.objects.filter(kind=ReportKind.LATER).count() == 5


def test_without_an_outcome_the_form_is_a_correction(client):
    client.post("/corrections/new/?kind=later", {"what": "Wrong."})
    assert CorrectionReport.objects.get().kind == ReportKind.CORRECTION


def make_draft(client, suggestion):
    return client.post(reverse("admin:corrections_correctionreport_draft", args=[suggestion.pk]))


def test_a_suggestion_becomes_a_draft_in_one_click(client, editor_client, editor):
    suggest(client)
    suggestion = CorrectionReport.objects.get()
    inbox = reverse("admin:corrections_correctionreport_changelist")
    listed = editor_client.get(inbox, {"kind__exact": "later"}).context["cl"].result_list
    assert list(listed) == [suggestion]
    page = editor_client.get(
        reverse("admin:corrections_correctionreport_change", args=[suggestion.pk])
    )
    assert "Make a draft later report" in page.content.decode()

    response = make_draft(editor_client, suggestion)

    draft = LaterReport.objects.get(url="https://example.org/2023/scholarships")
    assert response["Location"] == change_url(draft)
    assert [outcome.reference for outcome in draft.outcomes.all()] == ["I.1"]
    assert draft.added_by == editor and draft.summary == "" and not draft.is_reviewed
    suggestion.refresh_from_db()
    assert suggestion.draft == draft and suggestion.status == ReportStatus.IN_PROGRESS
    # The form asks for what the suggestion could not say: no date, no reading chosen.
    form = editor_client.get(change_url(draft)).context["adminform"].form
    assert form["published"].value() is None and form["reading"].value() is None
    assert "draft from a suggestion" in editor_client.get(REPORTS).content.decode()
    # A second click opens the same draft.
    assert make_draft(editor_client, suggestion)["Location"] == change_url(draft)
    assert LaterReport.objects.filter(url=draft.url).count() == 1


def test_a_draft_is_reviewed_only_once_completed(client, editor_client):
    suggest(client)
    _, other = editor_named("bea")
    make_draft(editor_client, CorrectionReport.objects.get())
    draft = LaterReport.objects.get(url="https://example.org/2023/scholarships")
    response = other.post(review_url(draft), follow=True).content.decode()
    assert "reviewed once an editor has completed it" in response
    data = admin_form_data(
        editor_client.get(change_url(draft)),
        title="Paukphaw scholarship",
        publisher="Example Times",
        published="2023-06-01",
        language="en",
        reading="expanded",
        summary="The scholarship has reached 1,348 students since 2015.",
    )
    assert editor_client.post(change_url(draft), data).status_code == 302
    other.post(review_url(draft))
    draft.refresh_from_db()
    assert draft.is_reviewed and draft.published == date(2023, 6, 1)


def test_a_suggested_address_already_in_the_catalogue_opens_its_report(client, editor_client):
    report = LaterReport.objects.reviewed().exclude(outcomes__reference="I.1").first()
    suggest(client, source=report.url)
    response = editor_client.post(
        reverse(
            "admin:corrections_correctionreport_draft", args=[CorrectionReport.objects.get().pk]
        ),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == change_url(report)
    assert "already in the catalogue" in response.content.decode()
    assert "I.1" not in [outcome.reference for outcome in report.outcomes.all()]


def test_only_a_suggestion_becomes_a_draft_and_only_by_post(client, editor_client):
    client.post("/corrections/new/", {"what": "Wrong."})
    correction = CorrectionReport.objects.get()
    assert make_draft(editor_client, correction).status_code == 404
    url = reverse("admin:corrections_correctionreport_draft", args=[correction.pk])
    assert editor_client.get(url).status_code == 405
    assert not LaterReport.objects.filter(summary="").exists()


def test_the_chinese_suggestion_form_speaks_chinese(client):
    page = client.get(f"/zh-hans/outcomes/{SLUG}/correction/?kind=later").content.decode()
    assert "<title>建议关于 I.1 的后续报道" in page
    assert "来源网址" in page and "发送建议" in page
    response = client.post(f"/zh-hans/outcomes/{SLUG}/correction/?kind=later", {"what": "x"})
    assert "请填写来源网址，以 https:// 或 http:// 开头。" in response.content.decode()


def test_the_editors_e_mail_names_a_suggestion(client, settings):
    from django.core import mail

    from corrections.notify import NotifyEditors

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CORRECTIONS_NOTIFY = ["editors@example.org"]
    suggest(client)
    NotifyEditors()()
    [message] = mail.outbox
    assert message.subject == f"Later report suggested #{CorrectionReport.objects.get().pk}"
    assert message.body.startswith("A later report was suggested about I.1")
    assert "Source link: https://example.org/2023/scholarships" in message.body
