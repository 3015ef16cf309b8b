"""Why a booking request was refused. These are the API's own error types (bookings may
import pages), so every entry point reports them the same way in either dialect."""

from pages.api.errors import BadRequest, Conflict


class SlotUnavailable(Conflict):
    """The time is not (or no longer) offered: taken meanwhile, or never on offer."""


class WrongState(Conflict):
    """The booking is not in a state that allows this (e.g. confirming a cancelled one)."""


class InvalidBooking(BadRequest):
    """The request itself is wrong; the message names the field."""


class TooLateToCancel(BadRequest):
    """Inside the configuration's min_cancellation_notice."""
