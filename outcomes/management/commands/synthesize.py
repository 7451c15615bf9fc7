import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from outcomes.models import Category
from outcomes.synthetic import synthetic_outcomes
from outcomes.versioning import bump_data_version


class Command(BaseCommand):
    help = (
        "Add N synthetic outcomes (references S.1, S.2…) to measure the catalogue at scale. "
        "Run `seed` first. Never use it on the production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--outcomes", type=int, required=True, help="How many to add.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (reproducible).")

    def handle(self, *args, outcomes, seed, **options):
        if outcomes < 1:
            raise CommandError("--outcomes must be at least 1.")
        if not Category.objects.exists():
            raise CommandError("The catalogue is empty: run `manage.py seed` first.")
        # The progress bar goes to the terminal only (standard error), never into a log.
        with tqdm(total=outcomes, unit="outcome", disable=not sys.stderr.isatty()) as bar:
            added = synthetic_outcomes(outcomes, seed=seed, progress=bar.update)
        bump_data_version()
        self.stdout.write(self.style.SUCCESS(f"Added {added} synthetic outcomes."))
