from django.core.management.base import BaseCommand
from django.utils import timezone

from sironet import backups


class Command(BaseCommand):
    help = "Back up the database (with its history, reports and accounts) and the media."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="The file to write (a dated name).")

    def handle(self, *args, path=None, **options):
        path = path or f"sironet-backup-{timezone.now():%Y%m%d-%H%M%S}.tar"
        backups.backup(path)
        self.stdout.write(f"Backed up to {path}.")
