import getpass
import os
import sys

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Where a password comes from when there is no terminal to ask (scripts, CI, containers).
PASSWORD_VARIABLE = "ACCOUNT_PASSWORD"


class Command(BaseCommand):
    help = (
        "Make an editor (a staff account in the Editors group) or, with --superuser, a "
        "superuser; an existing account is updated. The password is asked at the terminal, "
        f"or read from {PASSWORD_VARIABLE} when there is no terminal; without either, "
        "nothing is made."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--superuser", action="store_true", help="A superuser instead.")
        parser.add_argument("--email", default="", help="The account's e-mail address.")

    def handle(self, *args, username, superuser, email, **options):
        user = User.objects.filter(username=username).first() or User(username=username)
        if email:
            user.email = email
        user.set_password(self.password(user))
        user.is_staff = True
        user.is_superuser = user.is_superuser or superuser
        with transaction.atomic():
            user.save()
            if not superuser:
                user.groups.add(Group.objects.get(name="Editors"))
        kind = "a superuser" if user.is_superuser else "a staff account in the Editors group"
        self.stdout.write(self.style.SUCCESS(f"{username} is {kind}, with the new password."))

    def password(self, user):
        """The new password, checked by the site's password validators before anything is saved."""
        given = os.environ.get(PASSWORD_VARIABLE)
        if given is None:
            if not sys.stdin.isatty():
                raise CommandError(
                    f"No terminal to ask for {user.username}'s password: set {PASSWORD_VARIABLE} "
                    f"(e.g. {PASSWORD_VARIABLE}=… make editor USER={user.username}). "
                    "Nothing was changed."
                )
            given = getpass.getpass(f"Password for {user.username}: ")
            if getpass.getpass("The same again: ") != given:
                raise CommandError("The two passwords differ. Nothing was changed.")
        try:
            validate_password(given, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages) + " Nothing was changed.") from None
        return given
