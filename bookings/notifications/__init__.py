"""What a booking owes: emails, reminders and webhooks.

The booking services call these inside their transaction; each writes outbox rows
describing what to send (and removes or moves rows that no longer apply), and nothing is
sent here. Celery sends the rows after commit: outbox.py describes the rows' state
machine and why each is sent once, sending.py the sweep and the delivery.

Contract (called by bookings/services.py, with the booking already saved):
- booking_created(booking): a new booking, status booked or pending.
- booking_confirmed(booking): an organizer confirmed a pending booking.
- booking_declined(booking, reason): an organizer declined a pending booking.
- booking_rescheduled(booking, old_start, old_end): moved to booking.start/end.
- booking_cancelled(booking, reason): cancelled by guest, organizer or API.
- keep_owed_messages(booking_ids): those bookings are about to be deleted (with their
  configuration or grant): what their rows still owe is kept in the rows themselves.

Who gets what:
- booked: the guest and each additional guest a confirmation with an .ics REQUEST and
  their manage link; each host a notice; reminders; webhook booking.created.
- pending: the guest an "awaiting confirmation" note; the organizer a request with
  signed confirm and decline links; webhook booking.pending. Confirmed: as booked.
  Declined: the guest a decline notice; webhook booking.cancelled.
- rescheduled: guests an updated .ics (SEQUENCE + 1), hosts a notice, reminders moved;
  webhook booking.rescheduled. Cancelled: guests an .ics CANCEL with the reason, hosts a
  notice, reminders removed; webhook booking.cancelled.
``disable_emails`` stops every email; the v2 flags confirmation_emails_to_guests /
confirmation_emails_to_host stop the lifecycle emails to guests / hosts (the organizer's
confirmation request still goes: without it nobody can confirm), and
calendar_invite_to_guests=false leaves the .ics out. Webhooks are never switched off.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from bookings.notifications import calendar_invites, outbox, recipients, reminders, webhooks

__all__ = [
    "booking_cancelled",
    "booking_confirmed",
    "booking_created",
    "booking_declined",
    "booking_rescheduled",
    "keep_owed_messages",
]


class _Owed:
    """The rows one booking change owes, written in the caller's transaction."""

    def __init__(self, booking, host_grants=None):
        self.booking = booking
        self.host_grants = host_grants
        self.language = recipients.language_of(booking)
        self.switches = recipients.switches(booking.configuration)
        self.rows: list = []

    @cached_property
    def guest_people(self) -> list[recipients.Person]:
        return recipients.guests(self.booking)

    @cached_property
    def host_people(self) -> list[recipients.Person]:
        return recipients.hosts(self.booking, self.host_grants)

    def email(self, purpose: str, people, *, allowed: bool, **context) -> None:
        if not (self.switches.any and allowed):
            return
        for person in people:
            self.rows.append(
                outbox.new(
                    kind="email",
                    purpose=purpose,
                    booking=self.booking,
                    audience=person.audience,
                    recipient=person.email,
                    recipient_name=person.name,
                    context={
                        "start": outbox.instant(self.booking.start),
                        "end": outbox.instant(self.booking.end),
                        "timezone": person.timezone,
                        "language": self.language,
                        **context,
                    },
                )
            )

    def guests(self, purpose: str, *, everyone: bool = True, **context) -> None:
        people = self.guest_people
        if not everyone:
            people = people[:1]
        self.email(purpose, people, allowed=self.switches.to_guests, **context)

    def hosts(self, purpose: str, **context) -> None:
        self.email(purpose, self.host_people, allowed=self.switches.to_hosts, **context)

    def webhook(self, trigger: str, **extra) -> None:
        people = self.host_people + self.guest_people
        self.rows += webhooks.owe(self.booking, trigger, people=people, **extra)

    def reminders(self) -> None:
        self.rows += reminders.schedule(
            self.booking, language=self.language, guests=self.guest_people, hosts=self.host_people
        )

    def done(self) -> None:
        outbox.save_all(self.rows)
        outbox.send_after_commit(self.rows)


