"""Ids a migrating team already holds: ``id`` on the creates (API key only, a taken one is
a 409), and ``{grant_id}`` in paths as the grant's ID, its email or ``me``."""

from __future__ import annotations

import uuid

import pytest

from pages.models import Configuration, Grant

HOSTED_GRANT = "e19f8e1a-eb1c-41c0-b6a6-d2e59daf7f47"
HOSTED_CONFIGURATION = "8a3f2c1d-0b4e-4f6a-9c7d-2e5b1a0f3c9d"


def minimal_configuration(email: str, **more) -> dict:
    return {
        "participants": [
            {
                "email": email,
                "is_organizer": True,
                "availability": {"calendar_ids": ["primary"]},
                "booking": {"calendar_id": "primary"},
            }
        ],
        "availability": {"duration_minutes": 30},
        "event_booking": {"title": "Intro"},
        **more,
    }


def test_the_api_key_creates_a_grant_with_the_hosted_id(as_app, ok):
    grant = ok(
        as_app.post("/v3/grants", {"id": HOSTED_GRANT, "email": "ada@example.com"}, format="json")
    )
    assert grant["id"] == HOSTED_GRANT
    assert Grant.objects.get(pk=HOSTED_GRANT).email == "ada@example.com"
    assert ok(as_app.get(f"/v3/grants/{HOSTED_GRANT}"))["email"] == "ada@example.com"


def test_an_upper_case_hosted_id_is_stored_and_reached_in_canonical_form(as_app, ok):
    grant = ok(
        as_app.post(
            "/v3/grants", {"id": HOSTED_GRANT.upper(), "email": "ada@example.com"}, format="json"
        )
    )
    assert grant["id"] == HOSTED_GRANT
    assert ok(as_app.get(f"/v3/grants/{HOSTED_GRANT.upper()}"))["id"] == HOSTED_GRANT


@pytest.mark.parametrize("value", [None, ""])
@pytest.mark.parametrize("route", ["/v3/grants", "/v3/connect/custom"])
def test_a_null_or_empty_id_is_no_id(as_app, ok, route, value):
    # As the schema says (schemathesis's coverage phase sent "" to connect/custom).
    body = {"id": value, "email": "ada@example.com", "provider": "virtual-calendar"}
    grant = ok(as_app.post(route, body, format="json"))
    assert uuid.UUID(grant["id"]) and grant["id"] != ""


def test_a_taken_grant_id_is_a_409_in_the_v3_envelope_and_changes_nothing(as_app, owner, refused):
    response = as_app.post(
        "/v3/grants", {"id": str(owner.pk), "email": "other@example.com"}, format="json"
    )
    message = refused(response, 409, "conflict_error")
    assert message.startswith("id: ") and str(owner.pk) in message
    assert not Grant.objects.filter(email="other@example.com").exists()


@pytest.mark.parametrize("value", ["grant_123", "1111111", 1111111, ["x"], "not-a-uuid-at-all"])
def test_an_id_that_is_not_a_uuid_is_a_400_naming_id(as_app, refused, value):
    response = as_app.post("/v3/grants", {"id": value, "email": "ada@example.com"}, format="json")
    message = refused(response, 400, "invalid_request_error")
    assert message.startswith("id: ") and "UUID" in message
    assert not Grant.objects.filter(email="ada@example.com").exists()


def test_connect_custom_keeps_the_hosted_id(as_app, ok):
    grant = ok(
        as_app.post(
            "/v3/connect/custom",
            {
                "id": HOSTED_GRANT,
                "provider": "virtual-calendar",
                "settings": {"email": "ada@example.com"},
            },
            format="json",
        )
    )
    assert grant["id"] == HOSTED_GRANT
    assert Grant.objects.get(pk=HOSTED_GRANT).calendars.filter(is_primary=True).exists()


