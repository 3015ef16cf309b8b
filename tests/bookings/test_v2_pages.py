"""The v2 dialect (seed 000): /manage/pages with access tokens, edit tokens and the API
key; one configuration seen through both dialects; the public /schedule/ routes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from bookings import links
from bookings.models import Booking
from pages.models import Configuration

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def seed_body(grant, calendar_id) -> dict:
    """The seed's "Create a Scheduling Page" body with our token, account and calendar."""
    return {
        "access_tokens": [grant.token],
        "config": {
            "appearance": {
                "color": "#82c0e7",
                "company_name": "Sample Solutions",
                "show_autoschedule": False,
                "show_nylas_branding": False,
                "show_timezone_options": False,
                "show_week_view": False,
                "submit_text": "Book it!",
                "thank_you_text": "Thanks!",
            },
            "booking": {
                "additional_fields": [
                    {
                        "dropdown_options": ["Monday", "Tuesday"],
                        "label": "Your Custom Label",
                        "multi_select_options": ["Ice Cream", "Spaghetti", "Chips"],
                        "name": "user_defined_what_is_your_favorite_food_",
                        "order": 1,
                        "pattern": "string",
                        "required": False,
                        "type": "multi-select list",
                    }
                ],
                "additional_guests_hidden": False,
                "available_days_in_future": 14,
                "calendar_invite_to_guests": False,
                "cancellation_policy": "string",
                "confirmation_emails_to_guests": False,
                "confirmation_emails_to_host": False,
                "confirmation_method": "automatic",
                "min_booking_notice": 0,
                "min_buffer": 0,
                "min_cancellation_notice": 0,
                "name_field_hidden": False,
                "opening_hours": [
                    {
                        "account_id": str(grant.pk),
                        "days": ["M", "T", "W", "R", "F", "S", "U"],
                        "end": "17:00",
                        "start": "09:00",
                    }
                ],
                "scheduling_method": "round-robin-maximize-fairness",
            },
            "calendar_ids": {
                str(grant.pk): {"availability": [calendar_id], "booking": calendar_id}
            },
            "event": {
                "capacity": 10,
                "duration": 30,
                "location": "Coffee Shop",
                "participants": [{"email": "team@sample.example", "name": "Sample Solutions"}],
                "title": "30-min Coffee Meeting",
            },
            "locale": "en",
            "reminders": [
                {
                    "delivery_method": "email",
                    "delivery_recipient": "customer",
                    "email_subject": "Your meeting is coming up!",
                    "time_before_event": 30,
                }
            ],
            "timezone": "America/Los_Angeles",
        },
        "name": "Sample Solutions Meeting",
        "slug": "sample-solutions-meet-01",
    }


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ada(make_host):
    return make_host("ada@example.com", "America/Los_Angeles", name="Ada")


def create(api, grant, body=None):
    calendar_id = str(grant.calendars.get(is_primary=True).pk)
    return api.post(
        "/manage/pages",
        body or seed_body(grant, calendar_id),
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {grant.token}",
    )


def test_the_seed_example_creates_a_page_in_the_seeds_shape(api, ada):
    response = create(api, ada)
    assert response.status_code == 200, response.content
    page = response.json()
    calendar_id = str(ada.calendars.get(is_primary=True).pk)
    assert page["edit_token"].startswith("et_")
    assert page["access_token_infos"] == [{"account_email": ada.email, "account_name": "Ada"}]
    assert {"id", "name", "slug", "config", "created_at", "modified_at"} <= set(page)
    assert page["created_at"] == "2026-12-01"
    config = page["config"]
    sent = seed_body(ada, calendar_id)["config"]
    assert config["appearance"]["show_week_view"] is False
    assert config["appearance"]["submit_text"] == "Book it!"
    assert config["booking"]["opening_hours"] == sent["booking"]["opening_hours"]
    assert config["booking"]["scheduling_method"] == "round-robin-maximize-fairness"
    for key in (
        "confirmation_emails_to_guests",
        "calendar_invite_to_guests",
        "available_days_in_future",
        "min_buffer",
        "cancellation_policy",
    ):
        assert config["booking"][key] == sent["booking"][key], key
    field = config["booking"]["additional_fields"][0]
    assert field["type"] == "multi-select list"
    assert field["multi_select_options"] == ["Ice Cream", "Spaghetti", "Chips"]
    assert field["dropdown_options"] == ["Monday", "Tuesday"]
    assert config["calendar_ids"] == sent["calendar_ids"]
    assert config["event"] == sent["event"]
    assert config["reminders"] == sent["reminders"]
    assert config["timezone"] == "America/Los_Angeles"


def test_the_edit_token_is_shown_once_and_reaches_only_its_page(api, ada):
    first = create(api, ada).json()
    body = seed_body(ada, str(ada.calendars.get(is_primary=True).pk))
    body["slug"] = "second"
    second = create(api, ada, body).json()
    edit = {"HTTP_AUTHORIZATION": f"Bearer {first['edit_token']}"}
    again = api.get(f"/manage/pages/{first['id']}", **edit)
    assert again.status_code == 200 and "edit_token" not in again.json()
    assert api.get(f"/manage/pages/{second['id']}", **edit).status_code == 404
    assert [p["id"] for p in api.get("/manage/pages", **edit).json()] == [first["id"]]
    assert (
        Configuration.objects.get(pk=first["configuration_id"]).edit_token_digest
        != first["edit_token"]
    )


