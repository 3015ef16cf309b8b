"""Production settings pass Django's deployment check; the embedded default keeps plain
http. Each case runs manage.py in a fresh process, as an operator would, since settings
are read once from the environment."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "false", "SITE_URL": "https://cal.example.com"}
SETTINGS_READ = (
    "from django.conf import settings; import json; print(json.dumps({name: "
    "getattr(settings, name, None) for name in ('SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE')}))"
)


def manage(tmp_path, *args: str, **environ: str) -> subprocess.CompletedProcess:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SCHEDULER_", "SECURE_")) and name not in ("DEBUG", "SITE_URL")
    }
    env.update(SCHEDULER_VAR_DIR=str(tmp_path), SECRET_KEY=secrets.token_urlsafe(50), **environ)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_settings(tmp_path, **environ: str) -> dict:
    result = manage(tmp_path, "shell", "-c", SETTINGS_READ, **environ)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    return values


def test_an_https_install_passes_the_deployment_check_at_warning_level(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_an_http_site_url_fails_the_deployment_check_naming_what_is_missing(tmp_path):
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SITE_URL="http://cal.example.com",
    )
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_turning_hsts_off_is_reported_by_the_deployment_check(tmp_path):
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SCHEDULER_HSTS_SECONDS="0",
        **PRODUCTION,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_an_https_install_redirects_sends_hsts_for_a_year_and_uses_secure_cookies(tmp_path):
    values = read_settings(tmp_path, **PRODUCTION)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    # No proxy declared: a client's X-Forwarded-Proto is not believed.
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_behind_a_proxy_the_forwarded_scheme_is_trusted_and_the_redirect_can_be_left_to_it(
    tmp_path,
):
    values = read_settings(
        tmp_path,
        SCHEDULER_TRUSTED_PROXY_HOPS="1",
        SCHEDULER_SSL_REDIRECT="false",
        SCHEDULER_HSTS_SECONDS="600",
        **PRODUCTION,
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600


def test_the_embedded_default_stays_plain_http(tmp_path):
    values = read_settings(tmp_path)
    assert values == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }


def test_a_bad_hsts_value_stops_start_up_naming_the_variable(tmp_path):
    result = manage(tmp_path, "check", SCHEDULER_HSTS_SECONDS="a year")
    assert result.returncode != 0
    assert "SCHEDULER_HSTS_SECONDS='a year'" in result.stderr


@pytest.mark.django_db
def test_the_embedded_default_answers_plain_http_without_a_redirect(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000)
def test_with_the_redirect_on_pages_move_to_https_but_health_checks_do_not(client: Client):
    page = client.get("/book/nowhere/")
    assert page.status_code == 301
    assert page["Location"] == "https://testserver/book/nowhere/"
    assert client.get("/healthz").status_code == 200
    secure = client.get("/healthz", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


QUEUES_READ = (
    "from django.conf import settings; import json; print(json.dumps({"
    "'named': {name: getattr(settings, name) for name in ('SCHEDULER_NOTIFICATIONS_QUEUE', "
    "'SCHEDULER_EMAIL_QUEUE', 'SCHEDULER_WEBHOOK_QUEUE', 'SCHEDULER_CALENDARS_QUEUE')}, "
    "'read': [queue.name for queue in settings.CELERY_TASK_QUEUES], "
    "'beat': {entry['task']: entry['options']['queue'] "
    "for entry in settings.CELERY_BEAT_SCHEDULE.values()}}))"
)


def read_queues(tmp_path, **environ: str) -> dict:
    result = manage(tmp_path, "shell", "-c", QUEUES_READ, **environ)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        pytest.param(
            {},
            ["celery", "notifications.email", "notifications.webhook", "calendars"],
            id="defaults",
        ),
        pytest.param(
            {
                "SCHEDULER_EMAIL_QUEUE": "mail",
                "SCHEDULER_WEBHOOK_QUEUE": "hooks",
                "SCHEDULER_CALENDARS_QUEUE": "caldav",
            },
            ["celery", "mail", "hooks", "caldav"],
            id="each-named",
        ),
        # Set before the queues were split, it still names the queue of every send.
        pytest.param(
            {"SCHEDULER_NOTIFICATIONS_QUEUE": "work"},
            ["work", "work", "work", "work"],
            id="only-the-old-one",
        ),
    ],
)
def test_the_queues_are_read_from_the_environment_and_all_read_by_a_worker_without_q(
    tmp_path, environ, named
):
    values = read_queues(tmp_path, **environ)
    notifications, email, webhook, calendars = named
    assert values["named"] == {
        "SCHEDULER_NOTIFICATIONS_QUEUE": notifications,
        "SCHEDULER_EMAIL_QUEUE": email,
        "SCHEDULER_WEBHOOK_QUEUE": webhook,
        "SCHEDULER_CALENDARS_QUEUE": calendars,
    }
    # A worker without -Q (`make run`) reads every one of them, and the default queue.
    assert set(values["read"]) == {"celery", *named}
    # Beat sends the calendar sweeps to the calendars' queue, the rest to the old one.
    assert values["beat"] == {
        "bookings.sweep_outbox": notifications,
        "pages.sweep_calendar_writes": calendars,
        "pages.sync_due_calendars": calendars,
        "bookings.purge_idempotency_keys": notifications,
    }
