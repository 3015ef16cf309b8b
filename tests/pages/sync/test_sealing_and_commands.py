"""Sealed credentials under key rotation, and the two commands: sync_calendars and
reseal_credentials."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from pages.models import Grant
from pages.sync import providers, sealing
from pages.sync import services as sync_services
from scheduler_site import environment

OLD = "old-key-" + "o" * 40
NEW = "new-key-" + "n" * 40


def test_the_first_key_seals_and_every_key_opens(settings):
    settings.SCHEDULER_ENCRYPTION_KEYS = [OLD]
    token = sealing.seal({"password": "hunter2"})
    assert "hunter2" not in token
    settings.SCHEDULER_ENCRYPTION_KEYS = [NEW, OLD]
    assert sealing.open_sealed(token) == {"password": "hunter2"}
    resealed = sealing.reseal(token)
    settings.SCHEDULER_ENCRYPTION_KEYS = [NEW]
    assert sealing.open_sealed(resealed) == {"password": "hunter2"}
    with pytest.raises(sealing.Unreadable):
        sealing.open_sealed(token)  # the old key is gone


def test_the_environment_takes_several_keys_and_refuses_short_ones(tmp_path):
    assert environment.encryption_keys({"K": f"{NEW}, {OLD}"}, "K", tmp_path / "k") == [NEW, OLD]
    with pytest.raises(Exception, match="at least 32"):
        environment.encryption_keys({"K": "short"}, "K", tmp_path / "k")
    generated = environment.encryption_keys({}, "K", tmp_path / "k")
    assert generated == environment.encryption_keys({}, "K", tmp_path / "k")  # kept in var/
    assert len(generated[0]) >= 32


@pytest.mark.django_db
def test_reseal_credentials_rotates_every_grant(settings):
    settings.SCHEDULER_ENCRYPTION_KEYS = [OLD]
    grant, _ = sync_services.connect_grant(
        provider="ics",
        values={"urls": ["https://calendar.example/secret.ics"]},
        found=[providers.RemoteCalendar(source="feed:x", name="F", read_only=True)],
        email="f@example.com",
    )
    settings.SCHEDULER_ENCRYPTION_KEYS = [NEW, OLD]
    out = io.StringIO()
    call_command("reseal_credentials", stdout=out)
    assert "1 grant(s)" in out.getvalue()
    settings.SCHEDULER_ENCRYPTION_KEYS = [NEW]
    grant.refresh_from_db()
    assert sealing.open_sealed(grant.sealed_settings) == {
        "urls": ["https://calendar.example/secret.ics"]
    }


@pytest.mark.caldav
@pytest.mark.django_db(transaction=True)
def test_sync_calendars_runs_a_pass_for_the_grant_given(caldav):
    caldav.make_calendar("work", "Work")
    values = {"url": caldav.server_url, "username": caldav.username, "password": caldav.password}
    grant, _ = sync_services.connect_grant(
        provider="caldav",
        values=values,
        found=providers.reach("caldav", values),
        email="c@example.com",
    )
    out = io.StringIO()
    call_command("sync_calendars", "--grant", "c@example.com", stdout=out)
    assert "c@example.com: 1 calendar(s)" in out.getvalue()
    call_command("sync_calendars", "--grant", str(grant.pk), stdout=out)
    with pytest.raises(CommandError, match="No connected grant"):
        call_command("sync_calendars", "--grant", "nobody@example.com")

    Grant.objects.filter(pk=grant.pk).update(grant_status="invalid", last_sync_error="401")
    with pytest.raises(CommandError):
        call_command("sync_calendars", stdout=out)
    assert "invalid" in out.getvalue()
