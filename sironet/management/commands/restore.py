from django.core.management.base import BaseCommand, CommandError

from outcomes.models import Outcome
from sironet import backups


class Command(BaseCommand):
    help = "Restore a backup (manage.py backup) into an empty database and media folder."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup's tar file.")

    def handle(self, *args, path, **options):
        try:
            made = backups.restore(path)
        except backups.RestoreError as error:
            raise CommandError(str(error)) from None
        outcomes, history = Outcome.objects.count(), Outcome.history.count()
        self.stdout.write(
            f"Restored the backup made {made['made']}: {outcomes} outcomes, {history} "
            "historical records of outcomes. Run manage.py migrate if this release is newer."
        )
