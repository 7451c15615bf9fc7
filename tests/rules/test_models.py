import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from outcomes.models import Figure, Organization, Outcome, document_position, sort_name

pytestmark = pytest.mark.django_db


def test_document_order_puts_ii_10_after_ii_9():
    assert document_position("II.9") < document_position("II.10") < document_position("III.1")
    references = list(Outcome.objects.values_list("reference", flat=True))
    assert references.index("II.10") == references.index("II.9") + 1


def test_a_leading_the_is_ignored_for_sorting():
    assert sort_name("The Great Wall Society of China") == "Great Wall Society of China"
    assert Organization.objects.get(slug="great-wall-society-of-china").sort_name.startswith(
        "Great"
    )


def test_a_new_organization_gets_a_slug_without_the():
    organization = Organization.objects.create(name="The Test Foundation", type="foundation")
    assert organization.slug == "test-foundation"


@pytest.mark.parametrize("reference", ["VI.1", "I.0", "i.1", "I-1", "I.", "II.01"])
def test_a_malformed_reference_is_refused(reference):
    outcome = Outcome.objects.get(reference="I.1")
    outcome.reference = reference
    with pytest.raises(ValidationError) as error:
        outcome.full_clean()
    assert "reference" in error.value.message_dict


def test_a_reference_must_match_its_section():
    outcome = Outcome.objects.get(reference="I.1")
    outcome.reference = "II.99"
    with pytest.raises(ValidationError, match="section I"):
        outcome.full_clean()


def test_the_database_refuses_money_without_a_currency():
    outcome = Outcome.objects.get(reference="I.1")
    with pytest.raises(IntegrityError):
        Figure.objects.create(outcome=outcome, position=9, kind="money", value=5, words="5")


def test_the_database_refuses_a_count_without_a_unit():
    outcome = Outcome.objects.get(reference="I.1")
    with pytest.raises(IntegrityError):
        Figure.objects.create(outcome=outcome, position=9, kind="count", value=5, words="5")


def test_the_database_refuses_a_negative_value():
    outcome = Outcome.objects.get(reference="I.1")
    with pytest.raises(IntegrityError):
        Figure.objects.create(
            outcome=outcome, position=9, kind="count", value=-1, unit="schools", words="-1"
        )


def test_figure_validation_explains_what_is_missing():
    figure = Figure(kind="money", value=5, qualifier="exact", words="5")
    with pytest.raises(ValidationError) as error:
        figure.clean()
    assert "needs a currency" in error.value.message_dict["currency"][0]


def test_str_and_urls():
    outcome = Outcome.objects.get(reference="I.3")
    assert str(outcome).startswith("I.3 ")
    assert outcome.get_absolute_url() == f"/outcomes/{outcome.slug}/"
