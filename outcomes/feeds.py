"""Atom feeds of new and corrected outcomes (docs/reuse.md, "Feeds"): one entry per change,
from the outcomes' history (outcomes/changelog.py), newest first."""

from typing import Any

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from edge.pages import redirect_renamed
from outcomes.changelog import changes_in_words, with_previous
from outcomes.models import Category, Country, Organization, Outcome

# The newest changes a feed carries, read from at most this many historical records
# (a save that changes nothing leaves one too, and is no entry).
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

    def title(self, chosen):
        about = f": {chosen}" if chosen else ""
        return f"SIRONET Outcomes Catalogue{about}, new and corrected outcomes"

    subtitle = "Each entry is an outcome added to the catalogue or a correction to one."

    def link(self, chosen):
        return chosen.get_absolute_url() if chosen else reverse("outcomes:outcome_list")

    def items(self, chosen):
        outcomes = Outcome.objects.all()
        if chosen:
            outcomes = outcomes.filter(**{OUTCOMES_OF[type(chosen)]: chosen})
        history = Outcome.history.filter(id__in=outcomes.values("pk"), history_type__in=["+", "~"])
        records = with_previous(history.order_by("-history_date", "-history_id"), limit=READ)
        current = Outcome.objects.in_bulk([record.id for record in records])
        entries = []
        for record in records:
            record.outcome = current.get(record.id)
            if record.outcome is None:
                continue
            record.words = changes_in_words(record)
            if record.history_type == "+" or record.words:
                entries.append(record)
                if len(entries) == ENTRIES:
                    break
        return entries

    def item_title(self, record):
        kind = "New" if record.history_type == "+" else "Corrected"
        return f"{kind}: {record.outcome.reference} {record.outcome.title}"

    def item_description(self, record):
        return record.outcome.text if record.history_type == "+" else "; ".join(record.words)

    def item_link(self, record):
        return record.outcome.get_absolute_url()

    def item_guid(self, record):
        return self.request.build_absolute_uri(f"{self.item_link(record)}#change-{record.pk}")

    item_guid_is_permalink = False

    def item_pubdate(self, record):
        return record.history_date

    item_updateddate = item_pubdate


# Feeds of records that may be renamed: an earlier slug redirects (redirect_renamed).
RENAMED: dict[str | None, Any] = {"category": Category, "organization": Organization}

# The lookup from an outcome to the record a feed is about.
OUTCOMES_OF = {
    Category: "category",
    Country: "countries",
    Organization: "participations__organization",
}


def feed(request, kind=None, key=None):
    model = RENAMED.get(kind)
    if model is not None and not model.objects.filter(slug=key).exists():
        return redirect_renamed(model.objects.all(), key, address=feed_address)
    return OutcomeChanges()(request, kind=kind, key=key)


def feed_address(record):
    return reverse(f"outcomes:{type(record)._meta.model_name}_feed", args=[record.slug])
