"""Each difference between /v3/schema and the API that schemathesis once found, pinned
as one concrete request: its answer must be one the schema documents, in that status's
content type. (tests/scheduler_site/test_schemathesis_all.py hunts for new ones.)"""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/v3/schema").json()


@pytest.fixture
def key(db):
    from pages.services import create_api_key

    return create_api_key(name="findings")[1]


def documented(schema, method: str, route: str, status: int) -> dict | None:
    return schema["paths"][route][method]["responses"].get(str(status))


def send(client, method, path, key=None, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    if body is None and method in ("get", "delete"):
        return getattr(client, method)(path, **headers)
    return getattr(client, method)(path, body or "{}", content_type="application/json", **headers)


@pytest.mark.parametrize(
    "method,route,path,with_key,status",
    [
        ("get", "/manage/pages/{page_id}", "/manage/pages/0", False, 401),
        ("get", "/manage/pages/{page_id}", "/manage/pages/0", True, 404),
        ("put", "/manage/pages/{page_id}", "/manage/pages/0", False, 401),
        ("put", "/manage/pages/{page_id}", "/manage/pages/0", True, 404),
        ("delete", "/manage/pages/{page_id}", "/manage/pages/0", False, 401),
        ("delete", "/manage/pages/{page_id}", "/manage/pages/0", True, 404),
        ("post", "/manage/pages", "/manage/pages", False, 401),
        ("post", "/manage/pages", "/manage/pages", True, 400),
        ("get", "/schedule/{slug}/info", "/schedule/0/info", False, 404),
        ("post", "/schedule/{slug}/{edit_hash}/confirm", "/schedule/0/0/confirm", False, 404),
    ],
)
def test_a_v2_error_is_documented(client, schema, key, method, route, path, with_key, status):
    response = send(client, method, path, key if with_key else None)
    assert response.status_code == status, response.content[:200]
    answer = documented(schema, method, route, status)
    assert answer is not None, f"{method.upper()} {route} does not document {status}"
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/V2Error"
    }
