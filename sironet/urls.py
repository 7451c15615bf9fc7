from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe
from two_factor.admin import AdminSiteOTPRequired
from two_factor.urls import urlpatterns as two_factor_urls

from api.views import api
from outcomes.sitemaps import SITEMAPS
from outcomes.views import favicon, robots_txt

# Staff need a second factor for every admin page (settings.STAFF_TWO_FACTOR).
if settings.STAFF_TWO_FACTOR:
    admin.site.__class__ = AdminSiteOTPRequired

# Pages in English at their addresses, and in Chinese under /zh-hans/ (settings.LANGUAGES).
urlpatterns = i18n_patterns(
    path("", include("outcomes.urls")),
    path("", include("downloads.urls")),
    path("", include("corrections.urls")),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("", include(two_factor_urls)),
    prefix_default_language=False,
)
urlpatterns += [
    path("api/v1/", api.urls),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
]
handler404 = "edge.errors.not_found"
