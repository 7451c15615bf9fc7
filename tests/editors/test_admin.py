"""The editors' admin: who may do what, the change form, and what each changelist costs."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from outcomes.models import Country, Figure, Mention, Organization, Outcome, Region
from tests.conftest import admin_form_data, inline_index, log_in


def test_an_editor_corrects_a_title_and_the_public_page_shows_it(editor_client):
    outcome = Outcome.objects.get(reference="I.1")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    page = editor_client.get(url)
    assert page.status_code == 200

    response = editor_client.post(url, admin_form_data(page, title="A corrected title"))

    assert response.status_code == 302, response.context["errors"]
    outcome.refresh_from_db()
    assert outcome.title == "A corrected title"
    assert outcome.participations.exists()  # the inlines were posted back unchanged
    public = editor_client.get(f"/outcomes/{outcome.slug}/")
    assert "A corrected title" in public.content.decode()


def test_the_change_form_refuses_money_without_a_currency_and_saves_nothing(editor_client):
    outcome = Outcome.objects.get(reference="I.1")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url), title="Not saved")
    count = int(data["figures-TOTAL_FORMS"])
    data["figures-TOTAL_FORMS"] = str(count + 1)
    new = f"figures-{count}-"
    data.update(
        {
            f"{new}outcome": str(outcome.pk),
            f"{new}position": "9",
            f"{new}kind": "money",
            f"{new}value": "-5",
            f"{new}qualifier": "exact",
            f"{new}words": "minus five",
        }
    )

    response = editor_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "An amount of money needs a currency" in page
    assert "greater than or equal to 0" in page
    outcome.refresh_from_db()
    assert outcome.title != "Not saved"
    assert not Figure.objects.filter(outcome=outcome, position=9).exists()


def test_changing_a_slug_says_old_links_redirect(editor_client):
    organization = Organization.objects.filter(participations__isnull=False).first()
    old_slug = organization.slug
    url = reverse("admin:outcomes_organization_change", args=[organization.pk])
    data = admin_form_data(editor_client.get(url), slug="a-new-slug")

    response = editor_client.post(url, data, follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert any(f"/organizations/{old_slug}/ redirect to it." in m for m in messages), messages


def test_a_country_code_cannot_be_changed_once_created(editor_client):
    from outcomes.models import Country

    country = Country.objects.get(code="MM")
    page = editor_client.get(reverse("admin:outcomes_country_change", args=[country.pk]))
    assert "code" not in page.context["adminform"].form.fields
    assert (
        "code"
        in editor_client.get(reverse("admin:outcomes_country_add")).context["adminform"].form.fields
    )


def test_an_editor_may_not_see_users(editor_client):
    for changelist in ("admin:auth_user_changelist", "admin:auth_group_changelist"):
        response = editor_client.get(reverse(changelist))
        assert response.status_code == 403
        html = response.content.decode()
        assert "<h1>Not allowed</h1>" in html
        assert "edith@example.org" not in html


def test_an_anonymous_visitor_is_sent_to_the_login(client, db):
    response = client.get(reverse("admin:outcomes_outcome_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_editors_group_has_no_rights_over_accounts_and_cannot_delete_outcomes(editor):
    editors = Group.objects.get(name="Editors")
    assert not editors.permissions.filter(content_type__app_label="auth").exists()
    assert editor.has_perm("outcomes.change_outcome")
    assert editor.has_perm("outcomes.add_organization")
    assert editor.has_perm("outcomes.view_source")
    for codename in ["delete_outcome", "delete_organization"]:
        assert not editor.has_perm(f"outcomes.{codename}")
    # They remove rows of change forms: an outcome's parts, a region's memberships.
    assert (
        not Permission.objects.filter(group=editors, codename__startswith="delete_")
        .exclude(
            codename__in=[
                f"delete_{model}"
                for model in (
                    "figure",
                    "participation",
                    "programme",
                    "reach",
                    "mention",
                    "membership",
                    "reportfigure",
                    "latersearch",
                )
            ]
        )
        .exists()
    )


def test_the_admin_asks_not_to_be_indexed_in_each_language_whichever_comes_first(db):
    """The middleware learns the admin's address on its first request: a Chinese one
    must not leave the English admin without its header (nor its inline styles)."""
    from django.test import Client

    client = Client()  # a new handler, and with it new middleware
    login = reverse("two_factor:login")  # where the admin's login sends staff
    assert client.get(reverse("admin:login"))["Location"].startswith(login)
    chinese = client.get("/zh-hans" + login)
    english = client.get(login)
    for response in (chinese, english, client.get(reverse("admin:index"), follow=True)):
        assert response.status_code == 200
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "'unsafe-inline'" in response["Content-Security-Policy"].split("style-src")[1]


def test_an_editor_cannot_delete_an_outcome_or_an_organization(editor_client):
    outcome = Outcome.objects.get(reference="I.1")
    organization = Organization.objects.first()
    for url in [
        reverse("admin:outcomes_outcome_delete", args=[outcome.pk]),
        reverse("admin:outcomes_organization_delete", args=[organization.pk]),
    ]:
        assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Outcome.objects.filter(pk=outcome.pk).exists()


def test_admin_pages_ask_not_to_be_indexed(client, editor_client):
    admin_page = editor_client.get(reverse("admin:index"))
    assert admin_page["X-Robots-Tag"] == "noindex, nofollow"
    assert "SIRONET Outcomes Catalogue administration" in admin_page.content.decode()
    robots_response = client.get("/robots.txt")
    assert not robots_response.has_header("X-Robots-Tag")  # public pages are indexed
    robots = robots_response.content.decode()
    assert f"Disallow: {reverse('admin:index')}" in robots


def test_the_outcome_list_filters_and_searches(editor_client):
    url = reverse("admin:outcomes_outcome_changelist")
    found = editor_client.get(url, {"q": "I.1"}).context["cl"].result_list
    assert "I.1" in [outcome.reference for outcome in found]
    everything = editor_client.get(url).context["cl"].result_list
    assert [o.position for o in everything] == sorted(o.position for o in everything)


# The queries of one changelist page, whatever the number of rows:
#  1 session, 2 user, 3 the device of its second factor (django-otp), 4-5 the editor's
#  permissions (user's, then groups'), then the page's own queries, listed below (each
#  number there one less: they were counted before the device's query).
CHANGELISTS = {
    # 5 category filter values, 6-8 countries, regions and organizations named by
    # outcomes (RelatedOnly filters), 9 count (no full count: show_full_result_count
    # is off), 10 the page of outcomes with their category, 11 their participations
    # with organizations.
    "outcome": 12,
    # 5 country filter values, 6 count, 7 total count, 8 the page (country joined,
    # outcome counts annotated).
    "organization": 9,
    # 5 count, 6 total count, 7 the page (outcome counts annotated).
    "country": 8,
    "region": 8,
    "category": 8,
    "source": 8,
    # 5 count, 6 total count, 7 the page (outcome joined; organization too for participations).
    "participation": 8,
    "programme": 8,
    # and, first, the currencies in use (for the currency filter).
    "figure": 9,
    # and, first, the regions (for the region filter); the page joins outcome and region.
    "reach": 9,
    "membership": 9,
    # 5 count, 6 total count, 7 the page (outcome, country and region joined).
    "mention": 8,
    # 5 count, 6 total count, 7 the page (adder and reviewer joined), 8 their outcomes,
    # 9-10 the date hierarchy's first and last dates, then its years, 11 the languages in use.
    "laterreport": 12,
    # 5 count, 6 total count, 7 the page (outcome and searcher joined).
    "latersearch": 8,
}


@pytest.mark.parametrize("model", CHANGELISTS)
def test_every_changelist_renders_in_a_fixed_number_of_queries(
    model, catalogue_size, editor_client, django_assert_num_queries
):
    url = reverse(f"admin:outcomes_{model}_changelist")
    with django_assert_num_queries(CHANGELISTS[model]):
        response = editor_client.get(url)
    assert response.status_code == 200
    opts = apps.get_model("outcomes", model)._meta
    count = opts.model.objects.count()
    rows = f"{count} {opts.verbose_name if count == 1 else opts.verbose_name_plural}"
    assert rows in response.content.decode()  # the changelist's "37 outcomes"


def test_an_editor_turns_a_mention_into_a_place_with_history(editor_client, editor):
    outcome = Outcome.objects.get(reference="III.4")
    mention = outcome.mentions.get()
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url))
    index = inline_index(data, "mentions", mention.pk)
    data[f"mentions-{index}-DELETE"] = "on"
    data["countries"] = [str(Country.objects.get(code="CN").pk)]
    assert editor_client.post(url, data).status_code == 302
    assert list(outcome.countries.values_list("code", flat=True)) == ["CN"]
    assert not outcome.mentions.exists()
    deleted = Mention.history.filter(id=mention.pk).latest()
    assert deleted.history_type == "-" and deleted.history_user == editor
    assert "/countries/cn/" in editor_client.get(outcome.get_absolute_url()).content.decode()


def test_an_editor_corrects_a_membership_date_on_the_region_form(editor_client):
    region = Region.objects.get(slug="asean")
    membership = region.memberships.get(country__code="TL")
    url = reverse("admin:outcomes_region_change", args=[region.pk])
    data = admin_form_data(editor_client.get(url))
    index = inline_index(data, "memberships", membership.pk)
    data[f"memberships-{index}-since"] = "2017-01-01"  # as if it had joined before 2017-12-18
    assert editor_client.post(url, data).status_code == 302
    assert membership.history.count() == 2
    page = editor_client.get("/countries/tl/")
    assert [o.reference for o in page.context["via_groupings"]["shown"]] == ["IV.5"]


def test_a_membership_cannot_end_before_it_begins(editor_client):
    region = Region.objects.get(slug="asean")
    membership = region.memberships.get(country__code="TL")
    url = reverse("admin:outcomes_region_change", args=[region.pk])
    data = admin_form_data(editor_client.get(url))
    index = inline_index(data, "memberships", membership.pk)
    data[f"memberships-{index}-until"] = "2020-01-01"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "A membership ends after it begins." in response.content.decode()


# Two editors, one record ----------------------------------------------------------------


def second_editor():
    """A client of its own, logged in as another editor (editor_client is the `client`)."""
    from django.contrib.auth.models import User
    from django.test import Client

    other = User.objects.create_user("bea", is_staff=True)
    other.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    log_in(client, other)
    return client


def test_a_second_editor_cannot_silently_undo_the_firsts_save(editor_client):
    """A fixes the title, B (who opened the form before) changes the scope: B is told what
    changed, nothing of B's is saved, B's input stays in the form, and B's next save keeps
    A's fix."""
    client = second_editor()
    outcome = Outcome.objects.get(reference="II.7")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    first = admin_form_data(editor_client.get(url))
    second = admin_form_data(client.get(url))
    first["title"] = "A title fixed by the first editor"
    assert editor_client.post(url, first).status_code == 302

    second["scope"] = "a scope from the second editor"
    response = client.post(url, second)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Another editor saved this outcome after you opened it (edith," in html
    assert (
        "Changed: title: “Belt and Road International Business Talent Program” → “A title" in html
    )
    outcome.refresh_from_db()
    assert outcome.title == "A title fixed by the first editor" and outcome.scope == ""
    again = admin_form_data(response)  # the form as shown: B's input, the new state
    assert again["scope"] == "a scope from the second editor"
    assert again["title"] == "Belt and Road International Business Talent Program"
    again["title"] = "A title fixed by the first editor"  # B reapplies A's fix
    assert client.post(url, again).status_code == 302
    outcome.refresh_from_db()
    assert (outcome.title, outcome.scope) == (
        "A title fixed by the first editor",
        "a scope from the second editor",
    )


def test_rows_added_by_two_editors_at_once_give_a_form_error_not_a_500(editor_client):
    client = second_editor()
    outcome = Outcome.objects.get(reference="V.4")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    first = admin_form_data(editor_client.get(url))
    second = admin_form_data(client.get(url))
    for data in (first, second):  # both add the same programme, as its second
        data.update(
            {
                "programmes-TOTAL_FORMS": "2",
                "programmes-1-name": "Multinationals 10+10 Bilateral Forum, second round",
                "programmes-1-position": "2",
                "programmes-1-outcome": str(outcome.pk),
            }
        )
    assert editor_client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 200
    assert "programmes and initiatives: added “Multinationals 10+10 Bilateral Forum, second" in (
        response.content.decode()
    )
    assert outcome.programmes.count() == 2


def test_an_organization_edit_is_checked_too_and_a_forged_form_is_refused(editor_client):
    organization = Organization.objects.get(slug="cfpd")
    url = reverse("admin:outcomes_organization_change", args=[organization.pk])
    data = admin_form_data(editor_client.get(url))
    Organization.objects.filter(pk=organization.pk).update(acronym="CFPD!")
    data["type"] = "association"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Changed: acronym: “CFPD” → “CFPD!”" in response.content.decode()
    data["loaded"] = "forged"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Another editor saved this organization" in response.content.decode()
    organization.refresh_from_db()
    assert organization.type == "foundation"


def test_a_forbidden_action_answers_a_403_page_that_says_what_to_do(editor_client):
    outcome = Outcome.objects.get(reference="I.1")
    response = editor_client.get(reverse("admin:outcomes_outcome_delete", args=[outcome.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Not allowed</h1>" in html and "ask an administrator" in html
    assert 'href="/static/css/site.css"' in html  # the site's own style


def test_a_form_sent_without_its_token_gets_a_page_that_says_what_to_do(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("admin:login"), {"username": "x"})
    assert response.status_code == 403
    assert "<h1>The form has expired</h1>" in response.content.decode()


# Why a change was made, and minor changes -----------------------------------------------


def test_a_public_change_says_why_and_the_reason_is_shown_with_the_correction(editor_client):
    outcome = Outcome.objects.get(reference="II.7")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url), title="Business talent programme")
    del data["change_reason"]
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Say why, for the public correction, or mark the change as minor." in (
        response.content.decode()
    )
    outcome.refresh_from_db()
    assert outcome.title != "Business talent programme"
    data["change_reason"] = "Title matched to the document"
    assert editor_client.post(url, data).status_code == 302
    page = editor_client.get(outcome.get_absolute_url()).content.decode()
    assert "Title matched to the document" in page
    assert "None" not in page[page.index('id="corrections-heading"') :][:2000]


def test_a_minor_change_counts_in_the_revision_but_is_no_public_correction(editor_client, client):
    outcome = Outcome.objects.get(reference="II.7")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url), title="Business talent programe", minor="on")
    del data["change_reason"]
    assert editor_client.post(url, data).status_code == 302
    data = admin_form_data(editor_client.get(url), title="Business talent programme", minor="on")
    data["change_reason"] = "my own typo"
    assert editor_client.post(url, data).status_code == 302
    page = client.get(outcome.get_absolute_url()).content.decode()
    assert "None since the catalogue took this item from its source." in page
    assert "Revision 3," in page  # loaded, and two minor changes
    feed = client.get(f"{outcome.get_absolute_url()}feed.atom").content.decode()
    assert "programe" not in feed and "my own typo" not in feed
    latest = outcome.history.first()
    assert latest.history_change_reason == "Minor: my own typo"


