from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DownloadsConfig(AppConfig):
    """The downloads: any list of outcomes as CSV, Excel or JSON, and the whole catalogue
    as a data package (written by the worker) that `load_datapackage` loads back."""

    name = "downloads"
    verbose_name = _("Downloads")
