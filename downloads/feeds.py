"""An Atom feed of the catalogue's releases, newest first."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from outcomes.models import Release


class ReleaseFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return gettext("SIRONET Outcomes Catalogue: releases")

    def subtitle(self):
        return gettext("Each entry is a numbered release of the catalogue, with its changelog.")

    def link(self):
        return reverse("downloads:release_list")

    def items(self):
        return Release.objects.listed()[:50]

    def item_title(self, release):
        return gettext("Release %(number)s") % {"number": release.number}

    def item_description(self, release):
        counts = release.counts
        return gettext(
            "%(note)s (%(added)s records added, %(changed)s changed, %(removed)s removed.)"
        ) % {
            "note": release.shown_note,
            **{kind: counts.get(kind, 0) for kind in ("added", "changed", "removed")},
        }

    def item_pubdate(self, release):
        return release.published

    def item_updateddate(self, release):
        return release.published
