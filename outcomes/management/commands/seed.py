from django.core.management.base import BaseCommand

from outcomes.seeding import seed


class Command(BaseCommand):
    help = (
        "Load the catalogue's data (ISO countries and fixtures/catalogue.json). "
        "Safe to run again: existing records, and records seeded before, are never changed."
    )

    def handle(self, *args, **options):
        report = seed()
        self.stdout.write(self.style.SUCCESS(str(report)))
