"""An additional field's pattern is RE2's: refused at save time (v3 API, v2 API, admin)
when RE2 cannot compile it or it is too long, and passed to the browser only when the
browser would read it the same way."""

from __future__ import annotations

import pytest
import re2
from django.urls import reverse

from pages.answer_patterns import (
    MAX_PATTERN_LENGTH,
    answer_matches,
    browser_pattern,
    pattern_problem,
)
from pages.models import AdditionalField, Configuration

CATASTROPHIC = "^(a+)+$"
NOT_LINEAR = [r"(a)\1", r"(?=a)a", r"(?<!b)a", r"a(?!b)"]


def test_rE2_refuses_backreferences_and_lookaround_with_a_reason():
    for pattern in NOT_LINEAR:
        problem = pattern_problem(pattern)
        assert problem and problem.startswith("is not a regular expression RE2 can match"), pattern


def test_a_pattern_longer_than_the_limit_is_refused():
    assert pattern_problem("a" * MAX_PATTERN_LENGTH) is None
    assert pattern_problem("a" * (MAX_PATTERN_LENGTH + 1)) == "must be at most 200 characters"


def test_a_catastrophic_pattern_compiles_and_matches_a_long_answer_at_once():
    assert pattern_problem(CATASTROPHIC) is None
    assert answer_matches(CATASTROPHIC, "a" * 40) is True
    assert answer_matches(CATASTROPHIC, "a" * 40 + "!") is False
    assert answer_matches(CATASTROPHIC, "a" * 5000 + "!") is False


def test_a_stored_pattern_re2_refuses_matches_nothing_instead_of_failing():
    assert answer_matches(r"(a)\1", "aa") is False


def test_a_lone_surrogate_is_refused_or_unmatched_not_an_error():
    assert "lone surrogate" in pattern_problem("a\ud800")
    assert answer_matches("a+", "a\ud800") is False


def test_the_whole_answer_must_match():
    assert answer_matches(r"\d+", "123") is True
    assert answer_matches(r"\d+", "123x") is False
    assert answer_matches(r"a|bc", "bc") is True


@pytest.mark.parametrize(
    "pattern",
    [
        "[A-Za-z ]+",
        r"\+49 ?\d{2,5} \d+",
        r"^\d",
        "(?:ab|cd)*x",
        "[^0-9]{3}",
        r"[\w.\-]+@example\.com",
        "Grüße",
        "a{2,}b?",
        r"\(\d{3}\) \d{4}",
    ],
)
def test_a_plain_pattern_goes_to_the_browser_as_written(pattern):
    assert browser_pattern(pattern) == pattern


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"\s+", "\\s is Unicode-wide in JavaScript"),
        (".+", "the dot stops at more line ends in JavaScript"),
        ("[a-z_-]+", "an unescaped - in a class is an error with the v flag"),
        ("[a&&b]", "&& is an intersection with the v flag"),
        ("(?i)abc", "no inline flags in JavaScript"),
        ("[[:alpha:]]+", "POSIX classes are RE2's only"),
        (r"\pL+", "RE2's one-letter Unicode class"),
        ("a{,3}", "a literal in RE2, an error with the v flag"),
        ("a]", "a lone ] is an error with the v flag"),
        (r"(a)\1", "RE2 refuses it"),
        (r"\Aabc\z", "RE2's text anchors"),
        ("(?P<x>a)", "named groups are spelled differently"),
        ("", "no pattern at all"),
    ],
)
def test_a_pattern_that_could_mean_something_else_in_the_browser_is_left_out(pattern, why):
    assert browser_pattern(pattern) == "", why


def test_every_pattern_passed_to_the_browser_compiles_in_rE2():
    for pattern in ["[A-Za-z ]+", r"[\w.\-]+", r"[!#%&,:;<=>@`~]", r"[\(\)\[\]\{\}\/\|]"]:
        assert browser_pattern(pattern) == pattern
        re2.compile(pattern)


# Save time


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"^(\w+)\1$", "RE2 can match in linear time"),
        ("(?=x)x", "RE2 can match in linear time"),
        ("a" * 201, "must be at most 200 characters"),
    ],
)
def test_the_v3_api_refuses_a_pattern_re2_cannot_use(as_owner, owner, refused, pattern, problem):
    body = {
        "participants": [{"email": owner.email, "is_organizer": True}],
        "scheduler": {"additional_fields": {"code": {"label": "Code", "pattern": pattern}}},
    }
    response = as_owner.post(
        f"/v3/grants/{owner.pk}/scheduling/configurations", body, format="json"
    )
    message = refused(response, 400, "invalid_request_error")
    assert message.startswith("scheduler.additional_fields.code.pattern: "), message
    assert problem in message
    assert not Configuration.objects.exists()


def test_the_v3_api_keeps_a_catastrophic_pattern_re2_runs_in_linear_time(as_owner, owner, ok):
    body = {
        "participants": [{"email": owner.email, "is_organizer": True}],
        "scheduler": {"additional_fields": {"code": {"label": "Code", "pattern": CATASTROPHIC}}},
    }
    response = as_owner.post(
        f"/v3/grants/{owner.pk}/scheduling/configurations", body, format="json"
    )
    ok(response)
    assert AdditionalField.objects.get().pattern == CATASTROPHIC


def test_v2_manage_pages_refuses_a_pattern_re2_cannot_use(api, owner):
    calendar_id = str(owner.calendars.get(is_primary=True).pk)
    body = {
        "access_tokens": [owner.token],
        "name": "Coffee",
        "slug": "coffee",
        "config": {
            "calendar_ids": {str(owner.pk): {"availability": [calendar_id]}},
            "booking": {
                "additional_fields": [
                    {"name": "code", "label": "Code", "type": "text", "pattern": r"(x)\1"}
                ]
            },
        },
    }
    response = api.post(
        "/manage/pages", body, format="json", HTTP_AUTHORIZATION=f"Bearer {owner.token}"
    )
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"type", "message"}
    assert "additional_fields" in response.json()["message"]
    assert "pattern" in response.json()["message"]
    assert not Configuration.objects.exists()


def test_the_admin_refuses_a_pattern_re2_cannot_use(staff_client, demo_page):
    from tests.pages.test_admin import change_form_data

    AdditionalField.objects.create(configuration=demo_page, key="code", label="Code")
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    data = change_form_data(staff_client.get(url))
    pattern_keys = [k for k in data if k.endswith("-pattern")]
    assert pattern_keys, data
    data[pattern_keys[0]] = r"(a)\1"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    errors = [
        form.errors
        for inline in response.context["inline_admin_formsets"]
        for form in inline.formset.forms
        if form.errors
    ]
    assert any("RE2 can match in linear time" in str(e.get("pattern")) for e in errors), errors
    assert not AdditionalField.objects.filter(pattern=r"(a)\1").exists()