def test_the_access_token_lists_its_pages_and_the_api_key_reaches_all(api, api_key, ada, make_host):
    create(api, ada)
    other = make_host("other@example.com")
    assert api.get("/manage/pages", HTTP_AUTHORIZATION=f"Bearer {other.token}").json() == []
    assert len(api.get("/manage/pages", HTTP_AUTHORIZATION=f"Bearer {ada.token}").json()) == 1
    assert len(api.get("/manage/pages", HTTP_AUTHORIZATION=f"Bearer {api_key}").json()) == 1


def test_put_changes_what_is_sent_and_keeps_the_rest(api, ada):
    page = create(api, ada).json()
    edit = {"HTTP_AUTHORIZATION": f"Bearer {page['edit_token']}"}
    response = api.put(
        f"/manage/pages/{page['id']}",
        {"config": {"event": {"title": "Tea"}, "booking": {"min_buffer": 15}}},
        format="json",
        **edit,
    )
    assert response.status_code == 200, response.content
    config = response.json()["config"]
    assert config["event"]["title"] == "Tea" and config["event"]["duration"] == 30
    assert config["booking"]["min_buffer"] == 15
    assert config["booking"]["confirmation_emails_to_guests"] is False
    assert config["reminders"][0]["email_subject"] == "Your meeting is coming up!"


def test_a_v2_page_is_a_v3_configuration_and_fields_survive_both_ways(api, api_key, ada):
    page = create(api, ada).json()
    key = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    v3_url = f"/v3/grants/{ada.pk}/scheduling/configurations/{page['configuration_id']}"
    v3 = api.get(v3_url, **key).json()["data"]
    assert v3["slug"] == "sample-solutions-meet-01"
    assert v3["availability"]["availability_rules"]["availability_method"] == "max-fairness"
    assert v3["event_booking"]["capacity"] == 10
    # A v3-only field set through v3 survives a v2 update, and v2-only fields survive v3.
    changed = api.put(
        v3_url,
        {
            "availability": {**v3["availability"], "interval_minutes": 15},
            "event_booking": {**v3["event_booking"], "description": "Chat"},
        },
        format="json",
        **key,
    )
    assert changed.status_code == 200, changed.content
    api.put(
        f"/manage/pages/{page['id']}",
        {"config": {"event": {"location": "Park"}}},
        format="json",
        **key,
    )
    after = api.get(v3_url, **key).json()["data"]
    assert after["availability"]["interval_minutes"] == 15
    assert after["event_booking"]["description"] == "Chat"
    assert after["event_booking"]["location"] == "Park"
    v2 = api.get(f"/manage/pages/{page['id']}", **key).json()["config"]
    assert v2["booking"]["calendar_invite_to_guests"] is False
    assert v2["event"]["participants"] == [
        {"email": "team@sample.example", "name": "Sample Solutions"}
    ]


def test_several_access_tokens_make_a_round_robin_between_them(api, ada, make_host):
    bob = make_host("bob@example.com", "America/Los_Angeles", name="Bob")
    body = seed_body(ada, str(ada.calendars.get(is_primary=True).pk))
    body["access_tokens"] = [ada.token, bob.token]
    body["config"].pop("calendar_ids")
    body["config"]["booking"]["opening_hours"] = [
        {"days": ["M", "T", "W", "R", "F"], "start": "09:00", "end": "17:00"}
    ]
    body["config"]["booking"]["scheduling_method"] = "round-robin-maximize-availability"
    response = create(api, ada, body)
    assert response.status_code == 200, response.content
    page = response.json()
    assert {i["account_email"] for i in page["access_token_infos"]} == {ada.email, bob.email}
    configuration = Configuration.objects.get(pk=page["configuration_id"])
    assert configuration.availability_method == "max-availability"
    assert configuration.participants.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(access_tokens=["gt_nope"]), "access_tokens[0]"),
        (
            lambda b: b["config"]["booking"]["opening_hours"][0].update(days=["X"]),
            "config.booking.opening_hours[0].days[0]",
        ),
        (
            lambda b: b["config"]["booking"]["opening_hours"][0].update(end="08:00"),
            "config.booking.opening_hours[0].end",
        ),
        (
            lambda b: b["config"]["booking"].update(scheduling_method="dice"),
            "config.booking.scheduling_method",
        ),
        (
            lambda b: b["config"]["booking"].update(confirmation_method="maybe"),
            "config.booking.confirmation_method",
        ),
        (
            lambda b: b["config"]["reminders"][0].update(delivery_recipient="cat"),
            "config.reminders[0].delivery_recipient",
        ),
        (lambda b: b["config"].update(timezone="Nowhere/Land"), "config.timezone"),
        (
            lambda b: b["config"]["appearance"].update(logo="javascript:alert(document.domain)"),
            "config.appearance.logo",
        ),
        (
            lambda b: b["config"]["appearance"].update(company_logo="data:image/png;base64,AA"),
            "config.appearance.company_logo",
        ),
    ],
)
def test_bad_v2_bodies_get_a_400_in_the_v2_shape_naming_the_field(api, ada, change, field):
    body = seed_body(ada, str(ada.calendars.get(is_primary=True).pk))
    change(body)
    response = create(api, ada, body)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"type", "message"}
    assert response.json()["message"].startswith(field), response.json()["message"]


