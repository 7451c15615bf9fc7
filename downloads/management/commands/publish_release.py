from django.core.management.base import BaseCommand, CommandError

from downloads import releases


class Command(BaseCommand):
    help = (
        "Publish the catalogue as it is now as the next release (YYYY.N): its records and "
        "its data package are frozen, and /releases/ lists it with its changelog."
    )

    def add_arguments(self, parser):
        parser.add_argument("--note", required=True, help="What the release brings, in brief.")

    def handle(self, *args, note, **options):
        if not note.strip():
            raise CommandError("A release needs a note: what it brings, in brief.")
        release = releases.publish(note.strip())
        self.stdout.write(self.style.SUCCESS(f"Published release {release.number}."))
