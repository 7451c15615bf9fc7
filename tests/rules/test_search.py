"""Search gives the same outcomes on SQLite and PostgreSQL (CI runs this file on both)."""

import tempfile
from pathlib import Path

import pytest
from django.db import connection
from django.http import QueryDict

from outcomes.models import Outcome
from outcomes.search import stem
from outcomes.seeding import seed

pytestmark = pytest.mark.django_db

WORDS = [
    "cataract",
    "school",
    "Myanmar",
    "women",
    "forum",
    "CNIE",
    "RMB",
    "Brightness",
    "youth",
    "green",
    "Ltd",
    "launched",
    "China",
    "ROK",
    "heart",
    "500",
    "zzz",
    "surgery",
    "happily",
]


def expected(word):
    """The rule, spelled out in Python: some word of the search document starts with
    the word's stem (outcomes/search.py)."""
    stemmed = stem(word.lower())
    return {
        outcome.reference
        for outcome in Outcome.objects.all()
        if any(w.startswith(stemmed) for w in outcome.search_text.split())
    }


@pytest.mark.parametrize("word", WORDS)
def test_a_single_word_finds_the_outcomes_with_a_word_starting_with_it(word):
    found = {o.reference for o in Outcome.objects.search(word)}
    assert found == expected(word), connection.vendor


def test_every_word_of_a_query_must_match():
    found = {o.reference for o in Outcome.objects.search("Myanmar schools")}
    assert found == expected("myanmar") & expected("schools")


def test_punctuation_alone_matches_nothing():
    assert not Outcome.objects.search("!!! ???").exists()


def test_the_search_document_follows_an_organization_rename():
    outcome = Outcome.objects.get(reference="V.2")
    organization = outcome.organizations.get()
    organization.name = "Renamed Legal Studies Society"
    organization.save()
    assert {o.reference for o in Outcome.objects.search("renamed")} == {"V.2"}


def test_the_search_document_follows_new_country_links():
    from outcomes.models import Country

    Outcome.objects.get(reference="V.4").countries.add(Country.objects.get(code="BR"))
    assert {o.reference for o in Outcome.objects.search("Brazil")} == {"V.4"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
def test_postgresql_lists_the_best_match_first(client):
    from outcomes.filters import OutcomeFilter

    data = QueryDict("q=myanmar")
    outcomes = OutcomeFilter(data, queryset=Outcome.objects.all()).qs
    ranks = [outcome.rank for outcome in outcomes]
    assert len(ranks) > 1 and ranks == sorted(ranks, reverse=True)
    listed = client.get("/outcomes/", {"q": "myanmar"}).context["page"].object_list
    assert list(listed) == [outcome.pk for outcome in outcomes][: len(listed)]
    # Other filters keep the order of the search.
    narrowed = client.get("/outcomes/", {"q": "myanmar", "category": "livelihood"})
    expected = [o.pk for o in outcomes if o.category.slug == "livelihood"]
    assert len(expected) > 1
    assert list(narrowed.context["page"].object_list) == expected[:20]


def test_a_deleted_country_leaves_no_trace_in_search(db):
    from outcomes.models import Country

    zed = Country.objects.create(code="ZZ", name="Zedland", continent="EU")
    outcome = Outcome.objects.get(reference="V.4")
    outcome.countries.add(zed)
    assert "zedland" in Outcome.objects.get(pk=outcome.pk).search_text
    zed.delete()
    assert "zedland" not in Outcome.objects.get(pk=outcome.pk).search_text


def test_a_failing_search_refresh_still_shows_the_change(db, monkeypatch):
    import pytest

    from outcomes.dataversion import current_version
    from outcomes.models import OutcomeQuerySet

    before = current_version()[0]

    def broken(queryset):
        raise RuntimeError("the database gave up")

    monkeypatch.setattr(OutcomeQuerySet, "refresh_search_text", broken)
    outcome = Outcome.objects.get(reference="V.4")
    outcome.title = "A title"
    with pytest.raises(RuntimeError):
        outcome.save()
    assert current_version()[0] == before + 1  # pages move on to the committed change


def test_every_catalogue_model_notes_its_query_set_updates():
    """QuerySet.update() sends no signal: every catalogue model's QuerySet notes it."""
    from outcomes.dataversion import tracked_models
    from outcomes.models import CatalogueQuerySet

    for model in tracked_models():
        if not model._meta.auto_created:
            assert isinstance(model.objects.all(), CatalogueQuerySet), model


@pytest.mark.django_db(transaction=True)
def test_an_update_a_loaddata_and_a_save_each_show_on_the_next_request(client):
    """After any kind of write, committed, the next request shows it: on every worker,
    since each reads the data version (a new version is a new page and index)."""
    from django.core.management import call_command

    from outcomes.dataversion import current_version
    from outcomes.models import Organization

    seed()
    outcome = Outcome.objects.get(reference="V.2")
    assert "Queried Society" not in client.get(outcome.get_absolute_url()).content.decode()
    before = current_version()[0]

    # QuerySet.update(): the organization's name is in V.2's page and search document.
    Organization.objects.filter(participations__outcome=outcome).update(name="Queried Society")
    assert current_version()[0] == before + 1
    assert "Queried Society" in client.get(outcome.get_absolute_url()).content.decode()
    listed = client.get("/outcomes/", {"q": "queried"}).context["page"].object_list
    assert list(listed) == [outcome.pk]

    # A raw save (loaddata) of the outcome.
    fixture = Path(tempfile.mkdtemp()) / "one.json"
    call_command("dumpdata", "outcomes.outcome", pks=str(outcome.pk), output=str(fixture))
    fixture.write_text(fixture.read_text().replace(outcome.title, "Loaded title"))
    call_command("loaddata", str(fixture), verbosity=0)
    assert current_version()[0] == before + 2
    assert "Loaded title" in client.get(outcome.get_absolute_url()).content.decode()
    assert list(client.get("/outcomes/", {"q": "loaded"}).context["page"].object_list) == [
        outcome.pk
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vector is PostgreSQL's")
def test_a_search_reads_the_stored_vector_through_its_index(db):
    """The search document's tsvector is a generated column (migration 0009): a search
    finds its rows through the column's GIN index and ranks them without parsing."""
    found = Outcome.objects.order_by().search("school").best_first().values_list("pk")
    plan = found.explain()
    assert "search_vector" in plan and "to_tsvector" not in plan
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        assert "outcome_search_vector" in found.explain()
        cursor.execute("RESET enable_seqscan")
    outcome = Outcome.objects.get(reference="I.3")
    outcome.title = "A freshly edited title about quokkas"
    outcome.save()
    assert list(Outcome.objects.search("quokkas").values_list("pk", flat=True)) == [outcome.pk]
