"""The fixture says what the document says: each test fails if the data drifts from it."""

import re
from decimal import Decimal

import pytest

from outcomes.models import (
    Category,
    Figure,
    Organization,
    Outcome,
    Programme,
)
from tests.document import document_items, document_text
from tests.places import countries_named_in

pytestmark = pytest.mark.django_db


def test_document_has_37_items_in_five_sections():
    sections = [reference.split(".")[0] for reference, _ in document_items()]
    assert len(sections) == 37
    assert {numeral: sections.count(numeral) for numeral in dict.fromkeys(sections)} == {
        "I": 8,
        "II": 11,
        "III": 4,
        "IV": 6,
        "V": 8,
    }


def test_outcomes_are_the_document_items_one_to_one_in_order():
    outcomes = list(Outcome.objects.in_document_order().values_list("reference", "text"))
    assert outcomes == document_items()


def test_every_outcome_text_occurs_verbatim_in_the_document():
    document = document_text()
    for outcome in Outcome.objects.all():
        assert outcome.text in document, outcome.reference


def test_categories_are_the_document_sections_in_order():
    headings = re.findall(r"^(I|II|III|IV|V)\. (.+)$", document_text(), flags=re.MULTILINE)
    assert list(Category.objects.values_list("numeral", "name")) == headings
    assert list(Category.objects.values_list("slug", flat=True)) == [
        "livelihood",
        "capacity",
        "development",
        "culture",
        "mechanism",
    ]


def test_each_outcome_sits_in_the_section_of_its_reference():
    for outcome in Outcome.objects.select_related("category"):
        assert outcome.reference.split(".")[0] == outcome.category.numeral


def test_the_scan_finds_adjectives_and_abbreviations():
    assert countries_named_in("job creation program in Cambodian communities") == {"KH"}
    assert countries_named_in("Red Cross Societies in China and ROK") == {"CN", "KR"}
    assert countries_named_in("Polish House Civic Association") == {"PL"}
    assert countries_named_in("Tanzania-China Friendship") == {"TZ", "CN"}
    assert countries_named_in("in Ethiopia and Sudan") == {"ET", "SD"}
    assert countries_named_in("women and children in Indiana") == set()


def test_every_linked_organization_is_named_in_its_item():
    for outcome in Outcome.objects.prefetch_related("participations__organization"):
        for participation in outcome.participations.all():
            assert participation.organization.name in outcome.text, (
                outcome.reference,
                participation.organization.name,
            )


def test_every_catalogue_organization_named_in_an_item_is_linked_to_it():
    organizations = list(Organization.objects.all())
    for outcome in Outcome.objects.prefetch_related("organizations"):
        linked = set(outcome.organizations.all())
        for organization in organizations:
            named = re.search(rf"(?<![\w-]){re.escape(organization.name)}(?![\w-])", outcome.text)
            if named or (organization.acronym and f"({organization.acronym})" in outcome.text):
                assert organization in linked, (outcome.reference, organization.name)


def test_each_item_opens_with_its_first_organization():
    for outcome in Outcome.objects.prefetch_related("participations__organization"):
        first = outcome.participations.all()[0].organization
        assert outcome.text.startswith(first.name), outcome.reference


def test_organizations_appearing_in_two_items_are_one_record():
    def references(name):
        return sorted(
            Organization.objects.get(name=name).outcomes.values_list("reference", flat=True)
        )

    assert references("China Foundation for Peace and Development") == ["I.1", "II.11"]
    assert references("China Foundation for Poverty Alleviation") == ["I.2", "I.4"]
    assert references("China NGO Network for International Exchanges") == ["V.7", "V.8"]


def test_acronyms_are_the_ones_the_document_gives():
    given = dict(Organization.objects.exclude(acronym="").values_list("acronym", "name"))
    assert set(given) == {"CFPD", "CNIE", "RAMUNION"}
    for acronym in ("CFPD", "CNIE"):
        assert f"{given[acronym]} ({acronym})" in document_text()
    assert given["RAMUNION"] == "RAMUNION"  # the document names it by its acronym alone
    assert "RAMUNION founded" in document_text()


def test_programme_names_are_quoted_from_their_item():
    for programme in Programme.objects.select_related("outcome"):
        assert programme.name in programme.outcome.text, programme.name


def parse_figure(words):
    """(qualifier, number) read from a figure's words, or (None, None) when vague."""
    qualifier = "exact"
    for phrase, meaning in (("more than", "over"), ("over", "over"), ("nearly", "nearly")):
        if words.startswith(phrase):
            qualifier = meaning
    numbers = {"one": 1}
    match = re.search(r"\b(\d[\d,]*|one)( million)?\b", words)
    if not match:
        return None, None
    number = Decimal(numbers.get(match[1]) or match[1].replace(",", ""))
    if match[2]:
        number *= 1_000_000
    return qualifier, number


def test_figures_are_read_from_their_words():
    for figure in Figure.objects.select_related("outcome"):
        assert figure.words in figure.outcome.text, figure.words
        qualifier, value = parse_figure(figure.words)
        assert figure.value == value, figure.words
        assert (figure.qualifier or None) == qualifier, figure.words
        if figure.kind == "money":
            expected = "CNY" if "RMB" in figure.words else "USD"
            assert figure.currency == expected, figure.words
            # "dollars" without "US" names no currency: US dollars are our reading.
            assert figure.currency_assumed == ("US" not in figure.words and expected == "USD")
        else:
            assert figure.unit.split()[-1] in figure.words, figure.words


def test_the_documented_figures():
    def figure(reference, position=1):
        return Figure.objects.get(outcome__reference=reference, position=position)

    assert (figure("II.1").value, figure("II.1").qualifier, figure("II.1").currency) == (
        500_000,
        "over",
        "USD",
    )
    assert (figure("III.3").value, figure("III.3").qualifier, figure("III.3").currency) == (
        1_000_000,
        "exact",
        "CNY",
    )
    assert (figure("V.6").value, figure("V.6").qualifier, figure("V.6").currency) == (
        100_000_000,
        "nearly",
        "CNY",
    )
    assert figure("I.7").value is None


def test_scope_text_is_quoted_from_the_item():
    for outcome in Outcome.objects.exclude(scope=""):
        assert outcome.scope in outcome.text, outcome.reference
