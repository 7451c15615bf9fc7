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
        parser.add_argument(
            "--two-factor",
            action="store_true",
            help="Enrol a second factor now (a new one replaces the old): print the "
            "authenticator's QR code and key, and ten recovery codes, each usable once.",
        )

    def handle(self, *args, username, superuser, email, two_factor=False, **options):
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
        if two_factor:
            self.enrol(user)

    def enrol(self, user):
        """The login page's enrolment, at a terminal: an authenticator and recovery codes."""
        import qrcode
        from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
        from django_otp.plugins.otp_totp.models import TOTPDevice

        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="default")
            recovery = StaticDevice.objects.create(user=user, name="backup")
            codes = [StaticToken.random_token() for _ in range(10)]
            recovery.token_set.bulk_create([StaticToken(device=recovery, token=c) for c in codes])
        code = qrcode.QRCode(border=2)
        code.add_data(device.config_url)
        code.print_ascii(out=self.stdout, invert=True)
        self.stdout.write(
            f"Authenticator: scan the code above, or add this address:\n"
            f"{device.config_url}\n"
            "Recovery codes (each works once; keep them apart from the phone):\n" + "\n".join(codes)
        )

    def password(self, user):
        """Checked by the site's password validators before anything is saved."""
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
