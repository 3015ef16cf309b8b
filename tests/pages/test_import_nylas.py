"""``manage.py import_nylas``: grants and configurations as the hosted API returns them,
with their ids and slugs; what it skips, and why; a second run changes nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pages.models import Configuration, Grant, OpenHours, Participant
from tests.nylas_exports import (
    ADA,
    BEN,
    INTRO,
    MEET,
    STRANGER,
    envelope,
    hosted_configuration,
    hosted_grant,
)


def write(tmp_path, name: str, document) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def run(*files: str) -> list[str]:
    out = io.StringIO()
    call_command("import_nylas", *files, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.fixture
def export(tmp_path) -> list[str]:
    """A team's export in the three shapes: a list response of grants, a single-object
    response, and a bare list of configurations (named before the grants' file, so the
    command must load grants first whatever the order)."""
    return [
        write(
            tmp_path,
            "configurations.json",
            [hosted_configuration(INTRO, "ada@example.com", "intro")],
        ),
        write(
            tmp_path,
            "grants.json",
            envelope(
                [
                    hosted_grant(ADA, "ada@example.com"),
                    hosted_grant(BEN, "ben@example.com", provider="virtual-calendar"),
                ]
            ),
        ),
        write(
            tmp_path,
            "meet.json",
            envelope(
                hosted_configuration(
                    MEET,
                    "ben@example.com",
                    "ben-meet",
                    conferencing={"provider": "Google Meet", "autocreate": {}},
                )
            ),
        ),
    ]


def test_it_keeps_ids_and_slugs_and_says_what_it_did(db, export):
    lines = run(*export)
    ada = Grant.objects.get(pk=ADA)
    assert (ada.email, ada.provider) == ("ada@example.com", "virtual-calendar")
    assert ada.calendars.filter(is_primary=True).exists()
    assert Grant.objects.get(pk=BEN).email == "ben@example.com"
    intro = Configuration.objects.get(pk=INTRO)
    assert (intro.slug, intro.grant_id, intro.duration_minutes, intro.buffer_after) == (
        "intro",
        ada.pk,
        45,
        10,
    )
    assert intro.v2_page_id is not None
    host = Participant.objects.get(configuration=intro)
    primary = ada.calendars.get(is_primary=True)
    assert host.booking_calendar == primary
    assert list(host.availability_calendars.all()) == [primary]
    hours = OpenHours.objects.get(participant=host)
    assert (hours.start_minute, hours.end_minute, hours.timezone) == (540, 1050, "Asia/Kolkata")

    by_subject = {line.split(":")[0]: line for line in lines[:-1]}
    google = by_subject[f"grant {ADA} <ada@example.com>"]
    assert "imported" in google and "virtual-calendar" in google and "google" in google
    assert by_subject[f"grant {BEN} <ben@example.com>"].endswith("imported")
    intro_line = by_subject[f"configuration {INTRO} (intro)"]
    assert "imported" in intro_line and "team@group.calendar.google.com" in intro_line
    assert "primary" in intro_line
    meet_line = by_subject[f"configuration {MEET} (ben-meet)"]
    assert "skipped" in meet_line and "event_booking.conferencing.provider" in meet_line
    assert "Google Meet" in meet_line
    assert not Configuration.objects.filter(pk=MEET).exists()
    assert lines[-1] == "3 imported, 0 already here, 1 skipped"


def test_a_second_run_changes_nothing_and_says_so(db, export):
    run(*export)
    before = {
        "grants": list(
            Grant.objects.values_list("pk", "email", "updated_at", "access_token_digest")
        ),
        "configurations": list(Configuration.objects.values_list("pk", "slug", "updated_at")),
        "participants": list(Participant.objects.values_list("pk", flat=True)),
    }
    lines = run(*export)
    after = {
        "grants": list(
            Grant.objects.values_list("pk", "email", "updated_at", "access_token_digest")
        ),
        "configurations": list(Configuration.objects.values_list("pk", "slug", "updated_at")),
        "participants": list(Participant.objects.values_list("pk", flat=True)),
    }
    assert after == before
    assert lines[-1] == "0 imported, 3 already here, 1 skipped. Nothing changed."
    assert f"configuration {INTRO} (intro): already here" in lines


def test_a_fixed_file_imports_what_was_skipped(db, export, tmp_path):
    """A skip is fixed in the file and the import run again: only that object is new."""
    run(*export)
    fixed = hosted_configuration(
        MEET,
        "ben@example.com",
        "ben-meet",
        conferencing={"provider": "Jitsi Meet", "autocreate": {}},
    )
    lines = run(*export[:2], write(tmp_path, "meet.json", envelope(fixed)))
    assert lines[-1] == "1 imported, 3 already here, 0 skipped"
    meet = Configuration.objects.get(pk=MEET)
    assert meet.extra["event_booking"]["conferencing"]["provider"] == "Jitsi Meet"


def test_a_participant_who_is_no_grant_here_is_a_skip_naming_them(db, export, tmp_path):
    run(*export)
    item = hosted_configuration(STRANGER, "ada@example.com", "team")
    item["participants"].append(
        {
            "email": "carol@elsewhere.example",
            "is_organizer": False,
            "availability": {"calendar_ids": ["primary"]},
        }
    )
    lines = run(write(tmp_path, "team.json", envelope(item)))
    assert "skipped" in lines[0] and "participants[1].email" in lines[0]
    assert "grant" in lines[0]
    assert not Configuration.objects.filter(pk=STRANGER).exists()


def test_a_configuration_whose_participants_are_no_grants_has_no_owner(db, tmp_path):
    item = hosted_configuration(STRANGER, "nobody@example.com", "nobody")
    lines = run(write(tmp_path, "c.json", item))
    assert lines[0].startswith(f"configuration {STRANGER} (nobody): skipped")
    assert "import the organizer's grant first" in lines[0]


def test_ids_that_are_not_uuids_are_skipped_saying_so(db, tmp_path):
    lines = run(
        write(
            tmp_path,
            "odd.json",
            [
                hosted_grant("grant_123", "ada@example.com"),
                hosted_configuration("AAAA-BBBB-1111-2222", "ada@example.com", "intro"),
            ],
        )
    )
    assert "skipped" in lines[0] and "'grant_123' is not a UUID" in lines[0]
    assert "skipped" in lines[1] and "'AAAA-BBBB-1111-2222' is not a UUID" in lines[1]
    assert not Grant.objects.exists()
    assert lines[-1] == "0 imported, 0 already here, 2 skipped. Nothing changed."


def test_a_grant_whose_email_is_another_grants_here_is_skipped(db, tmp_path, make_grant):
    make_grant("ada@example.com")
    lines = run(write(tmp_path, "g.json", hosted_grant(ADA, "ADA@example.com")))
    assert "skipped" in lines[0] and "email" in lines[0]
    assert not Grant.objects.filter(pk=ADA).exists()


def test_a_slug_taken_here_is_a_skip(db, tmp_path, export):
    run(*export)
    lines = run(
        write(tmp_path, "c.json", hosted_configuration(STRANGER, "ada@example.com", "intro"))
    )
    assert "skipped" in lines[0] and "slug" in lines[0] and "taken" in lines[0]


def test_an_object_of_another_kind_is_skipped(db, tmp_path):
    lines = run(write(tmp_path, "x.json", envelope([{"id": "x", "object": "calendar"}, 3])))
    assert lines[0] == (
        "object 'x': skipped (neither a grant (provider, email) "
        "nor a configuration (participants, ...))"
    )
    assert lines[1].startswith("object int: skipped")


def test_a_file_that_is_not_an_export_stops_the_command_with_nothing_imported(db, tmp_path):
    good = write(tmp_path, "g.json", hosted_grant(ADA, "ada@example.com"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="bad.json: is not JSON"):
        run(good, str(bad))
    with pytest.raises(CommandError, match="neither an API response"):
        run(good, write(tmp_path, "s.json", "a string"))
    with pytest.raises(CommandError, match="cannot be read"):
        run(good, str(tmp_path / "missing.json"))
    assert not Grant.objects.exists()