def test_an_import_asks_why_and_writes_it_on_each_change(editor_client):
    from outcomes.resources import OutcomeResource
    from tests.editors.test_import import confirm, exported, preview

    def change(row):
        if row["reference"] == "I.1":
            row["title"] = "Nine schools co-built in Myanmar"

    dataset = exported(OutcomeResource, Outcome.objects.all(), change)
    response = preview(editor_client, "outcome", dataset)
    assert response.status_code == 200 and not response.context["result"].has_errors()
    confirm(editor_client, "outcome", response)
    outcome = Outcome.objects.get(reference="I.1")
    assert outcome.title == "Nine schools co-built in Myanmar"
    assert outcome.history.first().history_change_reason == "Corrections from a spreadsheet"


def test_a_save_that_changes_nothing_public_is_no_correction(editor_client, client):
    """A re-save with a reason, or a review of the Chinese, changes nothing the public
    reads: kept in history as minor (it counts in the revision), never listed or fed."""
    outcome = Outcome.objects.get(reference="II.7")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url))
    data["change_reason"] = "Checked against the document"
    assert editor_client.post(url, data).status_code == 302
    assert outcome.history.first().history_change_reason == "Minor: Checked against the document"
    page = client.get(outcome.get_absolute_url()).content.decode()
    assert "None since the catalogue took this item from its source." in page
    assert "Checked against the document" not in page


