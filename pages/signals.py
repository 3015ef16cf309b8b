"""The one reverse channel from pages to bookings (DESIGN.md).

pages sends these from its services, inside their transaction: for every event moved or
deleted through the events API (bookings moves or cancels the booking that made the
event, if any), and before configurations are deleted (bookings cancels their upcoming
bookings and keeps what those still owe guests and webhooks, since the rows of the
bookings go with the configuration). bookings connects them in its AppConfig.ready.
"""

from django.dispatch import Signal

# sender=Event; kwargs: event (saved with its new times), old_start, old_end
event_moved = Signal()
# sender=Event; kwargs: event (about to be deleted)
event_deleted = Signal()
# sender=Configuration; kwargs: configuration_ids (about to be deleted, with their bookings)
configurations_deleting = Signal()
# sender=Grant; kwargs: grant (its server refused its credentials: now invalid)
grant_expired = Signal()
