from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EdgeConfig(AppConfig):
    name = "edge"
    verbose_name = _("HTTP edge")

    def ready(self):
        from edge import listen, routing
        from outcomes.dataversion import version_bumped

        def made(sender, version, **kwargs):
            # This process serves no older version than one it made, from now on.
            routing.saw_version(version.number)
            listen.listener.heard(version)

        version_bumped.connect(made, weak=False, dispatch_uid="edge-made-version")
