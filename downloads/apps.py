from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DownloadsConfig(AppConfig):
    """Any list of outcomes as CSV, Excel or JSON, and the catalogue as a data package."""

    name = "downloads"
    verbose_name = _("Downloads")
