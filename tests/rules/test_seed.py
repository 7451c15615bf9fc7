"""`manage.py seed` loads the document once and never overwrites an editor's work."""

from io import StringIO

import pycountry
import pytest
from django.apps import apps
from django.core.management import call_command

from outcomes.models import Country, Organization, Outcome, Participation, SeedRecord
from outcomes.seeding import seed

pytestmark = pytest.mark.django_db


def row_counts():
    """Rows in each catalogue table (the seeding ledger aside)."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_app_config("outcomes").get_models()
        if model is not SeedRecord
    }


def empty_the_catalogue():
    Participation.objects.all().delete()
    Organization.objects.exclude(founded_by=None).delete()  # founders are protected
    for model in reversed(list(apps.get_app_config("outcomes").get_models())):
        model.objects.all().delete()


def test_seed_on_an_empty_database_gives_the_document():
    empty_the_catalogue()
    out = StringIO()
    call_command("seed", stdout=out)
    assert Outcome.objects.count() == 37
    assert Organization.objects.count() == 48  # 45 named, 3 of them founded bodies
    assert Country.objects.count() == len(pycountry.countries)
    assert "37 outcomes" in out.getvalue()


def test_seeding_twice_changes_no_row_count():
    before = row_counts()
    report = seed()
    assert row_counts() == before
    assert report.countries_added == 0
    assert report.added == {}


def test_an_editors_title_survives_reseeding():
    outcome = Outcome.objects.get(reference="I.1")
    outcome.title = "Nine schools in Myanmar (corrected)"
    outcome.save()
    seed()
    assert Outcome.objects.get(reference="I.1").title == "Nine schools in Myanmar (corrected)"


def test_an_editors_country_links_survive_reseeding():
    outcome = Outcome.objects.get(reference="I.7")
    outcome.countries.remove(Country.objects.get(code="NP"))
    seed()
    assert "NP" not in outcome.countries.values_list("code", flat=True)


def test_a_renamed_organization_is_not_seeded_again():
    organization = Organization.objects.get(slug="cfpd")
    organization.slug = "china-foundation-for-peace-and-development"
    organization.save()
    before = row_counts()
    seed()
    assert row_counts() == before


def test_a_deleted_outcome_is_not_brought_back():
    Outcome.objects.get(reference="V.4").delete()
    before = row_counts()
    report = seed()
    assert not Outcome.objects.filter(reference="V.4").exists()
    assert row_counts() == before
    # V.4's participation, programme and mention, and its search for later reports
    assert report.orphaned == 4


def test_a_record_that_exists_but_was_never_seeded_is_kept_as_it_is():
    SeedRecord.objects.all().delete()
    Outcome.objects.filter(reference="II.7").update(title="Imported title")
    before = row_counts()
    seed()
    assert Outcome.objects.get(reference="II.7").title == "Imported title"
    assert row_counts() == before


def test_a_country_an_editor_renamed_keeps_its_name():
    Country.objects.filter(code="KR").update(name="Republic of Korea")
    seed()
    assert Country.objects.get(code="KR").name == "Republic of Korea"
