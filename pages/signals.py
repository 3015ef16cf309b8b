"""The one reverse channel from pages to bookings (DESIGN.md): when an event that a
booking made is moved or deleted through the events API, pages sends one of these and
bookings (connected in its AppConfig.ready) moves or cancels the booking."""

from django.dispatch import Signal

# sender=Event; kwargs: event (the Event, already saved with its new times)
booked_event_moved = Signal()
# sender=Event; kwargs: event (the Event, about to be deleted)
booked_event_deleted = Signal()
