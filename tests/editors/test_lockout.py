"""Repeated failed logins lock an account out, from that address, for a while."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import EDITOR_PASSWORD


def log_in(client, username, password, address="203.0.113.7", **headers):
    """The login page's first step, the password, on the way to the admin."""
    return client.post(
        f"{reverse('two_factor:login')}?next={reverse('admin:index')}",
        {"auth-username": username, "auth-password": password, "login_view-current_step": "auth"},
        REMOTE_ADDR=address,
        **headers,
    )


def assert_logged_in(response):
    """The password taken: an account without a second factor enrols one next."""
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor:setup")


def assert_refused(response):
    assert response.status_code == 429
    assert "Login refused for now" in response.content.decode()


def test_the_right_password_is_refused_after_repeated_failures(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, editor.username, "wrong").status_code == 200  # the form again
    assert log_in(client, editor.username, "wrong").status_code == 429  # the last failure

    response = log_in(client, editor.username, EDITOR_PASSWORD)

    assert response.status_code == 429
    content = response.content.decode()
    assert "Login refused for now" in content
    assert "Even the right password" in content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(reverse("admin:index")).status_code == 302  # not logged in


def test_a_stranger_failing_from_one_address_does_not_lock_the_editor_out(client, editor):
    """Locks are per account and address: failures from one address, for every editor,
    do not keep the editors out from their own addresses."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, editor.username, "wrong", "198.51.100.66")
    assert_refused(log_in(client, editor.username, EDITOR_PASSWORD, "198.51.100.66"))
    assert_logged_in(log_in(client, editor.username, EDITOR_PASSWORD))


def test_behind_the_proxy_the_lock_is_per_forwarded_client(client, editor, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy = {"HTTP_X_FORWARDED_PROTO": "https"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(
            client,
            editor.username,
            "wrong",
            "127.0.0.1",
            **proxy,
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    response = log_in(
        client,
        editor.username,
        EDITOR_PASSWORD,
        "127.0.0.1",
        **proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert_logged_in(response)


def test_fewer_failures_than_the_limit_do_not_lock(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, editor.username, "wrong")

    assert_logged_in(log_in(client, editor.username, EDITOR_PASSWORD))
    # A password alone opens no admin page: the second factor comes first.
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_lockout_ends_after_a_quarter_of_an_hour(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, editor.username, "wrong")
    attempts = AccessAttempt.objects.filter(username=editor.username)

    attempts.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert_refused(log_in(client, editor.username, EDITOR_PASSWORD))

    attempts.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert_logged_in(log_in(client, editor.username, EDITOR_PASSWORD))
