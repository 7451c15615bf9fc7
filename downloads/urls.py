from django.urls import path, re_path, register_converter
from django.views.decorators.http import require_safe

from downloads import views
from downloads.feeds import ReleaseFeed
from edge.pages import public_page

app_name = "downloads"


class ReleaseNumber:
    regex = r"[0-9]{4}\.[1-9][0-9]*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ReleaseNumber, "release")

urlpatterns = [
    path("outcomes/export.<str:format>", views.outcome_export, name="export"),
    path("data/", views.data, name="data"),
    re_path(r"^data/catalogue\.(?P<format>ttl|jsonld)$", views.catalogue_dcat, name="dcat"),
    path("data/<str:name>", views.data_file, name="file"),
    path("releases/", views.release_list, name="release_list"),
    path("releases/feed.atom", require_safe(public_page(ReleaseFeed())), name="release_feed"),
    path("releases/<release:number>/", views.release, name="release"),
    path("releases/<release:number>/cite.<str:format>", views.release_cite, name="release_cite"),
    path("releases/<release:number>/<str:name>", views.release_file, name="release_file"),
    path(
        "releases/<release:older>/compare/<release:newer>/",
        views.release_compare,
        name="release_compare",
    ),
    path(
        "releases/<release:older>/compare/<release:newer>.json",
        views.release_compare,
        {"format": "json"},
        name="release_compare_json",
    ),
]