def _as_booked(owed: _Owed, *, new: bool = False) -> None:
    if owed.switches.to_guests:
        # A booking made just now has sent no invite yet: SEQUENCE 0, nothing to look up.
        sequence = 0 if new else calendar_invites.current_sequence(owed.booking)
        owed.guests("guest_confirmation", invite=owed.switches.invite, sequence=sequence)
    owed.hosts("organizer_notice")
    owed.reminders()
    owed.webhook("booking.created")


def booking_created(booking, host_grants=None) -> None:
    """``host_grants``: the grants the booking occupies, when the caller holds them."""
    owed = _Owed(booking, host_grants)
    if booking.status == booking.Status.PENDING:
        owed.guests("guest_pending", everyone=False)
        organizer = recipients.organizer(booking)
        if organizer is not None:
            # Not subject to confirmation_emails_to_host: it is how the organizer decides.
            owed.email("organizer_request", [organizer], allowed=True)
        owed.webhook("booking.pending")
    else:
        _as_booked(owed, new=True)
    owed.done()


def booking_confirmed(booking) -> None:
    owed = _Owed(booking)
    _as_booked(owed)
    owed.done()


def booking_declined(booking, reason: str) -> None:
    owed = _Owed(booking)
    reminders.remove(booking, "The booking was declined.")
    owed.guests("declined", everyone=False, reason=reason or "")
    owed.webhook("booking.cancelled", cancellation_reason=reason or "")
    owed.done()


def booking_rescheduled(booking, old_start: dt.datetime, old_end: dt.datetime) -> None:
    owed = _Owed(booking)
    moved = {"old_start": outbox.instant(old_start), "old_end": outbox.instant(old_end)}
    # A pending booking's guest has no calendar entry yet: a note, not an updated invite.
    was_invited = booking.status == booking.Status.BOOKED
    owed.guests(
        "rescheduled",
        everyone=was_invited,
        invite=was_invited and owed.switches.invite,
        sequence=calendar_invites.next_sequence(booking) if was_invited else 0,
        **moved,
    )
    owed.hosts("rescheduled", **moved)
    reminders.remove(booking, "The booking was rescheduled.")
    owed.reminders()
    owed.webhook(
        "booking.rescheduled",
        old_start_time=int(old_start.timestamp()),
        old_end_time=int(old_end.timestamp()),
    )
    owed.done()


def booking_cancelled(booking, reason: str) -> None:
    owed = _Owed(booking)
    was_invited = _guests_were_invited(booking)
    reminders.remove(booking, "The booking was cancelled.")
    owed.guests(
        "cancelled",
        everyone=was_invited,
        invite=was_invited and owed.switches.invite,
        sequence=calendar_invites.next_sequence(booking) if was_invited else 0,
        reason=reason or "",
    )
    owed.hosts("cancelled", reason=reason or "")
    owed.webhook("booking.cancelled", cancellation_reason=reason or "")
    owed.done()


def _guests_were_invited(booking) -> bool:
    """Whether the guests were ever sent the booking as confirmed (a pending booking
    that is withdrawn never was: no calendar entry to remove)."""
    return booking.outbox_messages.filter(purpose="guest_confirmation").exists()


def keep_owed_messages(booking_ids) -> None:
    """Before these bookings' rows are deleted: each email still owed is rendered now into
    its outbox row (which outlives the booking, its link set to null), so it is sent all
    the same; a webhook's payload is in its row already. Reminders are no longer owed."""
    from bookings.models import OutboxMessage
    from bookings.notifications import emails

    owed = OutboxMessage.objects.filter(
        booking_id__in=booking_ids,
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
    )
    reminders_of = owed.filter(purpose__in=["reminder", "booking.reminder"])
    # A reminder a worker holds right now finds no booking and is dropped (NotOwed).
    outbox.cancel_pending(reminders_of, "The booking was deleted.")
    for message in owed.filter(kind=OutboxMessage.Kind.EMAIL).exclude(purpose="reminder"):
        kept = emails.snapshot(message)
        if kept is None:
            reason = "The booking was deleted; this email was no longer owed."
            outbox.cancel_pending(OutboxMessage.objects.filter(pk=message.pk), reason)
        else:
            context = {**message.context, "email": kept}
            OutboxMessage.objects.filter(pk=message.pk).update(context=context)
