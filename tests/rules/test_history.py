"""Every change is recorded (who, when, what) and can be reverted from the admin."""

import pytest
from django.urls import reverse

from outcomes.models import Organization, Outcome
from tests.conftest import admin_form_data, inline_index


def correct_title(client, outcome, title):
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    response = client.post(url, admin_form_data(client.get(url), title=title))
    assert response.status_code == 302, response.context["errors"]


def test_the_history_lists_an_editors_change_field_by_field(editor_client, editor):
    outcome = Outcome.objects.get(reference="I.1")
    old_title = outcome.title
    correct_title(editor_client, outcome, "A corrected title")

    latest = outcome.history.latest()
    assert latest.history_user == editor
    assert latest.title == "A corrected title"
    page = editor_client.get(reverse("admin:outcomes_outcome_history", args=[outcome.pk]))
    content = page.content.decode()
    assert editor.username in content
    assert old_title in content and "A corrected title" in content  # title: old → new


def test_an_editor_reverts_a_change_from_the_history(editor_client):
    outcome = Outcome.objects.get(reference="I.1")
    old_title = outcome.title
    before = outcome.history.latest()
    correct_title(editor_client, outcome, "A mistaken title")

    url = reverse("admin:outcomes_outcome_simple_history", args=[outcome.pk, before.history_id])
    assert url == f"/admin/outcomes/outcome/{outcome.pk}/history/{before.history_id}/"
    page = editor_client.get(url)
    assert page.status_code == 200
    response = editor_client.post(url, admin_form_data(page))

    assert response.status_code == 302, response.context["errors"]
    outcome.refresh_from_db()
    assert outcome.title == old_title
    assert outcome.history.latest().title == old_title


def test_changes_to_an_outcomes_parts_are_recorded_with_the_editor(editor_client, editor):
    outcome = Outcome.objects.get(reference="I.1")
    participation = outcome.participations.first()
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url), **{"participations-0-position": "7"})

    assert editor_client.post(url, data).status_code == 302

    latest = participation.history.latest()
    assert (latest.position, latest.history_user) == (7, editor)


def test_a_change_of_countries_is_recorded(editor_client):
    outcome = Outcome.objects.get(reference="I.1")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url))
    data["countries"] = []

    assert editor_client.post(url, data).status_code == 302

    latest, previous = outcome.history.all()[:2]
    changes = {change.field for change in latest.diff_against(previous).changes}
    assert "countries" in changes


def test_a_participation_change_is_listed_on_its_history_page_and_reverted(editor_client, editor):
    outcome = Outcome.objects.get(reference="I.1")
    participation = outcome.participations.get(organization__slug="myanmar-alinyaung-foundation")
    before = participation.history.latest()
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url))
    index = inline_index(data, "participations", participation.pk)
    data[f"participations-{index}-role"] = "partner"
    assert editor_client.post(url, data).status_code == 302

    history = reverse("admin:outcomes_participation_history", args=[participation.pk])
    content = editor_client.get(history).content.decode()
    assert editor.username in content and "Partner" in content and "Co-lead" in content

    revert = reverse(
        "admin:outcomes_participation_simple_history", args=[participation.pk, before.history_id]
    )
    response = editor_client.post(revert, admin_form_data(editor_client.get(revert)))
    assert response.status_code == 302
    participation.refresh_from_db()
    assert participation.role == "co-lead"


def test_a_role_changed_on_the_outcome_form_is_named_on_the_outcomes_history(editor_client):
    outcome = Outcome.objects.get(reference="V.8")
    participation = outcome.participations.get(organization__slug="polish-house-civic-association")
    url = reverse("admin:outcomes_outcome_change", args=[outcome.pk])
    data = admin_form_data(editor_client.get(url))
    data[f"participations-{inline_index(data, 'participations', participation.pk)}-role"] = (
        "co-lead"
    )
    assert editor_client.post(url, data).status_code == 302
    history = editor_client.get(reverse("admin:outcomes_outcome_history", args=[outcome.pk]))
    html = history.content.decode()
    assert (
        "participations: “Polish House Civic Association (Partner) in V.8”, role "
        "“Partner” → “Co-lead”"
    ) in html


@pytest.mark.parametrize(
    "model, lookup, field, value",
    [
        ("region", {"slug": "asean"}, "description", "A new description."),
        ("country", {"code": "MM"}, "common_name", "Burma"),
        ("category", {"slug": "culture"}, "description", "Culture, rewritten."),
        ("source", {"slug": "sironet-cooperation-outcomes"}, "note", "A new note."),
    ],
)
def test_every_catalogue_model_keeps_values_and_can_be_reverted(
    editor_client, model, lookup, field, value
):
    from django.apps import apps

    Model = apps.get_model("outcomes", model)
    record = Model.objects.get(**lookup)
    old = getattr(record, field)
    before = record.history.latest() if record.history.exists() else None
    url = reverse(f"admin:outcomes_{model}_change", args=[record.pk])
    data = admin_form_data(editor_client.get(url), **{field: value})
    assert editor_client.post(url, data).status_code == 302
    html = editor_client.get(reverse(f"admin:outcomes_{model}_history", args=[record.pk]))
    assert value in html.content.decode()
    if before is None:  # seeded before history was kept: the change is the first record
        return
    revert = reverse(f"admin:outcomes_{model}_simple_history", args=[record.pk, before.history_id])
    assert editor_client.post(revert, admin_form_data(editor_client.get(revert))).status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == old


def test_an_empty_value_reads_empty_not_none(editor_client):
    organization = Organization.objects.get(slug="polish-house-civic-association")
    url = reverse("admin:outcomes_organization_change", args=[organization.pk])
    data = admin_form_data(editor_client.get(url), acronym="PHCA")
    assert editor_client.post(url, data).status_code == 302
    html = editor_client.get(
        reverse("admin:outcomes_organization_history", args=[organization.pk])
    ).content.decode()
    assert "(empty)" in html and "PHCA" in html
    assert "None&nbsp;&rarr;" not in html