def test_connect_custom_with_a_taken_id_is_a_409(as_app, owner, refused):
    response = as_app.post(
        "/v3/connect/custom",
        {"id": str(owner.pk), "provider": "virtual-calendar", "email": "new@example.com"},
        format="json",
    )
    assert refused(response, 409, "conflict_error").startswith("id: ")
    assert not Grant.objects.filter(email="new@example.com").exists()


def test_a_configuration_keeps_its_hosted_id_and_slug(as_app, owner, ok):
    body = minimal_configuration(owner.email, id=HOSTED_CONFIGURATION, slug="intro")
    made = ok(as_app.post(f"/v3/grants/{owner.pk}/scheduling/configurations", body, format="json"))
    assert (made["id"], made["slug"]) == (HOSTED_CONFIGURATION, "intro")
    path = f"/v3/grants/{owner.pk}/scheduling/configurations/{HOSTED_CONFIGURATION}"
    assert ok(as_app.get(path))["slug"] == "intro"
    # A PUT of what a GET returned (id included) still works: id stays read-only there.
    assert ok(as_app.put(path, ok(as_app.get(path)), format="json"))["id"] == HOSTED_CONFIGURATION


def test_a_taken_configuration_id_is_a_409_under_any_grant(as_app, owner, outsider, ok, refused):
    body = minimal_configuration(owner.email, id=HOSTED_CONFIGURATION)
    ok(as_app.post(f"/v3/grants/{owner.pk}/scheduling/configurations", body, format="json"))
    again = minimal_configuration(outsider.email, id=HOSTED_CONFIGURATION, slug="other")
    response = as_app.post(
        f"/v3/grants/{outsider.pk}/scheduling/configurations", again, format="json"
    )
    assert refused(response, 409, "conflict_error").startswith("id: ")
    assert not Configuration.objects.filter(slug="other").exists()


def test_a_grant_token_cannot_choose_a_configuration_id(as_owner, owner, refused):
    body = minimal_configuration(owner.email, id=HOSTED_CONFIGURATION)
    response = as_owner.post(
        f"/v3/grants/{owner.pk}/scheduling/configurations", body, format="json"
    )
    assert "only the API key" in refused(response, 403, "forbidden")
    assert not Configuration.objects.exists()


def test_a_grant_token_still_creates_configurations_without_an_id(as_owner, owner, ok):
    made = ok(
        as_owner.post(
            f"/v3/grants/{owner.pk}/scheduling/configurations",
            minimal_configuration(owner.email),
            format="json",
        )
    )
    assert Configuration.objects.get(pk=made["id"]).grant == owner


def test_the_services_refuse_a_taken_id_without_a_partial_write(owner):
    from pages import services
    from pages.api.auth import Caller
    from pages.api.configuration_input import read_configuration

    changes = read_configuration(minimal_configuration(owner.email), caller=Caller("api_key"))
    made = services.create_configuration(grant=owner, changes=changes)
    with pytest.raises(services.IdTaken):
        services.create_configuration(grant=owner, changes=changes, configuration_id=made.pk)
    with pytest.raises(services.IdTaken):
        services.create_grant(email="new@example.com", grant_id=owner.pk)
    assert Configuration.objects.count() == 1
    assert not Grant.objects.filter(email="new@example.com").exists()


# {grant_id}: the ID, the email, or me


@pytest.mark.parametrize("spelling", ["owner@example.com", "OWNER@Example.COM"])
def test_a_grant_is_reached_by_its_email_in_any_case(as_app, owner, ok, spelling):
    assert ok(as_app.get(f"/v3/grants/{spelling}"))["id"] == str(owner.pk)
    calendars = ok(as_app.get(f"/v3/grants/{spelling}/calendars"))
    assert [c["grant_id"] for c in calendars] == [str(owner.pk)]


def test_me_is_the_grant_of_the_access_token(as_owner, owner, ok):
    assert ok(as_owner.get("/v3/grants/me"))["id"] == str(owner.pk)
    made = ok(
        as_owner.post(
            "/v3/grants/me/scheduling/configurations",
            minimal_configuration(owner.email),
            format="json",
        )
    )
    listed = ok(as_owner.get("/v3/grants/me/scheduling/configurations"))
    assert [c["id"] for c in listed] == [made["id"]]
    assert ok(as_owner.get(f"/v3/grants/me/scheduling/configurations/{made['id']}"))


