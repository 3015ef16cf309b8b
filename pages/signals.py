"""The one reverse channel from pages to bookings (DESIGN.md).

pages sends these from its services, inside their transaction: for every event moved or
deleted through the events API (bookings moves or cancels the booking that made the
event, if any), and before configurations are deleted (bookings cancels their upcoming
bookings and keeps what those still owe guests and webhooks, since the rows of the
bookings go with the configuration). Grants created, updated, deleted or expired and
events created, updated or deleted are announced too: bookings owes the ``grant.*`` and
``event.*`` webhooks, written as outbox rows in the same transaction. bookings connects
them in its AppConfig.ready.
"""

from django.dispatch import Signal

# sender=Event; kwargs: event (saved with its new times), old_start, old_end
event_moved = Signal()
# sender=Event; kwargs: event (about to be deleted)
event_deleted = Signal()
# sender=Configuration; kwargs: configuration_ids (about to be deleted, with their bookings)
configurations_deleting = Signal()
# sender=Event; kwargs: event (saved; or about to be deleted), trigger: "event.created",
# "event.updated" or "event.deleted"
event_changed = Signal()
# sender=Grant; kwargs: trigger ("grant.created", "grant.updated", "grant.deleted",
# "grant.expired"), grant_id, provider, email, name, reauthenticated (bool: new
# credentials made the grant valid again), grant_updated_at (datetime or None).
# Send it with announce_grant.
grant_changed = Signal()

GRANT_TRIGGERS = ("grant.created", "grant.updated", "grant.deleted", "grant.expired")
# What a grant is connected to when it has no provider of its own (POST /v3/grants).
DEFAULT_PROVIDER = "virtual-calendar"


def announce_grant(grant, trigger: str, *, reauthenticated: bool = False) -> None:
    """Owe the ``trigger`` webhook for ``grant``, e.g. when a CalDAV server refuses the
    grant's credentials::

        announce_grant(grant, "grant.expired")

    Call it inside the transaction that changes the grant (for ``grant.deleted``, before
    the delete): the outbox rows are written in it, so they exist exactly when the change
    does. ``reauthenticated`` marks a ``grant.updated`` that new credentials caused. The
    payload reads the grant's ``provider`` when it has one."""
    if trigger not in GRANT_TRIGGERS:
        raise ValueError(f"{trigger!r} is not one of {', '.join(GRANT_TRIGGERS)}")
    grant_changed.send(
        sender=type(grant),
        trigger=trigger,
        grant_id=grant.pk,
        provider=getattr(grant, "provider", "") or DEFAULT_PROVIDER,
        email=grant.email,
        name=grant.name,
        reauthenticated=reauthenticated,
        grant_updated_at=grant.updated_at,
    )
