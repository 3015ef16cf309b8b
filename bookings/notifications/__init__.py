"""What a booking owes: emails, reminders and webhooks. (The webhooks grants and events
owe are organizer_webhooks.py's.)

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
  their manage link; each host a notice with the same invite; reminders; webhook
  booking.created.
- pending: the guest an "awaiting confirmation" note with a TENTATIVE invite; the
  organizer a request with signed confirm and decline links and the TENTATIVE invite;
  webhook booking.pending. Confirmed: as booked, the invite now CONFIRMED. Declined: the
  guest and the organizer a decline notice with an .ics CANCEL; webhook
  booking.cancelled.
- rescheduled: guests and hosts an updated .ics (a host the booking moved away from an
  .ics CANCEL); reminders moved; webhook booking.rescheduled.
- cancelled: guests and hosts an .ics CANCEL with the reason; reminders removed;
  webhook booking.cancelled.
Every invite of a booking has one UID; its SEQUENCE is 0 when the booking is made and
one more with each later change (calendar_invites.next_sequence), whoever is told.
``disable_emails`` stops every email; the v2 flags confirmation_emails_to_guests /
confirmation_emails_to_host stop the lifecycle emails to guests / hosts (the organizer's
confirmation request still goes: without it nobody can confirm), and
calendar_invite_to_guests=false leaves the .ics out. Webhooks are never switched off.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from bookings.models import OutboxMessage
from bookings.notifications import calendar_invites, emails, outbox, recipients, reminders, webhooks
from pages.unix_time import to_unix

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


def _invite(sequence: int, status: str) -> dict:
    """What an email row records for its invite (sent to guests when
    calendar_invite_to_guests allows, to hosts always: their calendars follow too)."""
    return {"sequence": sequence, "invite_status": status}


def _as_booked(owed: _Owed, *, new: bool = False) -> None:
    # A booking made just now has sent no invite yet: SEQUENCE 0, nothing to look up.
    sequence = 0 if new else calendar_invites.next_sequence(owed.booking)
    invite = _invite(sequence, "CONFIRMED")
    owed.guests("guest_confirmation", invite=owed.switches.invite, **invite)
    owed.hosts("organizer_notice", invite=True, **invite)
    owed.reminders()
    owed.webhook("booking.created")


def booking_created(booking, host_grants=None) -> None:
    """``host_grants``: the grants the booking occupies, when the caller holds them."""
    owed = _Owed(booking, host_grants)
    if booking.status == booking.Status.PENDING:
        tentative = _invite(0, "TENTATIVE")
        owed.guests("guest_pending", everyone=False, invite=owed.switches.invite, **tentative)
        organizer = recipients.organizer(booking)
        if organizer is not None:
            # Not subject to confirmation_emails_to_host: it is how the organizer decides.
            owed.email("organizer_request", [organizer], allowed=True, invite=True, **tentative)
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
    cancel = _invite(calendar_invites.next_sequence(booking), "CANCELLED")
    reminders.remove(booking, "The booking was declined.")
    owed.guests(
        "declined", everyone=False, invite=owed.switches.invite, reason=reason or "", **cancel
    )
    organizer = recipients.organizer(booking)
    if organizer is not None:
        # The organizer was sent the tentative invite whatever the v2 flags say: the
        # CANCEL that takes it out of their calendar goes the same way.
        owed.email(
            "declined", [organizer], allowed=True, invite=True, reason=reason or "", **cancel
        )
    owed.webhook("booking.cancelled", cancellation_reason=reason or "")
    owed.done()


def booking_rescheduled(
    booking, old_start: dt.datetime, old_end: dt.datetime, dropped_hosts=()
) -> None:
    """``dropped_hosts``: grants that hosted the booking before and do not now (round-robin
    gave the new time to someone else): their calendars lose the event."""
    owed = _Owed(booking)
    moved = {"old_start": outbox.instant(old_start), "old_end": outbox.instant(old_end)}
    pending = booking.status == booking.Status.PENDING
    status = "TENTATIVE" if pending else "CONFIRMED"
    invite = _invite(calendar_invites.next_sequence(booking), status)
    # A pending booking was sent only to the guest who asked (its additional guests are
    # invited when the organizer confirms).
    owed.guests("rescheduled", everyone=not pending, invite=owed.switches.invite, **invite, **moved)
    owed.hosts("rescheduled", invite=True, **invite, **moved)
    if dropped_hosts:
        # The same SEQUENCE as the new hosts' REQUEST: other calendars, one change. The
        # times are the ones those hosts had.
        owed.email(
            "cancelled",
            recipients.hosts(booking, list(dropped_hosts)),
            allowed=owed.switches.to_hosts,
            invite=True,
            reason="",
            **{**invite, "invite_status": "CANCELLED"},
            start=outbox.instant(old_start),
            end=outbox.instant(old_end),
        )
    reminders.remove(booking, "The booking was rescheduled.")
    owed.reminders()
    owed.webhook(
        "booking.rescheduled",
        old_start_time=to_unix(old_start),
        old_end_time=to_unix(old_end),
    )
    owed.done()


def booking_cancelled(booking, reason: str) -> None:
    owed = _Owed(booking)
    cancel = _invite(calendar_invites.next_sequence(booking), "CANCELLED")
    reminders.remove(booking, "The booking was cancelled.")
    owed.guests(
        "cancelled",
        everyone=_guests_were_invited(booking),
        invite=owed.switches.invite,
        reason=reason or "",
        **cancel,
    )
    owed.hosts("cancelled", invite=True, reason=reason or "", **cancel)
    owed.webhook("booking.cancelled", cancellation_reason=reason or "")
    owed.done()


def _guests_were_invited(booking) -> bool:
    """Whether all the guests were ever sent the booking as confirmed (a pending booking
    that is withdrawn was sent only to the guest who asked)."""
    return booking.outbox_messages.filter(purpose="guest_confirmation").exists()


def keep_owed_messages(booking_ids) -> None:
    """Before these bookings' rows are deleted: each email still owed is rendered now into
    its outbox row (which outlives the booking, its link set to null), so it is sent all
    the same; a webhook's payload is in its row already. Reminders are no longer owed."""
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
