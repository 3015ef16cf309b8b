"""OpenAPI links: which answer's fields feed which operation's parameters. They tell a
client (and a stateful fuzzer such as schemathesis) how the API's objects chain: a grant
-> its calendars -> their events; a grant -> a configuration -> a session, its
availability -> a booking -> its reschedule, decision or cancellation; a webhook; a v2
page -> its public routes.

A drf-spectacular post-processing hook (settings.SPECTACULAR_SETTINGS). It lives with the
wiring because the chains cross both apps; it only names operation IDs."""

from __future__ import annotations

GRANT_ID = "$response.body#/data/id"
SAME_GRANT = "$request.path.grant_id"

# A configuration every freshly made grant can be booked through: its one organizer is
# that grant, open every day (no open hours), bookable at once, in five-minute slots so
# that a session's lifetime (at most 30 minutes) holds several of them.
BOOKABLE_CONFIGURATION = {
    "name": "Linked",
    "participants": [
        {
            "email": "$response.body#/data/email",
            "name": "Organizer",
            "is_organizer": True,
            "availability": {"calendar_ids": ["primary"]},
            "booking": {"calendar_id": "primary"},
        }
    ],
    "availability": {"duration_minutes": 5, "interval_minutes": 5, "round_to": 5},
    "event_booking": {"title": "Linked meeting", "timezone": "UTC"},
    "scheduler": {
        "min_booking_notice": 0,
        "min_cancellation_notice": 0,
        "available_days_in_future": 30,
    },
}
# The same, but each booking waits for the organizer's decision (confirm or decline).
CONFIRMED_BY_ORGANIZER = {
    **BOOKABLE_CONFIGURATION,
    "name": "Linked, confirmed by the organizer",
    "event_booking": {
        **BOOKABLE_CONFIGURATION["event_booking"],
        "booking_type": "organizer-confirmation",
    },
}

# The first slot availability offered over a session's lifetime: it starts at the first
# five-minute step after the session began, so it is still offered a moment later.
OFFERED_SLOT = "$response.body#/data/time_slots/0"

BOOKING = {"booking_id": "$response.body#/data/booking_id"}
SAME_BOOKING = {**BOOKING, "query.configuration_id": "$request.query.configuration_id"}

