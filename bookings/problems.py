"""Why a booking request was refused. These are the API's own error types (bookings may
import pages), so every entry point reports them the same way in either dialect."""

from pages.api.errors import BadRequest, Conflict


class SlotUnavailable(Conflict):
    """The time is not (or no longer) offered: taken meanwhile, or never on offer."""


class WrongState(Conflict):
    """The booking is not in a state that allows this (e.g. confirming a cancelled one)."""


class InvalidBooking(BadRequest):
    """The request itself is wrong; the message names the field. ``code`` says which rule
    refused it (the hosted page words it for the guest by code, not by the API's English);
    ``limit`` is the number a "too long" or "too many" rule allows."""

    REQUIRED = "required"
    UNCHECKED = "unchecked"
    EMAIL = "email"
    PHONE = "phone"
    DATE = "date"
    OPTION = "option"
    PATTERN = "pattern"
    ONE_LINE = "one_line"
    TOO_LONG = "too_long"
    TOO_MANY_GUESTS = "too_many_guests"
    LANGUAGE = "language"

    def __init__(
        self, message: str, *, field: str | None = None, code: str = "", limit: int | None = None
    ):
        super().__init__(message, field=field)
        self.code = code
        self.limit = limit


class TooLateToCancel(BadRequest):
    """Inside the configuration's min_cancellation_notice."""