def test_a_change_on_a_rows_own_page_is_a_change_of_its_outcome(editor_client, client):
    """A figure corrected from /admin/outcomes/figure/…: the outcome's revision rises, and
    its page lists the correction with the reason given."""
    figure = Figure.objects.get(outcome__reference="II.1")
    url = reverse("admin:outcomes_figure_change", args=[figure.pk])
    data = admin_form_data(editor_client.get(url), words="over 500,000 US dollars")
    del data["change_reason"]
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Say why, for the public correction" in response.content.decode()
    data["change_reason"] = "Words of the figure as printed"
    assert editor_client.post(url, data).status_code == 302
    page = client.get(figure.outcome.get_absolute_url()).content.decode()
    assert "Revision 2," in page
    assert "Words of the figure as printed" in page
    assert "over 500,000 US dollars" in page


# No lost update on any record editors change ---------------------------------------------


def stale_records():
    """For each kind of record an editor changes: the record, a text field, and the other
    editor's change made while the first had the form open (a row of its part for a
    region: a member's note)."""
    from corrections.models import CorrectionReport
    from outcomes.models import Category, LaterSearch, Membership, Source

    mekong = Region.objects.get(slug="mekong")
    outcome = Outcome.objects.get(reference="I.1")
    return {
        "category": (Category.objects.order_by("order").first(), "description", None),
        "region": (mekong, "description", mekong.memberships.first()),
        "country": (Country.objects.get(code="MM"), "common_name", None),
        "source": (Source.objects.first(), "note", None),
        "membership": (Membership.objects.first(), "note", None),
        "figure": (Figure.objects.first(), "words", None),
        "latersearch": (
            LaterSearch.objects.create(outcome=outcome, searched="2026-01-05", queries="x"),
            "note",
            None,
        ),
        "correctionreport": (
            CorrectionReport.objects.create(what="A typo", client="x"),
            "note",
            None,
        ),
    }


@pytest.mark.parametrize(
    "model",
    [
        "category",
        "region",
        "country",
        "source",
        "membership",
        "figure",
        "latersearch",
        "correctionreport",
    ],
)
def test_a_stale_form_never_overwrites_another_editors_save(admin_client, model):
    """Eight lost updates in the red team's run (issue 27): each kind of record now has the
    outcomes' conflict check, an outcome's rows on their own pages too."""
    record, field, row = stale_records()[model]
    app = record._meta.app_label
    url = reverse(f"admin:{app}_{model}_change", args=[record.pk])
    data = admin_form_data(admin_client.get(url), **{field: "Mine"})
    data["change_reason"] = "A test"
    theirs = row or record
    type(theirs).objects.filter(pk=theirs.pk).update(**{"note" if row else field: "Theirs"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "after you opened it" in response.content.decode()
    record.refresh_from_db()
    assert getattr(record, field) != "Mine"
    # Saved again from the form as it came back, it goes through.
    data = admin_form_data(response, **{field: "Mine"})
    data["change_reason"] = "A test"
    assert admin_client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == "Mine"
