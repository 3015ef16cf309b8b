"""The Questions section."""

from __future__ import annotations

import pytest

from tests.pages.editor.helpers import HTMX, error_beside, formset, text_of, url, v2_page

# Questions


def question(label, key="", type="text", required="", options="", pattern="") -> dict:
    row = {"label": label, "key": key, "type": type, "options": options, "pattern": pattern}
    if required:
        row["required"] = "on"
    return row


def test_saving_questions_replaces_the_list_and_keeps_the_v2_shape(editing):
    client, configuration, token = editing
    data = formset(
        "questions",
        [
            {**question("Company", "company", required="on"), "DELETE": "on"},
            question("Favorite food", "food", "multi_select", options="Ice Cream, Chips, Tea"),
            question("Team size?", type="dropdown", options="1-10, 11-50", pattern=r"^\d"),
        ],
        initial=2,
    )
    response = client.post(url(configuration, "questions"), data, **HTMX)
    assert response.status_code == 200, text_of(response)
    rows = list(configuration.additional_fields.values_list("key", "type", "options", "order"))
    assert rows == [
        ("food", "multi_select", ["Ice Cream", "Chips", "Tea"], 1),
        ("team_size", "dropdown", ["1-10", "11-50"], 2),
    ]
    fields = v2_page(configuration, token)["config"]["booking"]["additional_fields"]
    assert [(f["name"], f["type"]) for f in fields] == [
        ("food", "multi-select list"),
        ("team_size", "dropdown"),
    ]
    assert fields[0]["multi_select_options"] == ["Ice Cream", "Chips", "Tea"]
    assert fields[1]["dropdown_options"] == ["1-10", "11-50"]


def test_a_question_changed_to_a_type_without_options_drops_them(editing):
    client, configuration, token = editing
    data = formset(
        "questions",
        [
            question("Company", "company", required="on"),
            question("Favorite food", "food", "text", options="Ice Cream, Chips"),
        ],
    )
    response = client.post(url(configuration, "questions"), data, **HTMX)
    assert response.status_code == 200, text_of(response)
    assert configuration.additional_fields.get(key="food").options == []
    food = v2_page(configuration, token)["config"]["booking"]["additional_fields"][1]
    assert food["type"] == "text"
    assert "multi_select_options" not in food and "dropdown_options" not in food


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (question("Size", type="dropdown"), "options", "needs at least one option"),
        (question("Code", pattern="(unclosed"), "pattern", "not a regular expression"),
        (question("Code", pattern=r"^(a+)\1$"), "pattern", "RE2 can match in linear time"),
        (question("Code", pattern="a" * 201), "pattern", "at most 200 characters"),
        (question("Code", key="has space"), "key", "letters, digits, _ and -"),
        ({**question(""), "type": "dropdown"}, "label", "Enter the question."),
        (question("Kind", type="poll"), "type", "Select a valid choice"),
    ],
)
def test_an_invalid_question_is_refused_beside_the_field(editing, row, field, message):
    client, configuration, _token = editing
    response = client.post(
        url(configuration, "questions"), formset("questions", [row], initial=0), **HTMX
    )
    assert response.status_code == 422
    assert message in error_beside(text_of(response), f"id_questions-0-{field}")
    assert configuration.additional_fields.count() == 2


def test_two_questions_cannot_share_a_key(editing):
    client, configuration, _token = editing
    data = formset("questions", [question("Company", "company"), question("Company")], initial=0)
    response = client.post(url(configuration, "questions"), data, **HTMX)
    assert response.status_code == 422
    assert "Another question has the key company" in error_beside(
        text_of(response), "id_questions-1-label"
    )
