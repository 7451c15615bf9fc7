from django.contrib.sitemaps import GenericSitemap, Sitemap
from django.urls import reverse

from outcomes.models import Category, Country, Organization, Outcome, Region, Source


class CatalogueSitemap(Sitemap):
    """Each page in English and in Chinese, each listing the other as an alternate."""

    i18n = alternates = x_default = True


class PageSitemap(CatalogueSitemap):
    def items(self):
        return [
            "outcomes:home",
            "outcomes:outcome_list",
            "outcomes:organization_list",
            "outcomes:country_list",
            "outcomes:category_list",
            "outcomes:region_list",
            "outcomes:about",
            "downloads:data",
        ]

    def location(self, item):
        return reverse(item)


class ModelSitemap(CatalogueSitemap, GenericSitemap):
    def __init__(self, queryset, date_field=None):
        super().__init__({"queryset": queryset, "date_field": date_field})


SITEMAPS = {
    "pages": PageSitemap(),
    "outcomes": ModelSitemap(Outcome.objects.only("slug", "updated"), date_field="updated"),
    "categories": ModelSitemap(Category.objects.all()),
    "organizations": ModelSitemap(Organization.objects.only("slug")),
    "countries": ModelSitemap(Country.objects.with_outcomes().order_by("name").only("code")),
    "regions": ModelSitemap(Region.objects.only("slug")),
    "sources": ModelSitemap(Source.objects.only("slug")),
}
