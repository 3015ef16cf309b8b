"""The one reverse channel from pages to bookings (DESIGN.md).

pages sends these from its event services, inside their transaction, for every event
moved or deleted through the events API; bookings (connected in its AppConfig.ready)
moves or cancels the booking that made the event, if any, in the same transaction.
"""

from django.dispatch import Signal

# sender=Event; kwargs: event (saved with its new times), old_start, old_end
event_moved = Signal()
# sender=Event; kwargs: event (about to be deleted)
event_deleted = Signal()
