"""Receivers of pages' signals (connected in BookingsConfig.ready): the one reverse
channel, from an event moved or deleted through the events API to its booking, from
configurations being deleted to their bookings, and from grants and events changed to
the ``grant.*`` and ``event.*`` webhooks they owe."""

from bookings import services
from bookings.notifications import organizer_webhooks


def on_event_moved(sender, *, event, old_start, old_end, **kwargs) -> None:
    services.follow_moved_event(event=event, old_start=old_start, old_end=old_end)


def on_event_deleted(sender, *, event, **kwargs) -> None:
    services.follow_deleted_event(event=event)


def on_configurations_deleting(sender, *, configuration_ids, **kwargs) -> None:
    services.end_bookings_of_deleted_configurations(configuration_ids=configuration_ids)


def on_grant_changed(
    sender,
    *,
    trigger,
    grant_id,
    provider,
    email,
    name="",
    reauthenticated=False,
    grant_updated_at=None,
    **kwargs,
) -> None:
    organizer_webhooks.grant_changed(
        trigger=trigger,
        grant_id=grant_id,
        provider=provider,
        email=email,
        name=name,
        reauthenticated=reauthenticated,
        grant_updated_at=grant_updated_at,
    )


def on_event_changed(sender, *, event, trigger, **kwargs) -> None:
    organizer_webhooks.event_changed(event=event, trigger=trigger)