# source operation -> {link name: (target operation, parameters, request body or None)}
LINKS: dict[str, dict[str, tuple[str, dict, dict | None]]] = {
    **{
        source: {
            "GetGrant": ("grants_retrieve", {"grant_id": GRANT_ID}, None),
            "UpdateGrant": ("grants_partial_update", {"grant_id": GRANT_ID}, None),
            "DeleteGrant": ("grants_destroy", {"grant_id": GRANT_ID}, None),
            "ListCalendars": ("calendars_list", {"grant_id": GRANT_ID}, None),
            "CreateCalendar": ("calendars_create", {"grant_id": GRANT_ID}, None),
            "ListEvents": (
                "events_list",
                {"grant_id": GRANT_ID, "query.calendar_id": "primary"},
                None,
            ),
            "CreateEvent": (
                "events_create",
                {"grant_id": GRANT_ID, "query.calendar_id": "primary"},
                None,
            ),
            "ListConfigurations": ("configurations_list", {"grant_id": GRANT_ID}, None),
            "CreateConfiguration": (
                "configurations_create",
                {"grant_id": GRANT_ID},
                BOOKABLE_CONFIGURATION,
            ),
            "CreateConfigurationConfirmedByOrganizer": (
                "configurations_create",
                {"grant_id": GRANT_ID},
                CONFIRMED_BY_ORGANIZER,
            ),
            "FreeBusy": ("free_busy", {"grant_id": GRANT_ID}, None),
        }
        for source in ("grants_create", "connect_custom")
    },
    "calendars_create": {
        "GetCalendar": (
            "calendars_retrieve",
            {"grant_id": SAME_GRANT, "calendar_id": "$response.body#/data/id"},
            None,
        ),
        "UpdateCalendar": (
            "calendars_update",
            {"grant_id": SAME_GRANT, "calendar_id": "$response.body#/data/id"},
            None,
        ),
        "DeleteCalendar": (
            "calendars_destroy",
            {"grant_id": SAME_GRANT, "calendar_id": "$response.body#/data/id"},
            None,
        ),
        "CreateEvent": (
            "events_create",
            {"grant_id": SAME_GRANT, "query.calendar_id": "$response.body#/data/id"},
            None,
        ),
        "ListEvents": (
            "events_list",
            {"grant_id": SAME_GRANT, "query.calendar_id": "$response.body#/data/id"},
            None,
        ),
    },
    "events_create": {
        name: (
            target,
            {
                "grant_id": SAME_GRANT,
                "event_id": "$response.body#/data/id",
                "query.calendar_id": "$response.body#/data/calendar_id",
            },
            None,
        )
        for name, target in (
            ("GetEvent", "events_retrieve"),
            ("UpdateEvent", "events_update"),
            ("DeleteEvent", "events_destroy"),
        )
    },
    "configurations_create": {
        **{
            name: (
                target,
                {"grant_id": SAME_GRANT, "configuration_id": "$response.body#/data/id"},
                None,
            )
            for name, target in (
                ("GetConfiguration", "configurations_retrieve"),
                ("UpdateConfiguration", "configurations_update"),
                ("DeleteConfiguration", "configurations_destroy"),
                ("Explain", "configuration_explain"),
            )
        },
        "Availability": (
            "availability_by_configuration",
            {"query.configuration_id": "$response.body#/data/id"},
            None,
        ),
        "UISettings": (
            "ui_settings_get",
            {"query.configuration_id": "$response.body#/data/id"},
            None,
        ),
        "CreateSession": (
            "sessions_create",
            {},
            {"configuration_id": "$response.body#/data/id", "time_to_live": 30},
        ),
        "ShouldRedirect": (
            "scheduling_should_redirect",
            {"slug": "$response.body#/data/slug"},
            None,
        ),
    },
    "availability_by_configuration": {
        "BookOfferedSlot": (
            "bookings_create",
            {"query.configuration_id": "$request.query.configuration_id"},
            {
                "start_time": f"{OFFERED_SLOT}/start_time",
                "end_time": f"{OFFERED_SLOT}/end_time",
                "guest": {"name": "Linked Guest", "email": "guest@example.com"},
            },
        ),
    },
    "sessions_create": {
        name: (target, {"session_id": "$response.body#/data/session_id"}, None)
        for name, target in (("GetSession", "sessions_get"), ("DeleteSession", "sessions_delete"))
    },
    # A session's lifetime is a range of times to come: its configuration's slots in it.
    "sessions_get": {
        "Availability": (
            "availability_by_configuration",
            {
                "query.configuration_id": "$response.body#/data/configuration_id",
                "query.start_time": "$response.body#/data/created_at",
                "query.end_time": "$response.body#/data/expires_at",
            },
            None,
        ),
    },
    "bookings_create": {
        name: (target, parameters, body)
        for name, target, parameters, body in (
            ("GetBooking", "bookings_get", SAME_BOOKING, None),
            # To the time it has (the only offered time the booking's answer names): a move
            # that moves nothing, answered with the booking.
            (
                "RescheduleBooking",
                "bookings_reschedule",
                SAME_BOOKING,
                {"start_time": "$request.body#/start_time", "end_time": "$request.body#/end_time"},
            ),
            ("CancelBooking", "bookings_cancel", SAME_BOOKING, {"cancellation_reason": "Linked"}),
            ("ConfirmBooking", "bookings_decide", BOOKING, {"status": "confirmed"}),
            (
                "DeclineBooking",
                "bookings_decide",
                BOOKING,
                {"status": "cancelled", "cancellation_reason": "Linked"},
            ),
            (
                "BookingUISettings",
                "ui_settings_get",
                {
                    "query.configuration_id": "$request.query.configuration_id",
                    "query.booking_id": "$response.body#/data/booking_id",
                },
                None,
            ),
        )
    },
    "webhooks_create": {
        name: (target, {"webhook_id": "$response.body#/data/id"}, None)
        for name, target in (
            ("GetWebhook", "webhooks_retrieve"),
            ("UpdateWebhook", "webhooks_update"),
            ("DeleteWebhook", "webhooks_destroy"),
            ("RotateSecret", "webhooks_rotate_secret"),
            ("RotateSecretAlias", "webhooks_rotate_secret_alias"),
        )
    },
    "v2_pages_create": {
        **{
            name: (target, {"page_id": "$response.body#/id"}, None)
            for name, target in (
                ("GetPage", "v2_pages_get"),
                ("UpdatePage", "v2_pages_update"),
                ("DeletePage", "v2_pages_delete"),
                ("PageCalendars", "v2_pages_calendars"),
                ("UploadImage", "v2_pages_upload_image"),
            )
        },
        **{
            name: (target, {"slug": "$response.body#/slug"}, None)
            for name, target in (
                ("PageInfo", "v2_schedule_info"),
                ("PageTimeslots", "v2_schedule_timeslots"),
                ("BookPage", "v2_schedule_book"),
            )
        },
    },
}


def add_links(result, generator, request, public):
    """Put LINKS on each source operation's 200 answer."""
    operations = {
        operation["operationId"]: operation
        for path in result.get("paths", {}).values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for source, links in LINKS.items():
        if source not in operations:
            continue
        answer = operations[source]["responses"].get("200")
        if answer is None:
            continue
        for name, (target, parameters, body) in links.items():
            if target not in operations:
                continue
            link: dict = {"operationId": target, "parameters": parameters}
            if body is not None:
                link["requestBody"] = body
                # The body is the link's whole body, not merged into a generated one.
                link["x-schemathesis"] = {"merge_body": False}
            answer.setdefault("links", {})[name] = link
    return result
