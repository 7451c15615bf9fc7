from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from downloads.loader import PackageError, load
from outcomes.models import Outcome
from outcomes.seeding import mark_seeded, seed_countries, seed_names


class Command(BaseCommand):
    help = (
        "Fill an empty catalogue (a database migrated, not seeded) with a data package "
        "from /data/: its zip file, its folder or its datapackage.json. Each file must "
        "match datapackage.json's sha256; a package with any error loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The package's zip file, folder or datapackage.json.")

    def handle(self, *args, path, **options):
        try:
            with transaction.atomic():
                counts = load(path)
                # The package holds what its catalogue's editors made of the document:
                # `seed` must not add back what they renamed or deleted.
                mark_seeded()
                # The package has no Chinese names nor aliases of countries: CLDR's;
                # and the other names people search for (fixtures/names.json).
                seed_countries()
                seed_names()
                Outcome.objects.all().refresh_search_text()
        except PackageError as error:
            raise CommandError(str(error)) from None
        loaded = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded {loaded}."))
