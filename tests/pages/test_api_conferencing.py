"""event_booking.conferencing through the v3 API, the v2 pages dialect and the admin: what
is accepted comes back as stored, and what cannot work is a 400 naming the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pages import conferencing
from pages.models import Configuration
from tests.pages.test_admin import change_form_data

JITSI = {"provider": "Jitsi Meet", "autocreate": {}}
TEMPLATE = {
    "provider": "url-template",
    "autocreate": {"url_template": "https://v.acme.test/{room}"},
}
ZOOM_DETAILS = {
    "provider": "Zoom Meeting",
    "details": {
        "url": "https://zoom.us/j/123456789",
        "meeting_code": "123 456 789",
        "password": "s3cret",
        "pin": "4321",
        "phone": ["+1 646 558 8656"],
    },
}


@pytest.fixture
def base(owner):
    return f"/v3/grants/{owner.pk}/scheduling/configurations"


def body(owner, conferencing=None, **event_booking) -> dict:
    event = {"title": "Intro", **event_booking}
    if conferencing is not None:
        event["conferencing"] = conferencing
    return {
        "participants": [{"email": owner.email, "is_organizer": True}],
        "event_booking": event,
    }


@pytest.mark.parametrize("sent", [JITSI, TEMPLATE, ZOOM_DETAILS])
def test_each_form_comes_back_from_post_get_and_put(as_app, owner, base, ok, sent):
    made = ok(as_app.post(base, body(owner, sent), format="json"))
    assert made["event_booking"]["conferencing"] == sent
    url = f"{base}/{made['id']}"
    assert ok(as_app.get(url))["event_booking"]["conferencing"] == sent
    # What a GET gave, PUT back, stays.
    assert ok(as_app.put(url, made, format="json"))["event_booking"]["conferencing"] == sent
    assert conferencing.of_configuration(Configuration.objects.get(pk=made["id"])) == sent


def test_a_put_of_event_booking_without_it_or_with_null_removes_it(as_app, owner, base, ok):
    made = ok(as_app.post(base, body(owner, JITSI), format="json"))
    url = f"{base}/{made['id']}"
    changed = ok(as_app.put(url, {"event_booking": {"title": "Other"}}, format="json"))
    assert "conferencing" not in changed["event_booking"]
    ok(as_app.put(url, {"event_booking": {"title": "X", "conferencing": JITSI}}, format="json"))
    changed = ok(as_app.put(url, {"event_booking": {"conferencing": None}}, format="json"))
    assert "conferencing" not in changed["event_booking"]
    # A PUT that leaves event_booking out keeps it.
    ok(as_app.put(url, {"event_booking": {"conferencing": TEMPLATE}}, format="json"))
    assert ok(as_app.put(url, {"name": "Renamed"}, format="json"))["event_booking"][
        "conferencing"
    ] == (TEMPLATE)


def test_provider_names_are_read_without_regard_to_case(as_app, owner, base, ok):
    sent = {"provider": "jitsi meet", "autocreate": {}}
    made = ok(as_app.post(base, body(owner, sent), format="json"))
    assert made["event_booking"]["conferencing"] == JITSI


@pytest.mark.parametrize("provider", ["Google Meet", "Zoom Meeting", "Microsoft Teams", "Webex"])
def test_autocreate_with_a_provider_this_server_cannot_reach_is_a_400_saying_so(
    as_app, owner, base, refused, provider
):
    sent = {"provider": provider, "autocreate": {}}
    message = refused(as_app.post(base, body(owner, sent), format="json"), 400)
    assert message.startswith("event_booking.conferencing.provider: ")
    assert f"{provider} meetings cannot be created by this server" in message
    assert "details" in message and "Jitsi Meet" in message
    assert not Configuration.objects.exists()


@pytest.mark.parametrize(
    ("sent", "field", "words"),
    [
        ("zoom", "event_booking.conferencing", "must be an object"),
        ({"autocreate": {}}, "event_booking.conferencing.provider", "is required"),
        ({"provider": "Jitsi Meet"}, "event_booking.conferencing", "needs autocreate"),
        (
            {**JITSI, "details": {"url": "https://a.example/x"}},
            "event_booking.conferencing",
            "not both",
        ),
        ({**JITSI, "room": "x"}, "event_booking.conferencing.room", "not a conferencing field"),
        (
            {"provider": "Zoom Meeting", "details": {"url": "javascript:alert(1)//"}},
            "event_booking.conferencing.details.url",
            "absolute",
        ),
        (
            {"provider": "Zoom Meeting", "details": {"url": "https://u:p@zoom.us/j/1"}},
            "event_booking.conferencing.details.url",
            "user name or password",
        ),
        (
            {"provider": "Zoom Meeting", "details": {"meeting_code": "1"}},
            "event_booking.conferencing.details.url",
            "is required",
        ),
        (
            {"provider": "Zoom Meeting", "details": {"url": "https://zoom.us/j/1", "phone": "1"}},
            "event_booking.conferencing.details.phone",
            "list",
        ),
        (
            {"provider": "Zoom Meeting", "details": {"url": "https://zoom.us/j/1", "pin": 12}},
            "event_booking.conferencing.details.pin",
            "string",
        ),
        (
            {"provider": "url-template", "autocreate": {}},
            "event_booking.conferencing.autocreate.url_template",
            "is required",
        ),
        (
            {"provider": "url-template", "autocreate": {"url_template": "https://v.test/room"}},
            "event_booking.conferencing.autocreate.url_template",
            "{room} once",
        ),
        (
            {"provider": "url-template", "autocreate": {"url_template": "ftp://v.test/{room}"}},
            "event_booking.conferencing.autocreate.url_template",
            "absolute",
        ),
        (
            {"provider": "Jitsi Meet", "autocreate": {"conf_grant_id": "x"}},
            "event_booking.conferencing.autocreate.conf_grant_id",
            "not a Jitsi Meet setting",
        ),
    ],
)
def test_bad_conferencing_is_a_400_naming_the_field(
    as_app, owner, base, refused, sent, field, words
):
    message = refused(as_app.post(base, body(owner, sent), format="json"), 400)
    assert message.startswith(f"{field}: "), message
    assert words in message


def test_an_http_link_is_refused_while_the_site_is_https(as_app, owner, base, refused, settings):
    settings.SITE_URL = "https://cal.example.com"
    sent = {"provider": "Zoom Meeting", "details": {"url": "http://zoom.us/j/1"}}
    message = refused(as_app.post(base, body(owner, sent), format="json"), 400)
    assert message.startswith("event_booking.conferencing.details.url: must be an absolute https")


# The v2 dialect: config.event.conferencing


def v2_body(grant, conferencing=None) -> dict:
    event = {"title": "Coffee", "duration": 30}
    if conferencing is not None:
        event["conferencing"] = conferencing
    return {"access_tokens": [grant.token], "config": {"event": event}, "slug": "coffee"}


def test_v2_pages_take_event_conferencing_and_v3_reads_it(api, owner, as_app, ok):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {owner.token}"}
    response = api.post("/manage/pages", v2_body(owner, ZOOM_DETAILS), format="json", **auth)
    assert response.status_code == 200, response.content
    page = response.json()
    assert page["config"]["event"]["conferencing"] == ZOOM_DETAILS
    v3 = ok(
        as_app.get(f"/v3/grants/{owner.pk}/scheduling/configurations/{page['configuration_id']}")
    )
    assert v3["event_booking"]["conferencing"] == ZOOM_DETAILS
    # A v2 PUT that leaves it out keeps it; one that sends another replaces it; null ends it.
    url = f"/manage/pages/{page['id']}"
    kept = api.put(url, {"config": {"event": {"title": "Tea"}}}, format="json", **auth).json()
    assert kept["config"]["event"]["conferencing"] == ZOOM_DETAILS
    put = {"config": {"event": {"conferencing": JITSI}}}
    assert api.put(url, put, format="json", **auth).json()["config"]["event"]["conferencing"] == (
        JITSI
    )
    put = {"config": {"event": {"conferencing": None}}}
    assert "conferencing" not in api.put(url, put, format="json", **auth).json()["config"]["event"]


def test_v2_pages_refuse_bad_conferencing_naming_the_v2_field(api, owner):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {owner.token}"}
    sent = {"provider": "Google Meet", "autocreate": {}}
    response = api.post("/manage/pages", v2_body(owner, sent), format="json", **auth)
    assert response.status_code == 400
    assert response.json()["message"].startswith("config.event.conferencing.provider: ")
    assert not Configuration.objects.exists()


# The admin


def admin_post(staff_client, configuration, **changes):
    """The configuration's admin change form as a browser sends it, with ``changes``."""
    url = reverse("admin:pages_configuration_change", args=[configuration.pk])
    data = change_form_data(staff_client.get(url))
    data.update(changes)
    return staff_client.post(url, data)


