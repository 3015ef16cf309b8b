"""The .ics a guest downloads from the confirmation and manage pages.

Built by the same builder as the emailed invites (bookings.notifications.calendar_invites)
so the UID (the booking id at the site's host) and the SEQUENCE match theirs: importing
the download after an emailed update, or the reverse, updates one event rather than
adding a second. METHOD is PUBLISH: a file to add to a calendar, not an invitation to
answer. A booking waiting for the organizer is TENTATIVE, like its emailed invite.
"""

from __future__ import annotations

from bookings.notifications import calendar_invites, recipients


def booking_calendar_file(booking, *, manage_url: str = "") -> bytes:
    organizer = booking.organizer
    organizer_email = organizer.email if organizer else booking.configuration.grant.email
    organizer_name = organizer.name if organizer else booking.configuration.grant.name
    attendees = [(p.email, p.name) for p in recipients.guests(booking)]
    if not booking.configuration.hide_participants:
        attendees += [
            (p.email, p.name)
            for p in recipients.hosts(booking)
            if p.email.lower() != organizer_email.lower()
        ]
    return calendar_invites.invite(
        booking,
        method="PUBLISH",
        sequence=calendar_invites.current_sequence(booking),
        start=booking.start,
        end=booking.end,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendees=attendees,
        manage_url=manage_url,
        status=calendar_invites.status_of(booking),
    )


def file_name(booking) -> str:
    stamp = booking.start.strftime("%Y%m%d-%H%M")
    return f"booking-{stamp}.ics"
