"""Receivers of pages' signals (connected in BookingsConfig.ready): the one reverse
channel, from an event moved or deleted through the events API to its booking, and from
configurations being deleted to their bookings."""

from bookings import services


def on_event_moved(sender, *, event, old_start, old_end, **kwargs) -> None:
    services.follow_moved_event(event=event, old_start=old_start, old_end=old_end)


def on_event_deleted(sender, *, event, **kwargs) -> None:
    services.follow_deleted_event(event=event)


def on_configurations_deleting(sender, *, configuration_ids, **kwargs) -> None:
    services.end_bookings_of_deleted_configurations(configuration_ids=configuration_ids)
