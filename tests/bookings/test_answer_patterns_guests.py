"""A guest's answer is matched against the field's pattern by RE2, in time linear in the
answer: ``^(a+)+$`` and 40 a's and a "!" (minutes of backtracking for Python's ``re``)
are refused at once through the v3 API, the hosted page and v2 timeslots alike. No
module runs a stored pattern through Python's ``re``."""

from __future__ import annotations

import ast
import datetime as dt
import pathlib
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.models import Booking
from pages.models import AdditionalField

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
START = int(dt.datetime(2026, 12, 7, 10, tzinfo=CHICAGO).timestamp())
CATASTROPHIC = "^(a+)+$"
EVIL_ANSWER = "a" * 40 + "!"
BOUND_SECONDS = 2.0
ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    configuration = make_configuration(duration_minutes=30, slug="intro")
    AdditionalField.objects.create(
        configuration=configuration, key="code", label="Code", pattern=CATASTROPHIC
    )
    return configuration


def timed(call):
    began = time.monotonic()
    response = call()
    return response, time.monotonic() - began


def v3_booking(api, page, answer):
    body = {
        "start_time": START,
        "end_time": START + 1800,
        "guest": {"name": "Grace", "email": "grace@example.com"},
        "additional_fields": {"code": answer},
    }
    return api.post(f"/v3/scheduling/bookings?slug={page.slug}", body, format="json")


def test_the_v3_api_refuses_the_answer_at_once(api, page):
    response, seconds = timed(lambda: v3_booking(api, page, EVIL_ANSWER))
    assert seconds < BOUND_SECONDS
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("additional_fields.code")
    assert v3_booking(api, page, "a" * 40).status_code == 200


def test_the_hosted_page_refuses_the_answer_at_once(client, page):
    data = {
        "slot": str(START),
        "tz": "America/Chicago",
        "name": "Grace",
        "email": "grace@example.com",
        "field_code": EVIL_ANSWER,
    }
    response, seconds = timed(lambda: client.post("/book/intro/", data))
    assert seconds < BOUND_SECONDS
    assert response.status_code == 422
    assert 'id="id_field_code_error"' in response.content.decode()
    assert not Booking.objects.exists()


def test_the_hosted_page_leaves_the_browser_pattern_to_the_server_when_it_differs(client, page):
    AdditionalField.objects.create(configuration=page, key="any", label="Any", pattern=".+")
    html = client.get(f"/book/intro/?tz=America/Chicago&slot={START}").content.decode()
    assert 'pattern="^(a+)+$"' in html  # the same in both engines (and linear in RE2)
    assert 'pattern=".+"' not in html  # the dot differs: the server alone decides


def test_v2_timeslots_refuses_the_answer_at_once(api, page):
    body = {
        "slot": {"start": START, "end": START + 1800},
        "name": "Grace",
        "email": "grace@example.com",
        "additional_values": {"code": EVIL_ANSWER},
    }
    response, seconds = timed(lambda: api.post("/schedule/intro/timeslots", body, format="json"))
    assert seconds < BOUND_SECONDS
    assert response.status_code == 400
    assert set(response.json()) == {"type", "message"}
    assert response.json()["message"].startswith("additional_fields.code")


def _user_regex_calls(tree: ast.AST) -> list[int]:
    """Lines that call ``re.<anything>`` with an argument naming a pattern that is not a
    module-level constant: a stored or given pattern run on Python's backtracking ``re``."""
    lines = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
        ):
            continue
        first = ast.unparse(node.args[0])
        if "pattern" in first.lower() and not first.isupper():
            lines.append(node.lineno)
    return lines


def test_no_module_runs_a_users_pattern_on_pythons_re():
    found = {}
    for folder in ("pages", "bookings", "scheduler_site"):
        for path in (ROOT / folder).rglob("*.py"):
            if lines := _user_regex_calls(ast.parse(path.read_text())):
                found[str(path.relative_to(ROOT))] = lines
    assert found == {}
