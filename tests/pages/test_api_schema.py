"""The OpenAPI schema at /v3/schema describes the organizer routes; /v3/docs shows it
with a Swagger UI served from here (no CDN)."""

from __future__ import annotations

import re

import pytest

OUR_OPERATIONS = {
    "/v3/grants": {"get", "post"},
    "/v3/grants/{grant_id}": {"get", "delete"},
    "/v3/grants/{grant_id}/calendars": {"get", "post"},
    "/v3/grants/{grant_id}/calendars/{calendar_id}": {"get", "put", "delete"},
    "/v3/grants/{grant_id}/events": {"get", "post"},
    "/v3/grants/{grant_id}/events/{event_id}": {"get", "put", "delete"},
    "/v3/grants/{grant_id}/scheduling/configurations": {"get", "post"},
    "/v3/grants/{grant_id}/scheduling/configurations/{configuration_id}": {
        "get",
        "put",
        "delete",
    },
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/v3/schema")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/")
    return response.json()


def test_the_schema_lists_every_organizer_operation(schema):
    assert schema["openapi"].startswith("3.")
    for path, methods in OUR_OPERATIONS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_responses_are_described_with_the_envelope(schema):
    create = schema["paths"]["/v3/grants/{grant_id}/scheduling/configurations"]["post"]
    ok = create["responses"]["200"]["content"]["application/json"]["schema"]
    envelope = schema["components"]["schemas"][ok["$ref"].split("/")[-1]]
    assert set(envelope["properties"]) == {"request_id", "data"}
    assert {"400", "401", "403", "404"} <= set(create["responses"])
    listing = schema["paths"]["/v3/grants"]["get"]["responses"]["200"]
    list_envelope = schema["components"]["schemas"][
        listing["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    ]
    assert "next_cursor" in list_envelope["properties"]


def test_every_body_taking_operation_documents_415_in_its_dialect(schema):
    """A body not sent as application/json is refused with 415: documented wherever a body
    is taken, with the same envelope as the operation's 400 (v2 routes answer in v2's)."""
    taking = [
        operation
        for methods in schema["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    assert taking
    for operation in taking:
        responses = operation["responses"]
        if "400" in responses:
            assert responses["415"]["content"] == responses["400"]["content"], operation
    for path in ("/calendars/availability", "/manage/pages"):
        v2 = schema["paths"][path]["post"]["responses"]["415"]
        assert v2["content"]["application/json"]["schema"]["$ref"].endswith("/V2Error")


def test_every_operation_documents_the_503_of_a_database_outage_in_its_dialect(schema):
    operations = [
        (path, operation)
        for path, methods in schema["paths"].items()
        for operation in methods.values()
        if isinstance(operation, dict) and "responses" in operation
    ]
    assert operations
    for path, operation in operations:
        unavailable = operation["responses"]["503"]
        assert "Retry-After" in unavailable["headers"], path
        envelope = "V3Error" if path.startswith("/v3/") else "V2Error"
        ref = unavailable["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith(f"/{envelope}"), path


def test_the_configuration_shape_is_described(schema):
    components = schema["components"]["schemas"]
    configuration = components["ConfigurationSchema"]["properties"]
    assert {"participants", "availability", "event_booking", "scheduler", "appearance"} <= set(
        configuration
    )
    assert "availability_rules" in components["AvailabilitySchema"]["properties"]


def test_the_organizer_routes_say_they_take_a_bearer_secret(schema):
    scheme = schema["components"]["securitySchemes"]["organizer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert schema["paths"]["/v3/grants"]["get"]["security"] == [{"organizer": []}]


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_ui_from_this_server(client):
    response = client.get("/v3/docs")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources, "the page loads its scripts and styles"
    for source in sources:
        assert not re.match(r"^(https?:)?//", source), f"external asset: {source}"
    bundle = next(s for s in sources if s.endswith("swagger-ui-bundle.js"))
    assert client.get(bundle).status_code == 200
    # Swagger UI's start-up script is a URL of its own, not inline (the CSP allows none).
    start_up = next(s for s in sources if "script" in s.split("?", 1)[-1])
    assert "/v3/schema" in client.get(start_up.replace("&amp;", "&")).content.decode()


@pytest.mark.parametrize("word", ["seed", "outbox", "roster", "hot path", "loader"])
def test_the_api_docs_speak_of_the_product_not_of_our_internals(schema, word):
    text = str(schema).lower()
    assert not re.search(rf"\b{word}s?\b", text), f"{word!r} appears in the API description"
