"""tools/synthetic.py adds realistic, clearly marked outcomes, reproducibly and in bulk."""

from datetime import date

import pytest
from django.db.models import Count

from outcomes.models import Category, Outcome, Participation
from tools.synthetic import SYNTHETIC_SOURCE, main

pytestmark = pytest.mark.django_db


def synthetic():
    return Outcome.objects.filter(source__slug=SYNTHETIC_SOURCE["slug"])


def test_synthesize_adds_marked_outcomes_linked_like_the_documents(capsys):
    main(["--outcomes", "300", "--seed", "7"])
    assert "Added 300 synthetic outcomes." in capsys.readouterr().out
    outcomes = synthetic()
    assert outcomes.count() == 300
    assert Outcome.objects.exclude(pk__in=outcomes).count() == 37
    # Valid references of their own source, never one of the document's.
    for outcome in outcomes:
        outcome.full_clean(exclude=["countries"])
        assert int(outcome.reference.split(".")[1]) > 1000
    assert all(o.slug.startswith("synthetic-") for o in outcomes)
    assert all(o.position > 100_000 for o in outcomes)  # after the document's
    organizations = outcomes.annotate(n=Count("participations")).values_list("n", flat=True)
    assert min(organizations) >= 1 and max(organizations) <= 5
    countries = outcomes.annotate(n=Count("countries")).values_list("n", flat=True)
    assert min(countries) == 0 and max(countries) <= 4
    assert set(outcomes.values_list("category", flat=True)) == set(
        Category.objects.values_list("pk", flat=True)
    )
    assert Participation.objects.filter(outcome__in=outcomes, role="partner").exists()


def test_synthetic_outcomes_are_searchable_and_listed_after_the_document():
    main(["--outcomes", "50", "--seed", "1"])
    outcome = synthetic().first()
    word = outcome.text.split()[-3]
    assert outcome in Outcome.objects.search(word)
    assert list(Outcome.objects.values_list("reference", flat=True)[:1]) == ["I.1"]


def test_the_same_seed_gives_the_same_outcomes():
    main(["--outcomes", "40", "--seed", "3"])
    first = list(synthetic().values_list("title", "text", "category__slug", "status"))
    synthetic().delete()
    main(["--outcomes", "40", "--seed", "3"])
    assert list(synthetic().values_list("title", "text", "category__slug", "status")) == first


def test_synthesize_refuses_nonsense(capsys):
    with pytest.raises(SystemExit):
        main(["--outcomes", "0"])
    assert "--outcomes must be at least 1." in capsys.readouterr().err


def test_a_synthetic_outcomes_page_and_its_permanent_address_answer(client):
    """Its permanent address (/sources/<source>/<reference>/) must reverse: `make bench`
    stopped when synthetic references were outside the form of a reference."""
    main(["--outcomes", "5", "--seed", "1"])
    outcome = synthetic().first()
    assert client.get(outcome.get_absolute_url()).status_code == 200
    address = f"/sources/{SYNTHETIC_SOURCE['slug']}/{outcome.reference}/"
    assert client.get(address)["Location"] == outcome.get_absolute_url()


def test_synthetic_outcomes_have_later_reports_reviewed_and_waiting_and_searches():
    """So that the query budgets at two sizes and `make bench` read later reports too."""
    from outcomes.models import LaterReport, LaterSearch

    main(["--outcomes", "200", "--seed", "2"])
    reports = LaterReport.objects.filter(outcomes__in=synthetic()).distinct()
    assert reports.reviewed().count() > 20 and reports.waiting().count() > 5
    assert set(reports.values_list("reading", flat=True)) == {
        "continued",
        "expanded",
        "delivered",
        "changed",
        "ended",
        "contradicts",
    }
    assert reports.filter(figures__isnull=False).exists()
    searched = LaterSearch.objects.filter(outcome__in=synthetic()).count()
    assert 100 < searched < 200
    for report in reports[:20]:
        report.full_clean()
        assert report.published > date(2017, 12, 18)
        assert report.title.startswith("Synthetic")
