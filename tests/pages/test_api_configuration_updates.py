"""PUT /v3/grants/{grant_id}/scheduling/configurations/{id} replaces each nested object
it is sent and keeps the others; keys this API does not know are kept (Configuration.extra)
and given back, and a PUT leaves alone what the other dialect keeps there."""

from __future__ import annotations

import pytest

from pages.models import Configuration, OpenHours, Participant


@pytest.fixture
def base(owner):
    return f"/v3/grants/{owner.pk}/scheduling/configurations"


@pytest.fixture
def existing(as_app, full_configuration, base, ok):
    return ok(as_app.post(base, full_configuration, format="json"))


def put(as_app, base, existing, body, ok):
    return ok(as_app.put(f"{base}/{existing['id']}", body, format="json"))


@pytest.mark.parametrize(
    "section", ["participants", "availability", "event_booking", "scheduler", "appearance"]
)
def test_a_put_keeps_the_nested_objects_it_is_not_sent(as_app, base, existing, ok, section):
    updated = put(as_app, base, existing, {"name": "Renamed"}, ok)
    assert updated[section] == existing[section]
    assert updated["name"] == "Renamed"
    assert ok(as_app.get(f"{base}/{existing['id']}")) == updated


def test_a_put_replaces_a_nested_object_it_is_sent_whole(as_app, base, existing, ok):
    updated = put(as_app, base, existing, {"availability": {"duration_minutes": 60}}, ok)
    assert updated["availability"]["duration_minutes"] == 60
    # What was not in the new availability object is back to its default, not kept.
    assert updated["availability"]["interval_minutes"] == 60
    assert updated["availability"]["round_to"] == 15
    assert updated["availability"]["availability_rules"]["buffer"] == {"before": 0, "after": 0}
    assert updated["availability"]["availability_rules"]["default_open_hours"] == []
    assert updated["event_booking"] == existing["event_booking"]
    assert updated["scheduler"] == existing["scheduler"]


def test_a_put_of_event_booking_replaces_the_reminders(as_app, base, existing, ok):
    updated = put(as_app, base, existing, {"event_booking": {"title": "New"}}, ok)
    assert updated["event_booking"]["reminders"] == []
    assert updated["event_booking"]["capacity"] == 1


def test_a_put_of_scheduler_replaces_the_additional_fields(as_app, base, existing, ok):
    questions = {"phone": {"label": "Phone", "type": "phone_number"}}
    body = {"scheduler": {"additional_fields": questions}}
    updated = put(as_app, base, existing, body, ok)
    assert list(updated["scheduler"]["additional_fields"]) == ["phone"]
    assert updated["scheduler"]["email_template"] == {}


def test_a_put_of_participants_replaces_them_all(as_app, owner, base, existing, ok):
    body = {"participants": [{"email": owner.email, "is_organizer": True, "availability": {}}]}
    updated = put(as_app, base, existing, body, ok)
    assert [p["email"] for p in updated["participants"]] == [owner.email]
    assert Participant.objects.filter(configuration_id=existing["id"]).count() == 1
    assert OpenHours.objects.filter(participant__isnull=False).count() == 0


def test_a_put_of_appearance_replaces_the_map(as_app, base, existing, ok):
    updated = put(as_app, base, existing, {"appearance": {"color": "red"}}, ok)
    assert updated["appearance"] == {"color": "red"}


def test_what_a_get_returns_can_be_put_back_unchanged(as_app, base, existing, ok):
    assert put(as_app, base, existing, existing, ok) == existing


def test_a_put_may_keep_its_own_slug_and_clear_it(as_app, base, existing, ok):
    assert put(as_app, base, existing, {"slug": "intro-call"}, ok)["slug"] == "intro-call"
    assert put(as_app, base, existing, {"slug": None}, ok)["slug"] is None


def test_unknown_keys_are_kept_and_returned(as_app, owner, base, ok):
    body = {
        "participants": [{"email": owner.email, "is_organizer": True}],
        "version": "1.0.0",
        "custom": {"nested": [1, 2]},
        "event_booking": {"title": "Call", "custom_setting": {"provider": "Acme"}},
    }
    created = ok(as_app.post(base, body, format="json"))
    assert created["version"] == "1.0.0"
    assert created["custom"] == {"nested": [1, 2]}
    assert created["event_booking"]["custom_setting"] == {"provider": "Acme"}
    stored = Configuration.objects.get(pk=created["id"])
    assert stored.extra["version"] == "1.0.0"
    assert ok(as_app.get(f"{base}/{created['id']}")) == created


def test_unknown_keys_survive_a_put_that_does_not_send_them(as_app, owner, base, ok):
    body = {
        "participants": [{"email": owner.email, "is_organizer": True}],
        "version": "1.0.0",
        "event_booking": {"title": "Call", "custom_setting": {"provider": "Acme"}},
    }
    created = ok(as_app.post(base, body, format="json"))
    updated = put(as_app, base, created, {"name": "x", "availability": {}}, ok)
    assert updated["version"] == "1.0.0"
    assert updated["event_booking"]["custom_setting"] == {"provider": "Acme"}
    updated = put(as_app, base, created, {"event_booking": {"title": "Call"}}, ok)
    assert "custom_setting" not in updated["event_booking"], "a replaced object loses them"
    assert updated["version"] == "1.0.0"


def test_a_put_keeps_what_the_other_dialect_stored_in_extra(as_app, owner, base, ok):
    body = {"participants": [{"email": owner.email, "is_organizer": True}]}
    created = ok(as_app.post(base, body, format="json"))
    Configuration.objects.filter(pk=created["id"]).update(extra={"v2_only": {"flag": True}})
    updated = put(as_app, base, created, {"name": "x", "other": 1}, ok)
    assert Configuration.objects.get(pk=created["id"]).extra == {
        "v2_only": {"flag": True},
        "other": 1,
    }
    assert updated["v2_only"] == {"flag": True}


def test_read_only_keys_are_not_kept_as_unknown(as_app, owner, base, ok):
    # (POST takes a hosted id from the API key: tests/pages/test_api_hosted_ids.py; in a
    # PUT the id stays read-only.)
    body = {"participants": [{"email": owner.email, "is_organizer": True}], "created_at": 1}
    created = ok(as_app.post(base, body, format="json"))
    assert "created_at" not in created
    assert Configuration.objects.get(pk=created["id"]).extra == {}
    updated = ok(as_app.put(f"{base}/{created['id']}", {"id": "ignored"}, format="json"))
    assert updated["id"] == created["id"]
    assert Configuration.objects.get(pk=created["id"]).extra == {}
