"""Emails: render one outbox row (HTML and plain text, in the booking's language and the
recipient's time zone) and hand it to Django's email backend (EMAIL_URL).

Rendering happens when the row is sent, from the booking as it is then plus what the row
recorded when it was written (the times, the old times, the reason, the SEQUENCE). The
guest's and organizer's links are derived from the booking at send time, so no secret is
ever stored in the outbox.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from email.mime.text import MIMEText
from email.utils import parseaddr
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from bookings import calendar_links, links
from bookings.languages import date_and_time, supported_language
from bookings.models import Booking, OutboxMessage
from bookings.notifications import calendar_invites, outbox, recipients
from bookings.notifications.outbox import NotOwed, PermanentFailure
from bookings.notifications.safe_headers import mailbox, one_line, valid_address
from pages import conferencing, page_urls

# Which purposes carry an invite, and with which iTIP method (a row carries one when it
# recorded ``invite``; its STATUS and SEQUENCE are recorded beside it).
INVITE_METHODS = {
    "guest_confirmation": "REQUEST",
    "guest_pending": "REQUEST",
    "organizer_notice": "REQUEST",
    "organizer_request": "REQUEST",
    "rescheduled": "REQUEST",
    "cancelled": "CANCEL",
    "declined": "CANCEL",
}
# Purposes whose email offers "Add to Google Calendar" / "Add to Outlook" links.
CALENDAR_LINK_PURPOSES = {"guest_confirmation", "organizer_notice", "rescheduled"}


def message_id(message: OutboxMessage) -> str:
    """Deterministic per row: a copy sent twice (see outbox.py) is recognisably the same."""
    return f"<{message.pk}@{calendar_invites.site_host()}>"


def send(message: OutboxMessage) -> None:
    email = build(message)
    try:
        sent = email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentFailure(f"The mail server refused the recipient: {exc}") from exc
        raise
    except smtplib.SMTPDataError as exc:
        if exc.smtp_code >= 500:
            raise PermanentFailure(f"The mail server refused the message: {exc}") from exc
        raise
    if not sent:
        raise RuntimeError("The email backend sent nothing.")


def build(message: OutboxMessage) -> EmailMultiAlternatives:
    booking = None
    if message.booking_id is not None:
        booking = (
            Booking.objects.select_related("configuration", "organizer", "event")
            .filter(pk=message.booking_id)
            .first()
        )
    if booking is None:
        if message.context.get("email"):  # rendered before its booking was deleted
            return from_snapshot(message, message.context["email"])
        raise NotOwed("The booking no longer exists.")
    if message.purpose == "reminder":
        _check_reminder_still_owed(message, booking)
    if not valid_address(message.recipient):
        raise PermanentFailure(f"Not an email address: {message.recipient!r}")

    language = supported_language(message.context.get("language")) or recipients.language_of(
        booking
    )
    with translation.override(language):
        context = template_context(message, booking)
        subject = one_line(subject_for(message.purpose, context), limit=250)
        text = render_to_string(f"emails/{message.purpose}.txt", context)
        html = render_to_string(f"emails/{message.purpose}.html", context)

    reply_to = []
    if message.audience == OutboxMessage.Audience.GUEST and booking.organizer:
        reply_to = [mailbox(booking.organizer.name, booking.organizer.email)]
    elif message.audience == OutboxMessage.Audience.HOST and valid_address(booking.guest_email):
        reply_to = [mailbox(booking.guest_name, booking.guest_email)]
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mailbox(message.recipient_name, message.recipient)],
        reply_to=reply_to,
        headers={"Message-ID": message_id(message), "Auto-Submitted": "auto-generated"},
    )
    email.attach_alternative(html, "text/html")
    method = INVITE_METHODS.get(message.purpose)
    if method and message.context.get("invite"):
        with translation.override(language):
            email.attach(invite_part(message, booking, method, context))
    return email


def _check_reminder_still_owed(message: OutboxMessage, booking: Booking) -> None:
    # The reschedule or cancellation that made this reminder stale cancels it; this is
    # the backstop for a row a worker had already claimed at that moment.
    if booking.status != Booking.Status.BOOKED:
        raise NotOwed(f"The booking is {booking.status}.")
    if not outbox.same_instant(message.context.get("start"), booking.start):
        raise NotOwed("The booking has moved since this reminder was scheduled.")


def invite_part(message, booking, method: str, context: dict) -> MIMEText:
    start, end = _instant(message.context["start"]), _instant(message.context["end"])
    organizer = booking.organizer
    organizer_email = organizer.email if organizer else _from_address()
    organizer_name = organizer.name if organizer else ""
    attendees = [(p.email, p.name) for p in recipients.guests(booking)]
    if not booking.configuration.hide_participants:
        attendees += [
            (p.email, p.name)
            for p in recipients.hosts(booking)
            if p.email.lower() != organizer_email.lower()
        ]
    ics = calendar_invites.invite(
        booking,
        method=method,
        sequence=int(message.context.get("sequence", 0)),
        start=start,
        end=end,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendees=attendees,
        manage_url=context.get("manage_url") or context.get("organizer_page_url", ""),
        status=message.context.get("invite_status", ""),
    )
    return _invite_mime(ics.decode(), method)


def _invite_mime(ics: str, method: str) -> MIMEText:
    part = MIMEText(ics, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def snapshot(message: OutboxMessage) -> dict | None:
    """The email ``message`` would send, as plain data to keep in the row when its booking
    is about to be deleted (its configuration or grant is); None when it is not owed."""
    try:
        email = build(message)
    except (NotOwed, PermanentFailure):
        return None
    return {
        "subject": email.subject,
        "text": email.body,
        "html": [content for content, mimetype in email.alternatives if mimetype == "text/html"],
        "from": email.from_email,
        "to": email.to,
        "reply_to": email.reply_to,
        "invites": [
            {"ics": part.get_payload(decode=True).decode(), "method": part.get_param("method")}
            for part in email.attachments
            if isinstance(part, MIMEText)
        ],
    }


def from_snapshot(message: OutboxMessage, kept: dict) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=kept["subject"],
        body=kept["text"],
        from_email=kept["from"],
        to=kept["to"],
        reply_to=kept["reply_to"],
        # This row's own Message-ID: a re-sent copy is a row of its own.
        headers={"Message-ID": message_id(message), "Auto-Submitted": "auto-generated"},
    )
    for html in kept["html"]:
        email.attach_alternative(html, "text/html")
    for invite in kept["invites"]:
        email.attach(_invite_mime(invite["ics"], invite["method"]))
    return email


def _from_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "scheduler@localhost"


def _instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


# What the templates see


def format_when(start: dt.datetime, end: dt.datetime, zone_name: str) -> str:
    """ "Tuesday, March 3, 2026, 10:00 AM – 10:30 AM" in the zone, in the active language."""
    zone = recipients.zone(zone_name)
    start, end = start.astimezone(zone), end.astimezone(zone)
    date_format = pgettext("email date", "l, F j, Y")
    time_format = pgettext("email time", "g:i A")
    first = formats.date_format(start, date_format)
    start_time = formats.date_format(start, time_format)
    end_time = formats.date_format(end, time_format)
    language = supported_language(translation.get_language())
    if start.date() == end.date():
        return date_and_time(first, f"{start_time} – {end_time}", language)
    last = formats.date_format(end, date_format)
    until = date_and_time(last, end_time, language)
    return date_and_time(first, f"{start_time} – {until}", language)


def format_minutes(minutes: int) -> str:
    """30 → "30 minutes", 60 → "1 hour", 1440 → "1 day"."""
    if minutes and minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def format_starts_in(minutes: int) -> str:
    """60 → "in 1 hour" (German needs the dative after "in": "in 2 Tagen")."""
    if minutes and minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("in %(count)d hour", "in %(count)d hours", hours) % {"count": hours}
    return ngettext("in %(count)d minute", "in %(count)d minutes", minutes) % {"count": minutes}


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def template_context(message: OutboxMessage, booking: Booking) -> dict:
    """What an email's templates show: the booking as the row's saved context describes
    it (in the reader's zone), then the links this purpose and reader get."""
    context = _booking_context(message, booking)
    context.update(_links_context(message, booking, context))
    return context


def _booking_context(message: OutboxMessage, booking: Booking) -> dict:
    configuration = booking.configuration
    saved = message.context
    zone_name = saved.get("timezone") or "UTC"
    start, end = _instant(saved["start"]), _instant(saved["end"])
    email_template = (
        configuration.email_template if isinstance(configuration.email_template, dict) else {}
    )
    confirmed = email_template.get("booking_confirmed")
    confirmed = confirmed if isinstance(confirmed, dict) else {}
    labels = dict(configuration.additional_fields.values_list("key", "label"))
    context = {
        "purpose": message.purpose,
        "audience": message.audience,
        "to_guest": message.audience == OutboxMessage.Audience.GUEST,
        "recipient_name": message.recipient_name,
        "title": configuration.title,
        "description": configuration.description,
        "location": configuration.location,
        # The meeting link, while the booking stands (a cancelled one's is not handed on).
        "conference": conferencing.shown(booking.conferencing)
        if message.purpose not in ("cancelled", "declined")
        else conferencing.NO_CONFERENCE,
        "when": format_when(start, end, zone_name),
        "zone": zone_name,
        "duration": format_minutes(int((end - start).total_seconds() // 60)),
        "guest_name": booking.guest_name,
        "guest_email": booking.guest_email,
        "additional_guests": recipients.guests(booking)[1:],
        "hosts": recipients.hosts(booking),
        "organizer_name": booking.organizer.name if booking.organizer else "",
        "organizer_email": booking.organizer.email if booking.organizer else "",
        "answers": [
            (labels.get(key, key), value if isinstance(value, str) else str(value))
            for key, value in (booking.additional_fields or {}).items()
        ],
        "reason": saved.get("reason", ""),
        "logo": page_urls.renderable(email_template.get("logo")),
        "confirmed_title": _text(confirmed.get("title")),
        "confirmed_body": _text(confirmed.get("body")),
        "invite_attached": bool(saved.get("invite")) and message.purpose in INVITE_METHODS,
    }
    if saved.get("old_start") and saved.get("old_end"):
        context["old_when"] = format_when(
            _instant(saved["old_start"]), _instant(saved["old_end"]), zone_name
        )
    if saved.get("minutes_before"):
        context["starts_in"] = format_starts_in(int(saved["minutes_before"]))
        context["custom_subject"] = saved.get("email_subject", "")
    return context


def _links_context(message: OutboxMessage, booking: Booking, context: dict) -> dict:
    """The links of this email: the guest's page, booking again, the organizer's
    decision and page, the web calendars. NotOwed when a request is no longer waiting."""
    configuration, saved = booking.configuration, message.context
    links_of: dict = {}
    if context["to_guest"] and booking.status != Booking.Status.CANCELLED:
        can_reschedule = not configuration.hide_rescheduling_options
        can_cancel = not configuration.hide_cancellation_options
        if can_reschedule or can_cancel:
            links_of["manage_url"] = links.guest_manage_url(booking)
            links_of["can_reschedule"], links_of["can_cancel"] = can_reschedule, can_cancel
            # Each to the configuration's own page for it when it has one (rescheduling_url,
            # cancellation_url), else both to the booking's page here.
            if can_reschedule:
                links_of["reschedule_url"] = links.guest_reschedule_url(booking)
            if can_cancel:
                links_of["cancel_url"] = links.guest_cancel_url(booking)
    if context["to_guest"] and message.purpose in ("cancelled", "declined"):
        links_of["book_again_url"] = links.booking_page_url(configuration)
    if message.purpose == "organizer_request":
        if booking.status != Booking.Status.PENDING or not booking.organizer_link_nonce:
            raise NotOwed("The booking is no longer waiting for the organizer.")
        page = links.organizer_confirmation_url(booking)
        links_of["confirm_url"] = with_query(page, action="confirm")
        links_of["decline_url"] = with_query(page, action="decline")
    if message.audience == OutboxMessage.Audience.HOST:
        # Every email to a host links to their page for the booking (see it, cancel it).
        links_of["organizer_page_url"] = links.organizer_page_url(booking, message.recipient)
    if (
        message.purpose in CALENDAR_LINK_PURPOSES
        and booking.status == Booking.Status.BOOKED
        and saved.get("invite_status", "CONFIRMED") == "CONFIRMED"
    ):
        own_page = links_of.get("manage_url") or links_of.get("organizer_page_url", "")
        start, end = _instant(saved["start"]), _instant(saved["end"])
        web = calendar_links.for_booking(booking, start=start, end=end, link=own_page)
        links_of["google_calendar_url"], links_of["outlook_calendar_url"] = web.google, web.outlook
    return links_of


def subject_for(purpose: str, context: dict) -> str:
    values = {"title": context["title"], "guest": context["guest_name"]}
    if purpose == "reminder":
        if context.get("custom_subject"):
            return context["custom_subject"]
        values["starts_in"] = context.get("starts_in", "")
        return _("Reminder: %(title)s starts %(starts_in)s") % values
    subjects = {
        "guest_confirmation": _("Confirmed: %(title)s"),
        "guest_pending": _("Awaiting confirmation: %(title)s"),
        "organizer_notice": _("New booking: %(title)s with %(guest)s"),
        "organizer_request": _("Please confirm: %(title)s with %(guest)s"),
        "rescheduled": _("Rescheduled: %(title)s"),
        "cancelled": _("Cancelled: %(title)s"),
        "declined": _("Declined: %(title)s"),
    }
    return subjects[purpose] % values
