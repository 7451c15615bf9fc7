from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Catalogue"

    def ready(self):
        from outcomes import signals

        signals.connect()
