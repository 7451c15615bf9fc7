"""Atom feeds (docs/reuse.md, "Feeds"): an entry per change in the outcomes' history
(outcomes/changelog.py) and per reviewed later report on an outcome, newest first."""

from datetime import UTC, datetime, time
from typing import Any

from django.contrib.syndication.views import Feed
from django.db.models import Min
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext, pgettext

from edge.pages import redirect_renamed
from outcomes.changelog import changes_in_words, with_previous
from outcomes.models import Category, Country, LaterReport, Organization, Outcome, localized

# The newest changes a feed carries, read from at most READ historical records (a save
# that changes nothing leaves one too, and is no entry).
ENTRIES = 50
READ = 500


class OutcomeChanges(Feed):
    """One instance per request (see feed()): get_object keeps the request."""

    feed_type = Atom1Feed

    def get_object(self, request, kind=None, key=None):
        self.request = request
        if kind == "country":
            return get_object_or_404(Country, code=key.upper())
        if kind in RENAMED:
            return RENAMED[kind].objects.get(slug=key)  # else feed() redirects
        return None

    # A feed speaks the language of the address it is read at (/zh-hans/…: Chinese).
    def title(self, chosen):
        if chosen:
            return gettext("SIRONET Outcomes Catalogue: %(name)s, new and corrected outcomes") % {
                "name": localized(chosen, "title" if isinstance(chosen, Outcome) else "name")
            }
        return gettext("SIRONET Outcomes Catalogue, new and corrected outcomes")

    def subtitle(self):
        return gettext(
            "Each entry is an outcome added to the catalogue, a correction to one, "
            "or a later report on one, once an editor has reviewed it."
        )

    def link(self, chosen):
        return chosen.get_absolute_url() if chosen else reverse("outcomes:outcome_list")

    def items(self, chosen):
        outcomes = Outcome.objects.all()
        if chosen:
            outcomes = outcomes.filter(**{OUTCOMES_OF[type(chosen)]: chosen.pk})
        history = Outcome.history.filter(id__in=outcomes.values("pk"), history_type__in=["+", "~"])
        records = with_previous(history.order_by("-history_date", "-history_id"), limit=READ)
        current = Outcome.objects.in_bulk([record.id for record in records])
        entries = []
        for record in records:
            record.outcome = current.get(record.id)  # None if deleted since
            record.words = changes_in_words(record)
            if record.outcome and (record.history_type == "+" or record.words):
                entries.append(record)
                if len(entries) == ENTRIES:
                    break
        entries += later_reports(outcomes)
        entries.sort(key=self.item_pubdate, reverse=True)
        return entries[:ENTRIES]

    def item_title(self, record):
        if isinstance(record, LaterReportLink):
            report = record.laterreport
            return gettext(
                "Later report on %(reference)s %(title)s: %(reading)s (%(publisher)s, %(day)s)"
            ) % {
                "reference": record.outcome.reference,
                "title": localized(record.outcome, "title"),
                "reading": report.get_reading_display(),
                "publisher": report.publisher,
                "day": date_filter(report.published, "DATE_FORMAT"),
            }
        kind = pgettext("feed entry", "New") if record.history_type == "+" else gettext("Corrected")
        title = localized(record.outcome, "title")
        return f"{kind}: {record.outcome.reference} {title}"

    def item_description(self, record):
        if isinstance(record, LaterReportLink):
            report = record.laterreport
            return gettext("%(summary)s Source: “%(title)s”, %(publisher)s, %(url)s") % {
                "summary": localized(report, "summary"),
                "title": report.title,
                "publisher": report.publisher,
                "url": report.url,
            }
        return record.outcome.text if record.history_type == "+" else "; ".join(record.words)

    def item_link(self, record):
        if isinstance(record, LaterReportLink):
            return f"{record.outcome.get_absolute_url()}#report-{record.laterreport_id}"
        return record.outcome.get_absolute_url()

    def item_guid(self, record):
        change = "" if isinstance(record, LaterReportLink) else f"#change-{record.pk}"
        return self.request.build_absolute_uri(self.item_link(record) + change)

    item_guid_is_permalink = False

    def item_pubdate(self, record):
        return record.history_date  # a later report's: when it was reviewed

    item_updateddate = item_pubdate


LaterReportLink = LaterReport.outcomes.through


def later_reports(outcomes):
    """An entry per report and outcome, dated when first saved as reviewed (two queries)."""
    links = list(
        LaterReportLink.objects.filter(
            laterreport__in=LaterReport.objects.reviewed(), outcome__in=outcomes
        )
        .select_related("laterreport", "outcome")
        .order_by("-laterreport__reviewed", "-pk")[:ENTRIES]
    )
    reviewed_at = dict(
        LaterReport.history.filter(
            id__in={link.laterreport_id for link in links}, reviewed__isnull=False
        )
        .values("id")
        .annotate(first=Min("history_date"))
        .values_list("id", "first")
    )
    for link in links:
        report = link.laterreport
        # A report with no history (written by a bulk load): the day it was reviewed.
        day = datetime.combine(report.reviewed or report.published, time(), UTC)
        link.history_date = reviewed_at.get(report.pk, day)  # type: ignore[attr-defined]
    return links


# Feeds of records that may be renamed: an earlier slug redirects (redirect_renamed).
RENAMED: dict[str | None, Any] = {
    "category": Category,
    "organization": Organization,
    "outcome": Outcome,
}

# The lookup from an outcome to the record a feed is about.
OUTCOMES_OF = {
    Outcome: "pk",
    Category: "category",
    Country: "countries",
    Organization: "participations__organization",
}


def feed(request, kind=None, key=None):
    model = RENAMED.get(kind)
    if model is not None and not model.objects.filter(slug=key).exists():
        return redirect_renamed(
            model.objects.all(), key, lambda r: reverse(f"outcomes:{kind}_feed", args=[r.slug])
        )
    return OutcomeChanges()(request, kind=kind, key=key)
