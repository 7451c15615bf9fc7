from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdgeConfig(AppConfig):
    """The HTTP edge: read routing, the shared cache, kept pages, purges, middleware."""

    name = "edge"
    verbose_name = _("HTTP edge")

    def ready(self):
        from edge import routing
        from outcomes.dataversion import version_bumped

        # This process serves no older version than one it made.
        version_bumped.connect(
            lambda sender, version, **kwargs: routing.saw_version(version.number),
            weak=False,
            dispatch_uid="edge-saw-version",
        )
