"""The server-rendered pages: guests book (booking_page), see, move and cancel their
booking (guest_booking); organizers confirm or decline (organizer) and see or cancel a
booking from their emails (organizer_booking); /healthz (health); / and /favicon.ico
(home). A form refused by the CSRF check gets csrf.csrf_failure
(settings.CSRF_FAILURE_VIEW)."""

from bookings.views.booking_page import booking_page
from bookings.views.common import public_configuration
from bookings.views.guest_booking import (
    booking_calendar,
    cancel_booking,
    manage_booking,
    reschedule_booking,
)
from bookings.views.health import healthz
from bookings.views.home import favicon, home
from bookings.views.organizer import organizer_confirmation
from bookings.views.organizer_booking import organizer_booking

__all__ = [
    "booking_calendar",
    "booking_page",
    "cancel_booking",
    "favicon",
    "healthz",
    "home",
    "manage_booking",
    "organizer_booking",
    "organizer_confirmation",
    "public_configuration",
    "reschedule_booking",
]
