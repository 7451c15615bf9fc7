"""The seeded later reports keep the rules an editor's form enforces: each one published
after its outcomes' document, at a web address, with a reading and both summaries, and
each of the document's items searched once."""

import re

import pytest

from outcomes.models import LaterReport, LaterSearch, Outcome

pytestmark = pytest.mark.django_db


def test_every_seeded_report_keeps_the_forms_rules():
    reports = LaterReport.objects.prefetch_related("outcomes__source")
    assert reports.count() == reports.reviewed().count() == 26
    for report in reports:
        report.full_clean()
        report.check_published_after(report.outcomes.all())
        assert re.match(r"^https?://", report.url), report.url
        assert report.title and report.publisher and report.summary and report.summary_zh
        assert report.outcomes.exists()


def test_every_item_of_the_document_was_searched_in_both_languages():
    searched = LaterSearch.objects.select_related("outcome")
    assert {search.outcome.reference for search in searched} == set(
        Outcome.objects.values_list("reference", flat=True)
    )
    for search in searched:
        assert re.search(r"[\u4e00-\u9fff]", search.queries), search.outcome.reference
        assert re.search(r"[A-Za-z]{4}", search.queries), search.outcome.reference