def test_me_with_the_api_key_is_a_404_that_says_why(as_app, owner, refused):
    assert "access token" in refused(as_app.get("/v3/grants/me"), 404, "not_found_error")


def test_a_grant_token_cannot_reach_another_grant_by_its_email(as_outsider, owner, refused):
    for path in (f"/v3/grants/{owner.email}", f"/v3/grants/{owner.email}/calendars"):
        assert refused(as_outsider.get(path), 404) == refused(
            as_outsider.get("/v3/grants/nobody@example.com"), 404
        )


def test_an_unknown_email_or_word_is_a_404(as_app, owner, refused):
    for segment in ("nobody@example.com", "owner", "ME"):
        refused(as_app.get(f"/v3/grants/{segment}"), 404, "not_found_error")


def test_free_busy_and_explain_take_the_email_and_me(as_app, as_owner, owner, ok):
    made = ok(
        as_app.post(
            f"/v3/grants/{owner.email}/scheduling/configurations",
            minimal_configuration(owner.email),
            format="json",
        )
    )
    body = {"start_time": 1_800_000_000, "end_time": 1_800_003_600, "emails": [owner.email]}
    for client, segment in ((as_app, owner.email.upper()), (as_owner, "me")):
        busy = ok(client.post(f"/v3/grants/{segment}/calendars/free-busy", body, format="json"))
        assert busy[0]["email"] == owner.email
        explained = ok(
            client.get(
                f"/v3/grants/{segment}/scheduling/configurations/{made['id']}/explain",
                {"start_time": 1_800_000_000},
            )
        )
        assert "available" in explained


def test_free_busy_and_explain_keep_other_grants_out(as_outsider, owner, as_app, ok, refused):
    made = ok(
        as_app.post(
            f"/v3/grants/{owner.pk}/scheduling/configurations",
            minimal_configuration(owner.email),
            format="json",
        )
    )
    body = {"start_time": 1_800_000_000, "end_time": 1_800_003_600, "emails": [owner.email]}
    path = f"/v3/grants/{owner.email}/calendars/free-busy"
    refused(as_outsider.post(path, body, format="json"), 404, "not_found_error")
    explain = f"/v3/grants/{owner.email}/scheduling/configurations/{made['id']}/explain"
    refused(as_outsider.get(explain, {"start_time": 1_800_000_000}), 404, "not_found_error")
    refused(as_app.get(explain.replace(owner.email, "me"), {"start_time": 1}), 404)


def test_the_schema_describes_the_id_fields_and_the_grant_path(as_app):
    schema = as_app.get("/v3/schema").json()
    components = schema["components"]["schemas"]
    for name in ("GrantCreateRequest", "ConnectCustomRequest", "NewConfigurationSchema"):
        # A UUID, or "" or null for none (what chosen_id reads).
        chosen = components[name]["properties"]["id"]
        assert chosen["nullable"], name
        assert chosen["oneOf"] == [
            {"type": "string", "format": "uuid"},
            {"type": "string", "maxLength": 0},
        ], name
    assert "id" not in components["NewConfigurationSchema"].get("required", [])
    assert components["ConfigurationSchema"]["properties"]["id"]["readOnly"]
    post = schema["paths"]["/v3/grants/{grant_id}/scheduling/configurations"]["post"]
    assert "409" in post["responses"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/NewConfigurationSchema"
    )
    for route, item in schema["paths"].items():
        if "{grant_id}" not in route:
            continue
        for operation in item.values():
            parameter = next(p for p in operation["parameters"] if p["name"] == "grant_id")
            assert parameter["schema"] == {"type": "string"}, route
            assert "me" in parameter["description"] and "email" in parameter["description"]