def test_no_token_is_a_v2_401(api, db):
    response = api.get("/manage/pages")
    assert response.status_code == 401 and set(response.json()) == {"type", "message"}


def test_delete_removes_the_page(api, ada):
    page = create(api, ada).json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ada.token}"}
    assert api.delete(f"/manage/pages/{page['id']}", **auth).status_code == 200
    assert api.get(f"/manage/pages/{page['id']}", **auth).status_code == 404


# Public routes


@pytest.fixture
def live_page(api, ada):
    body = seed_body(ada, str(ada.calendars.get(is_primary=True).pk))
    body["config"]["booking"]["additional_fields"] = []
    return create(api, ada, body).json()


def test_info_shows_the_page_without_accounts_or_calendars(live_page):
    info = APIClient().get("/schedule/sample-solutions-meet-01/info").json()
    assert info["config"]["event"]["title"] == "30-min Coffee Meeting"
    assert "calendar_ids" not in info["config"] and "access_token_infos" not in info


def test_a_widget_lists_timeslots_books_one_and_cancels_it(live_page, ada):
    client = APIClient()
    monday = dt.datetime(2026, 12, 7, 17, tzinfo=dt.UTC)  # 09:00 Los Angeles
    slots = client.get(
        "/schedule/sample-solutions-meet-01/timeslots",
        {"start_time": int(monday.timestamp()), "end_time": int(monday.timestamp()) + 3600},
    ).json()
    assert [s["start"] for s in slots] == [int(monday.timestamp()), int(monday.timestamp()) + 1800]
    assert slots[0]["account_id"] == str(ada.pk)
    booked = client.post(
        "/schedule/sample-solutions-meet-01/timeslots",
        {
            "slot": {"start": slots[0]["start"], "end": slots[0]["end"], "account_id": str(ada.pk)},
            "email": "guest@example.com",
            "name": "Guest",
            "timezone": "Europe/Berlin",
            "additional_emails": [],
            "additional_values": {},
        },
        format="json",
    )
    assert booked.status_code == 200, booked.content
    data = booked.json()
    assert data["is_confirmed"] is True and data["recipient_tz"] == "Europe/Berlin"
    cancelled = client.post(
        f"/schedule/sample-solutions-meet-01/{data['edit_hash']}/cancel",
        {"reason": "Changed plans"},
        format="json",
    )
    assert cancelled.json() == {"success": True}
    assert Booking.objects.get().status == "cancelled"


def test_the_guests_hash_cannot_confirm_but_the_organizers_can(api, ada):
    body = seed_body(ada, str(ada.calendars.get(is_primary=True).pk))
    body["config"]["booking"].update(confirmation_method="manual", additional_fields=[])
    create(api, ada, body)
    client = APIClient()
    start = int(dt.datetime(2026, 12, 7, 17, tzinfo=dt.UTC).timestamp())
    data = client.post(
        "/schedule/sample-solutions-meet-01/timeslots",
        {"slot": {"start": start, "end": start + 1800}, "email": "g@example.com", "name": "G"},
        format="json",
    ).json()
    assert data["is_confirmed"] is False
    url = "/schedule/sample-solutions-meet-01/{}/confirm"
    assert client.post(url.format(data["edit_hash"]), {}, format="json").status_code == 401
    token = links.organizer_link_token(Booking.objects.get())
    assert client.post(url.format(token), {}, format="json").json() == {"success": True}
    assert Booking.objects.get().status == "booked"
    assert client.post(url.format(token), {}, format="json").status_code == 401  # once


def test_an_unknown_slug_is_a_v2_404(db):
    response = APIClient().get("/schedule/nope/info")
    assert response.status_code == 404 and set(response.json()) == {"type", "message"}


def test_timeslots_without_a_range_list_what_the_page_offers_from_now(live_page):
    """The v2 SDKs ask for timeslots with no range: from now through the page's
    available_days_in_future (the seed's page: 30 days)."""
    client = APIClient()
    slots = client.get("/schedule/sample-solutions-meet-01/timeslots").json()
    assert slots, "the page offers times"
    now = dt.datetime.now(dt.UTC).timestamp()
    assert now <= slots[0]["start"] and slots[-1]["start"] < now + 31 * 86_400
    ranged = client.get(
        "/schedule/sample-solutions-meet-01/timeslots",
        {"start_time": int(now), "end_time": int(now) + 62 * 86_400},
    ).json()
    assert [s["start"] for s in slots] == [s["start"] for s in ranged][: len(slots)]
    only_one = client.get("/schedule/sample-solutions-meet-01/timeslots", {"start_time": 1})
    assert only_one.status_code == 400 and "end_time" in only_one.json()["message"]
