"""What a booking owes: emails, reminders and webhooks.

The booking services call these inside their transaction; each writes outbox rows
describing what to send (and removes or moves rows that no longer apply), and nothing is
sent here. Celery sends the rows after commit (see bookings/notifications/README in the
module docstrings of the sending code).

Contract (called by bookings/services.py, with the booking already saved):
- booking_created(booking): a new booking, status booked or pending.
- booking_confirmed(booking): an organizer confirmed a pending booking.
- booking_declined(booking, reason): an organizer declined a pending booking.
- booking_rescheduled(booking, old_start, old_end): moved to booking.start/end.
- booking_cancelled(booking, reason): cancelled by guest, organizer or API.
"""

from __future__ import annotations

import datetime as dt


def booking_created(booking) -> None:
    pass


def booking_confirmed(booking) -> None:
    pass


def booking_declined(booking, reason: str) -> None:
    pass


def booking_rescheduled(booking, old_start: dt.datetime, old_end: dt.datetime) -> None:
    pass


def booking_cancelled(booking, reason: str) -> None:
    pass
