"""Each environment variable: the default, good values, and bad values that stop start-up
with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from scheduler_site import environment as env

ROOT = Path(__file__).resolve().parents[2]


def test_debug_defaults_off_and_reads_words():
    assert env.env_bool({}, "DEBUG", False) is False
    assert env.env_bool({"DEBUG": "true"}, "DEBUG", False) is True
    assert env.env_bool({"DEBUG": "0"}, "DEBUG", True) is False


def test_debug_rejects_a_word_it_does_not_know():
    with pytest.raises(ImproperlyConfigured, match=r"^DEBUG="):
        env.env_bool({"DEBUG": "maybe"}, "DEBUG", False)


def test_allowed_hosts_default_and_list():
    assert "127.0.0.1" in env.env_list({}, "ALLOWED_HOSTS", ["127.0.0.1"])
    assert env.env_list({"ALLOWED_HOSTS": "a.example, b.example"}, "ALLOWED_HOSTS", []) == [
        "a.example",
        "b.example",
    ]


def test_allowed_hosts_rejects_an_empty_list():
    with pytest.raises(ImproperlyConfigured, match=r"^ALLOWED_HOSTS="):
        env.env_list({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS", [])


def test_secret_key_is_generated_once_and_kept(tmp_path):
    key_file = tmp_path / "secret_key"
    first = env.secret_key({}, "SECRET_KEY", key_file)
    assert len(first) >= 50
    assert env.secret_key({}, "SECRET_KEY", key_file) == first
    assert oct(key_file.stat().st_mode)[-3:] == "600"


def test_secret_key_from_the_environment_must_be_long(tmp_path):
    good = "x" * 40
    assert env.secret_key({"SECRET_KEY": good}, "SECRET_KEY", tmp_path / "k") == good
    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY="):
        env.secret_key({"SECRET_KEY": "short"}, "SECRET_KEY", tmp_path / "k")


def test_site_url_default_and_trailing_slash():
    assert env.site_url({}, "SITE_URL", "http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert env.site_url({"SITE_URL": "https://cal.example.com/"}, "SITE_URL", "") == (
        "https://cal.example.com"
    )


@pytest.mark.parametrize("value", ["cal.example.com", "ftp://x.example", "https://x.example/?a=1"])
def test_site_url_rejects_what_is_not_a_base_url(value):
    with pytest.raises(ImproperlyConfigured, match=r"^SITE_URL="):
        env.site_url({"SITE_URL": value}, "SITE_URL", "")


def test_database_defaults_to_sqlite_with_immediate_transactions(tmp_path):
    config = env.database({}, "DATABASE_URL", tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_database_reads_a_postgres_url(tmp_path):
    config = env.database(
        {"DATABASE_URL": "postgres://u:p@db.internal:5433/sched"}, "DATABASE_URL", tmp_path
    )
    assert config["ENGINE"] == "scheduler_site.postgresql"  # Django's, with deadlines
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "sched")


def test_postgres_prepares_statements_unless_told_not_to(tmp_path):
    url = {"DATABASE_URL": "postgres://u@h:5432/sched"}
    options = env.database(url, "DATABASE_URL", tmp_path)["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 2
    assert options["options"] == "-c lock_timeout=5000 -c statement_timeout=10000"
    off = {**url, "DATABASE_PREPARED_STATEMENTS": "false"}
    options = env.database(off, "DATABASE_URL", tmp_path)["OPTIONS"]
    assert "server_side_binding" not in options and "prepare_threshold" not in options
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_PREPARED_STATEMENTS="):
        env.database({**url, "DATABASE_PREPARED_STATEMENTS": "maybe"}, "DATABASE_URL", tmp_path)


def test_postgres_gives_up_on_a_silent_server_after_the_configured_timeouts(tmp_path):
    url = {"DATABASE_URL": "postgres://u@h:5432/sched"}
    config = env.database(url, "DATABASE_URL", tmp_path)
    assert config["OPTIONS"]["connect_timeout"] == 5
    assert config["STATEMENT_TIMEOUT_SECONDS"] == 10
    config = env.database(
        {**url, "DATABASE_CONNECT_TIMEOUT": "3", "DATABASE_STATEMENT_TIMEOUT": "30"},
        "DATABASE_URL",
        tmp_path,
    )
    assert config["OPTIONS"]["connect_timeout"] == 3
    assert config["OPTIONS"]["options"] == "-c lock_timeout=5000 -c statement_timeout=30000"
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_STATEMENT_TIMEOUT="):
        env.database({**url, "DATABASE_STATEMENT_TIMEOUT": "soon"}, "DATABASE_URL", tmp_path)


def test_the_booking_lock_timeout_stays_below_a_short_statement_timeout(tmp_path):
    url = {"DATABASE_URL": "postgres://u@h:5432/sched", "DATABASE_STATEMENT_TIMEOUT": "4"}
    options = env.database(url, "DATABASE_URL", tmp_path)["OPTIONS"]
    assert options["options"] == "-c lock_timeout=2000 -c statement_timeout=4000"
    url["DATABASE_STATEMENT_TIMEOUT"] = "0"  # no statement timeout (long migrations)
    options = env.database(url, "DATABASE_URL", tmp_path)["OPTIONS"]
    assert options["options"] == "-c lock_timeout=5000 -c statement_timeout=0"


@pytest.mark.parametrize("value", ["mysql://u@h/db", "nonsense", "postgres://u@h:5432"])
def test_database_rejects_what_it_cannot_use(value, tmp_path):
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL="):
        env.database({"DATABASE_URL": value}, "DATABASE_URL", tmp_path)


def test_broker_defaults_to_the_filesystem_transport(tmp_path):
    url, options = env.celery_broker({}, ("CELERY_BROKER_URL", "REDIS_URL"), tmp_path)
    assert url == "filesystem://"
    assert Path(options["data_folder_in"]).is_dir()
    assert options["data_folder_in"] == options["data_folder_out"]


def test_broker_reads_redis_from_either_name(tmp_path):
    names = ("CELERY_BROKER_URL", "REDIS_URL")
    assert env.celery_broker({"REDIS_URL": "redis://r:6379/0"}, names, tmp_path)[0] == (
        "redis://r:6379/0"
    )
    assert env.celery_broker({"CELERY_BROKER_URL": "redis://a/1"}, names, tmp_path)[0] == (
        "redis://a/1"
    )


def test_broker_rejects_an_unknown_scheme(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=r"^CELERY_BROKER_URL="):
        env.celery_broker({"CELERY_BROKER_URL": "http://x"}, ("CELERY_BROKER_URL",), tmp_path)


def test_email_defaults_to_files_in_var_mail(tmp_path):
    config = env.email({}, "EMAIL_URL", tmp_path / "mail")
    assert config["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    assert (tmp_path / "mail").is_dir()


def test_email_reads_smtp_with_credentials(tmp_path):
    config = env.email(
        {"EMAIL_URL": "smtp://me%40x.org:s3cret@127.0.0.1:2525?tls=1"}, "EMAIL_URL", tmp_path
    )
    assert config["EMAIL_HOST"] == "127.0.0.1"
    assert config["EMAIL_PORT"] == 2525
    assert config["EMAIL_HOST_USER"] == "me@x.org"
    assert config["EMAIL_HOST_PASSWORD"] == "s3cret"
    assert config["EMAIL_USE_TLS"] is True


@pytest.mark.parametrize("value", ["smtp://host:port", "http://x", "file://relative", "smtp://"])
def test_email_rejects_what_it_cannot_use(value, tmp_path):
    with pytest.raises(ImproperlyConfigured, match=r"^EMAIL_URL="):
        env.email({"EMAIL_URL": value}, "EMAIL_URL", tmp_path)


@pytest.mark.parametrize(
    ("name", "value"),
    [("DATABASE_URL", "mysql://x/y"), ("EMAIL_URL", "pigeon://x"), ("DEBUG", "perhaps")],
)
def test_start_up_stops_and_names_the_bad_variable(name, value, tmp_path):
    environ = {**os.environ, name: value, "SCHEDULER_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"{name}=" in result.stderr


def test_editor_origins_default_to_none_and_are_read_as_origins():
    assert env.env_origins({}, "SCHEDULER_EDITOR_ORIGINS") == []
    value = "https://App.Customer.test/, http://localhost:3000"
    assert env.env_origins({"SCHEDULER_EDITOR_ORIGINS": value}, "SCHEDULER_EDITOR_ORIGINS") == [
        "https://app.customer.test",
        "http://localhost:3000",
    ]


@pytest.mark.parametrize(
    "value", ["app.customer.test", "https://app.customer.test/settings", "ftp://x.test"]
)
def test_editor_origins_reject_what_is_not_an_origin(value):
    with pytest.raises(ImproperlyConfigured, match="^SCHEDULER_EDITOR_ORIGINS="):
        env.env_origins({"SCHEDULER_EDITOR_ORIGINS": value}, "SCHEDULER_EDITOR_ORIGINS")


def test_private_destinations_default_empty_and_read_cidrs_and_names():
    name = "SCHEDULER_PRIVATE_DESTINATIONS"
    assert env.private_destinations({}, name) == []
    value = " 127.0.0.1/32, fd00::/8 ,caldav.internal,10.0.0.0/8"
    assert env.private_destinations({name: value}, name) == [
        "127.0.0.1/32",
        "fd00::/8",
        "caldav.internal",
        "10.0.0.0/8",
    ]


def test_private_destinations_rejects_what_is_neither_a_cidr_nor_a_name():
    name = "SCHEDULER_PRIVATE_DESTINATIONS"
    with pytest.raises(ImproperlyConfigured, match=f"^{name}="):
        env.private_destinations({name: "10.0.0.0/8, http://x/"}, name)
