"""The hosted page words a refusal by its rule's code, never by matching the API's
English: rewording an API message changes nothing a guest reads."""

from __future__ import annotations

import pytest
from django.utils import translation

from bookings.problems import InvalidBooking
from bookings.views.guest_form import friendly


@pytest.mark.parametrize(
    ("code", "limit", "words"),
    [
        (InvalidBooking.REQUIRED, None, "Please fill in this field."),
        (InvalidBooking.EMAIL, None, "Please enter an email address such as name@example.com."),
        (InvalidBooking.TOO_LONG, 50, "Please use at most 50 characters."),
        (InvalidBooking.TOO_MANY_GUESTS, 10, "You can add at most 10 guests."),
        (InvalidBooking.PATTERN, None, "This doesn't have the form the organizer asked for."),
    ],
)
def test_the_words_follow_the_code_not_the_api_message(code, limit, words):
    problem = InvalidBooking("any wording the API chooses", field="x", code=code, limit=limit)
    with translation.override("en"):
        assert friendly(problem, "any wording the API chooses") == words


def test_a_refusal_without_a_code_keeps_its_message():
    problem = InvalidBooking("this page takes no additional guests", field="additional_guests")
    assert friendly(problem, "this page takes no additional guests") == (
        "this page takes no additional guests"
    )


def test_the_words_are_translated():
    problem = InvalidBooking("is required", field="guest.name", code=InvalidBooking.REQUIRED)
    with translation.override("de"):
        assert friendly(problem, "is required") != "Please fill in this field."
