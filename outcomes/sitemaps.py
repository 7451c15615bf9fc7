from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from outcomes.models import Category, Country, Organization, Outcome, Region, Source


class CatalogueSitemap(Sitemap):
    """Each page in English and in Chinese, each listing the other as an alternate."""

    i18n = True
    alternates = True
    x_default = True


class PageSitemap(CatalogueSitemap):
    def items(self):
        return [
            "outcomes:home",
            "outcomes:outcome_list",
            "outcomes:organization_list",
            "outcomes:country_list",
            "outcomes:about",
            "downloads:data",
        ]

    def location(self, item):
        return reverse(item)


class OutcomeSitemap(CatalogueSitemap):
    def items(self):
        return Outcome.objects.only("slug", "updated")

    def lastmod(self, outcome):
        return outcome.updated


class ModelSitemap(CatalogueSitemap):
    def __init__(self, queryset):
        self.queryset = queryset

    def items(self):
        return self.queryset


SITEMAPS = {
    "pages": PageSitemap(),
    "outcomes": OutcomeSitemap(),
    "categories": ModelSitemap(Category.objects.all()),
    "organizations": ModelSitemap(Organization.objects.only("slug")),
    "countries": ModelSitemap(Country.objects.with_outcomes().order_by("name").only("code")),
    "regions": ModelSitemap(Region.objects.only("slug")),
    "sources": ModelSitemap(Source.objects.only("slug")),
}
