"""Staff log in with a password and a second factor (settings.STAFF_TWO_FACTOR): an
authenticator's code, or one of the recovery codes; an account without one enrols right
after its password."""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import EDITOR_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/account/login/?next=/admin/"


def step(client, url, prefix, step_name, **fields):
    data = {f"{prefix}-current_step": step_name}
    data |= {f"{step_name}-{name}": value for name, value in fields.items()}
    return client.post(url, data)


def code_of(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_a_password_alone_opens_no_admin_page(client, editor):
    response = step(client, LOGIN, "login_view", "auth", username="edith", password=EDITOR_PASSWORD)
    assert response["Location"] == reverse("two_factor:setup")
    for url in (reverse("admin:index"), reverse("admin:outcomes_outcome_changelist")):
        assert client.get(url).status_code == 302


def test_a_new_editor_enrols_right_after_the_password_with_a_qr_code_and_recovery_codes(
    client, editor
):
    setup = reverse("two_factor:setup")
    step(client, LOGIN, "login_view", "auth", username="edith", password=EDITOR_PASSWORD)
    page = step(client, setup, "setup_view", "welcome").content.decode()
    # The QR code (an image of ours, under the site's CSP) and the key to type instead.
    assert 'src="/account/two_factor/qrcode/"' in page
    qr = client.get(reverse("two_factor:qr"))
    assert qr.status_code == 200 and qr["Content-Type"].startswith("image/svg+xml")
    key = re.search(r"<code>([A-Z2-7]+)</code>", page)[1]
    assert step(client, setup, "setup_view", "generator", token="000000").status_code == 200
    device = TOTPDevice(key=base64.b32decode(key).hex())
    response = step(client, setup, "setup_view", "generator", token=code_of(device))
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=editor).confirmed
    # Recovery codes, made when asked for and shown once.
    page = client.post(reverse("two_factor:backup_tokens"), follow=True).content.decode()
    codes = StaticToken.objects.filter(device__user=editor)
    assert codes.count() == 10 and all(code.token in page for code in codes)
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_enrolled_editor_gives_the_code_and_a_recovery_code_works_once(client, editor, settings):
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice

    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code below
    device = TOTPDevice.objects.create(user=editor, name="default")
    recovery = StaticDevice.objects.create(user=editor, name="backup")
    recovery.token_set.create(token="recover1")
    page = step(client, LOGIN, "login_view", "auth", username="edith", password=EDITOR_PASSWORD)
    assert page.status_code == 200 and 'name="token-otp_token"' in page.content.decode()
    assert step(client, LOGIN, "login_view", "token", otp_token="123456").status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302  # a wrong code: no entry
    response = step(client, LOGIN, "login_view", "token", otp_token=code_of(device))
    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200

    for attempt in range(2):  # a recovery code, from another browser, once only
        other = Client()
        step(other, LOGIN, "login_view", "auth", username="edith", password=EDITOR_PASSWORD)
        step(other, LOGIN, "login_view", "token", wizard_goto_step="backup")
        other.post(LOGIN, {"login_view-current_step": "backup", "backup-otp_token": "recover1"})
        opened = other.get(reverse("admin:index")).status_code == 200
        assert opened == (attempt == 0)


def test_two_factor_is_off_only_when_said_and_on_by_default_in_production():
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STAFF_TWO_FACTOR)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    production = {"DJANGO_SETTINGS_MODULE": "sironet.settings", "DJANGO_SECRET_KEY": "x" * 50}

    def setting(**more):
        result = subprocess.run(
            [sys.executable, "-c", script],
            env={**env, **production, **more},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip().splitlines()[-1]

    assert setting() == "True"
    assert setting(DJANGO_DEBUG="true") == "False"  # make run: optional
    assert setting(DJANGO_DEBUG="true", DJANGO_STAFF_TWO_FACTOR="true") == "True"
    assert setting(DJANGO_STAFF_TWO_FACTOR="false") == "False"  # a local load test


def test_make_editor_can_enrol_the_second_factor_and_print_it(client, db, monkeypatch):
    import io

    from django.contrib.auth.models import User
    from django.core.management import call_command

    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    monkeypatch.setenv("ACCOUNT_PASSWORD", EDITOR_PASSWORD)
    out = io.StringIO()
    call_command("account", "ana", two_factor=True, stdout=out)
    printed = out.getvalue()
    address = re.search(r"otpauth://totp/\S+", printed)[0]
    codes = printed.split("Recovery codes")[1].split()[-10:]
    ana = User.objects.get(username="ana")
    device = TOTPDevice.objects.get(user=ana)
    assert device.config_url == address and "▀" in printed  # the QR code, in the terminal
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=ana).values_list("token", flat=True)
    )
    step(client, LOGIN, "login_view", "auth", username="ana", password=EDITOR_PASSWORD)
    response = step(client, LOGIN, "login_view", "token", otp_token=code_of(device))
    assert response["Location"] == "/admin/"
