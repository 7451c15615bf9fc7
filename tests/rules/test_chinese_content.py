"""The catalogue's content in Chinese: kept in `<field>_zh` columns with their credits,
with history; country names from Unicode CLDR; figures read from their stored values."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from outcomes.models import Category, Country, Figure, Organization, Outcome, localized
from tests.conftest import admin_form_data

pytestmark = pytest.mark.django_db


def test_country_names_in_chinese_and_the_names_people_use_come_from_cldr():
    myanmar = Country.objects.get(code="MM")
    assert myanmar.name_zh == "缅甸"
    assert {"Burma", "緬甸"} <= set(myanmar.aliases.splitlines())
    assert "Laos" in Country.objects.get(code="LA").aliases.splitlines()
    # Every country has CLDR's Chinese name.
    assert not Country.objects.filter(name_zh="").exists()


@pytest.mark.parametrize(
    ("words", "english", "chinese"),
    [
        ("over 500,000 dollars", "over US$500,000", "超过50万美元"),
        ("nearly 100 million RMB", "nearly CN¥100 million", "近1亿元人民币"),
        ("one million RMB", "CN¥1 million", "100万元人民币"),
        ("over 10,000 overseas students", "over 10,000 students", "超过1万名学生"),
        ("over 300 schools", "over 300 schools", "超过300所学校"),
        ("9 schools", "9 schools", "9所学校"),
        ("thousands of patients", "thousands of patients", "thousands of patients"),
    ],
)
def test_every_figure_reads_naturally_in_each_language_from_its_stored_value(
    words, english, chinese
):
    figure = Figure.objects.get(words=words)
    with translation.override("en"):
        assert figure.display == english
    with translation.override("zh-hans"):
        assert figure.display == chinese


def test_every_figure_with_a_value_has_a_chinese_reading():
    with translation.override("zh-hans"):
        for figure in Figure.objects.exclude(value=None):
            assert not any(c.isascii() and c.isalpha() for c in figure.display), figure.words


def test_a_record_shows_its_chinese_where_it_has_one_and_english_where_not():
    outcome = Outcome.objects.get(reference="I.3")
    organization = Organization.objects.filter(name_zh="").first()
    with translation.override("zh-hans"):
        assert localized(outcome, "title") == "光明行：湄公河流域免费白内障手术"
        assert localized(outcome, "text") == outcome.text  # no Chinese text yet
        assert localized(organization, "name") == organization.name
    with translation.override("en"):
        assert localized(outcome, "title") == outcome.title


def test_every_outcome_category_and_grouping_has_a_chinese_title_credited_and_unreviewed():
    for model in (Outcome, Category):
        for record in model.objects.all():
            assert record.title_zh if model is Outcome else record.name_zh
            assert record.translated_by == "catalogue editors"
            assert not record.translation_reviewed


def test_editors_add_a_translation_with_history_and_find_what_lacks_one(editor_client):
    changelist = reverse("admin:outcomes_organization_changelist")
    missing = editor_client.get(changelist, {"chinese": "missing"}).context["cl"].result_count
    assert missing == Organization.objects.filter(name_zh="").count() > 0
    organization = Organization.objects.filter(name_zh="").first()
    url = reverse("admin:outcomes_organization_change", args=[organization.pk])
    data = admin_form_data(
        editor_client.get(url), name_zh="某基金会", name_zh_url="https://example.org/about"
    )
    assert editor_client.post(url, data).status_code == 302
    organization.refresh_from_db()
    assert organization.name_zh == "某基金会"
    latest = organization.history.latest()
    assert latest.name_zh == "某基金会" and latest.prev_record.name_zh == ""
    unreviewed = editor_client.get(changelist, {"chinese": "unreviewed"}).context["cl"]
    assert organization in unreviewed.result_list
    assert editor_client.get(changelist, {"chinese": "missing"}).context["cl"].result_count == (
        missing - 1
    )


def test_the_chinese_admin_speaks_chinese_in_history_and_dropdowns(editor_client):
    """Issue 26: the Chinese admin showed "CHANGES", "None", "Loaded from its source
    document" and English category names in its dropdown."""
    from outcomes.models import Outcome

    outcome = Outcome.objects.get(reference="I.3")
    history = editor_client.get(f"/zh-hans/admin/outcomes/outcome/{outcome.pk}/history/")
    html = history.content.decode()
    assert "从来源文件载入" in html and "Loaded from its source document" not in html
    assert ">Changes<" not in html and ">None<" not in html.replace(" ", "")
    change = editor_client.get(f"/zh-hans/admin/outcomes/outcome/{outcome.pk}/change/")
    select = re.search(r'<select name="category".*?</select>', change.content.decode(), re.S)[0]
    assert "民生合作与捐赠" in select or "民生" in select
    assert "Livelihood Cooperation and Donation" not in select