def test_the_admin_sets_jitsi_a_template_or_a_fixed_link(staff_client, demo_page):
    configuration = demo_page
    response = admin_post(staff_client, configuration, conferencing_kind="jitsi")
    assert response.status_code == 302, response.context["adminform"].form.errors
    configuration.refresh_from_db()
    assert conferencing.of_configuration(configuration) == JITSI
    admin_post(
        staff_client,
        configuration,
        conferencing_kind="url-template",
        conferencing_url="https://v.acme.test/{room}",
    )
    configuration.refresh_from_db()
    assert conferencing.of_configuration(configuration) == TEMPLATE
    response = admin_post(
        staff_client,
        configuration,
        conferencing_kind="details",
        conferencing_provider="Zoom Meeting",
        conferencing_url="https://zoom.us/j/1",
        conferencing_password="pw",
    )
    assert response.status_code == 302
    configuration.refresh_from_db()
    assert conferencing.of_configuration(configuration) == {
        "provider": "Zoom Meeting",
        "details": {"url": "https://zoom.us/j/1", "password": "pw"},
    }
    # The form opens on what is stored.
    url = reverse("admin:pages_configuration_change", args=[configuration.pk])
    form = staff_client.get(url).context["adminform"].form
    assert form["conferencing_kind"].value() == "details"
    assert form["conferencing_url"].value() == "https://zoom.us/j/1"
    admin_post(staff_client, configuration, conferencing_kind="")
    configuration.refresh_from_db()
    assert conferencing.of_configuration(configuration) == {}


def test_the_admin_says_what_is_wrong_beside_the_field(staff_client, demo_page):
    configuration = demo_page
    response = admin_post(
        staff_client,
        configuration,
        conferencing_kind="url-template",
        conferencing_url="javascript:alert(1)//{room}",
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "conferencing_url" in errors and "absolute" in errors["conferencing_url"][0]
    configuration.refresh_from_db()
    assert conferencing.of_configuration(configuration) == {}
