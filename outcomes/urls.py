from django.urls import path, re_path
from django.views.decorators.http import require_safe

from edge.pages import public_page
from outcomes import views
from outcomes.feeds import feed

# Feeds are kept per data version, as pages are.
changes = require_safe(public_page(feed))

app_name = "outcomes"

urlpatterns = [
    path("", views.home, name="home"),
    path("outcomes/", views.outcome_list, name="outcome_list"),
    path("outcomes/feed.atom", changes, name="feed"),
    path("outcomes/<slug:slug>/", views.outcome_detail, name="outcome"),
    path("outcomes/<slug:key>/feed.atom", changes, {"kind": "outcome"}, name="outcome_feed"),
    path(
        "outcomes/<slug:slug>/cite.<format>", views.cite, {"kind": "outcome"}, name="outcome_cite"
    ),
    # An item's reference, any case ("I.3", "ii.10"): unique within its source only.
    re_path(r"^outcomes/(?P<reference>[IVXivx]+\.[0-9]+)/$", views.outcome_by_reference),
    path("sources/<slug:slug>/", views.source_detail, name="source"),
    path("sources/<slug:slug>/cite.<format>", views.cite, {"kind": "source"}, name="source_cite"),
    re_path(
        r"^sources/(?P<slug>[-\w]+)/(?P<reference>[IVXivx]+\.[0-9]+)/$",
        views.outcome_by_reference,
        name="source_item",
    ),
    path("categories/", views.category_list, name="category_list"),
    path("categories/<slug:slug>/", views.category_detail, name="category"),
    path("categories/<slug:key>/feed.atom", changes, {"kind": "category"}, name="category_feed"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
    path(
        "organizations/<slug:key>/feed.atom",
        changes,
        {"kind": "organization"},
        name="organization_feed",
    ),
    path("countries/", views.country_list, name="country_list"),
    # Two letters, any case (upper case redirects); anything else is not a country.
    re_path(r"^countries/(?P<code>[A-Za-z]{2})/$", views.country_detail, name="country"),
    re_path(
        r"^countries/(?P<key>[A-Za-z]{2})/feed\.atom$",
        changes,
        {"kind": "country"},
        name="country_feed",
    ),
    path("regions/", views.region_list, name="region_list"),
    path("regions/<slug:slug>/", views.region_detail, name="region"),
    path("about/", views.about, name="about"),
    path("about/cite.<format>", views.cite, {"kind": "catalogue"}, name="catalogue_cite"),
]
