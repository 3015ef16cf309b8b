"""The secrets guests and organizers hold: booking_ref and the organizer's link.

booking_ref = URL-safe base64 of configuration UUID bytes + booking UUID bytes + salt
(API.md). The salt is a keyed HMAC of the booking id (SECRET_KEY): unpredictable to
anyone without the key, never stored (only its digest is, for lookups), and recomputable
by the server, so an email sent days later (a reminder, a reschedule made through the API
by id) can still carry the guest's link. Rotating SECRET_KEY invalidates old links.

The organizer's confirm/decline link is signed, expires (SCHEDULER_CONFIRM_LINK_MAX_AGE)
and carries a nonce stored on the booking and cleared on use: it works once, and it
cannot be derived from booking_ref.

The organizer's page for a booking (/organizer/<token>/, in every email to a host) is
signed with its own salt, so neither of the other two can be turned into it. It names
the booking and the host it was sent to, works as often as needed, and ends with the
meeting: the page refuses it once the booking's current end has passed (a reschedule
moves that moment along), or when the host no longer hosts the booking.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import time
import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

from bookings.models import Booking
from pages import page_urls, tokens

SALT_BYTES = 16
ORGANIZER_LINK_SALT = "bookings.organizer-link"
ORGANIZER_PAGE_SALT = "bookings.organizer-page"


def _salt(booking_id: uuid.UUID) -> bytes:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"booking-ref:" + booking_id.bytes, hashlib.sha256).digest()[:SALT_BYTES]


def salt_digest(booking_id: uuid.UUID) -> str:
    return tokens.digest(_salt(booking_id).hex())


def booking_ref(booking) -> str:
    raw = booking.configuration_id.bytes + booking.id.bytes + _salt(booking.id)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_booking_ref(ref: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(configuration id, booking id) when ``ref`` is one this server issued, else None."""
    if not isinstance(ref, str) or len(ref) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(ref + "=" * (-len(ref) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 32 + SALT_BYTES:
        return None
    configuration_id, booking_id = uuid.UUID(bytes=raw[:16]), uuid.UUID(bytes=raw[16:32])
    if not hmac.compare_digest(raw[32:], _salt(booking_id)):
        return None
    return configuration_id, booking_id


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def booking_page_url(configuration) -> str:
    """The public page to book ``configuration`` on, or "" when it has none."""
    if not configuration.slug or configuration.requires_session_auth:
        return ""
    return absolute(reverse("booking-page", args=[configuration.slug]))


def custom_manage_url(booking) -> str:
    """The configuration's own page for the guest's booking (rescheduling_url, else
    cancellation_url, with ":booking_ref" replaced), or "" when it has none or it is not
    a web address. Checked here, not only when stored (pages/page_urls.py)."""
    return custom_reschedule_url(booking) or custom_cancel_url(booking)


def guest_manage_url(booking) -> str:
    """Where the guest sees, reschedules or cancels this booking."""
    return custom_manage_url(booking) or absolute(
        reverse("booking-manage", args=[booking_ref(booking)])
    )


def _custom_page(booking, address: str) -> str:
    """``address`` (a configuration's own page) for this booking, ":booking_ref" replaced,
    or "" when it is unset, names no booking, or is not a web address."""
    if not address or ":booking_ref" not in address:
        return ""
    return page_urls.renderable(address.replace(":booking_ref", booking_ref(booking)))


def custom_reschedule_url(booking) -> str:
    """The configuration's ``rescheduling_url`` for this booking, or ""."""
    return _custom_page(booking, booking.configuration.rescheduling_url)


def custom_cancel_url(booking) -> str:
    """The configuration's ``cancellation_url`` for this booking, or ""."""
    return _custom_page(booking, booking.configuration.cancellation_url)


def guest_reschedule_url(booking) -> str:
    """Where the guest's "Reschedule" link leads: the configuration's rescheduling_url,
    else the booking's page here."""
    return custom_reschedule_url(booking) or absolute(
        reverse("booking-manage", args=[booking_ref(booking)])
    )


def guest_cancel_url(booking) -> str:
    """Where the guest's "Cancel" link leads: the configuration's cancellation_url, else
    the booking's page here."""
    return custom_cancel_url(booking) or absolute(
        reverse("booking-manage", args=[booking_ref(booking)])
    )


def new_organizer_nonce() -> str:
    return secrets.token_urlsafe(24)


def organizer_link_token(booking) -> str:
    return signing.dumps(
        {"b": str(booking.id), "n": booking.organizer_link_nonce}, salt=ORGANIZER_LINK_SALT
    )


def organizer_confirmation_url(booking) -> str:
    """The organizer's confirm/decline page for a pending booking: ours, or the
    configuration's ``organizer_confirmation_url`` with ``:booking_ref`` replaced by the
    organizer's booking reference (what the Scheduling web component decodes)."""
    custom = booking.configuration.organizer_confirmation_url
    if (
        custom
        and ":booking_ref" in custom
        and (
            address := page_urls.renderable(
                custom.replace(":booking_ref", organizer_booking_ref(booking))
            )
        )
    ):
        return address
    return absolute(reverse("organizer-confirmation", args=[organizer_link_token(booking)]))


# The organizer's booking reference has the guest's booking_ref shape (configuration
# UUID bytes + booking UUID bytes + salt), so the web component reads it as it reads any
# booking reference, and sends the salt back with `PUT {status, salt}`. Its salt is the
# organizer's secret: the time it was issued, and a keyed HMAC (SECRET_KEY) of the
# booking, that time and the booking's organizer nonce (random, cleared when the booking
# is decided). So it expires (SCHEDULER_CONFIRM_LINK_MAX_AGE), works once, cannot be made
# without the key and the nonce, and is never stored: only the nonce is, which alone
# makes no salt. Its length (24 bytes) is not the guest's (16), so a guest's reference
# is never read as the organizer's; the HMAC's own prefix keeps them apart as well.
ORGANIZER_SALT_TIME_BYTES = 8
ORGANIZER_SALT_MAC_BYTES = 16
# Unpadded URL-safe base64 of the 24 bytes: 32 characters (b64decode alone would skip
# other characters, so a signed link token could be misread as a salt).
URL_SAFE_BASE64 = re.compile(r"[A-Za-z0-9_-]{32}")


def _organizer_mac(booking_id: uuid.UUID, nonce: str, issued: bytes) -> bytes:
    key = settings.SECRET_KEY.encode()
    message = b"organizer-ref:" + booking_id.bytes + issued + nonce.encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:ORGANIZER_SALT_MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def organizer_salt(booking, *, issued: int | None = None) -> str:
    """The organizer's secret for a pending booking, as the PUT's ``salt``."""
    issued = int(time.time()) if issued is None else issued
    stamp = issued.to_bytes(ORGANIZER_SALT_TIME_BYTES, "big")
    return _b64(stamp + _organizer_mac(booking.id, booking.organizer_link_nonce, stamp))


def organizer_booking_ref(booking, *, issued: int | None = None) -> str:
    """configuration id + booking id + the organizer's salt: what ``:booking_ref`` becomes
    in a configuration's organizer_confirmation_url."""
    salt = organizer_salt(booking, issued=issued)
    raw = booking.configuration_id.bytes + booking.id.bytes
    return _b64(raw + base64.urlsafe_b64decode(salt + "=" * (-len(salt) % 4)))


def organizer_salt_problem(booking, salt: str) -> str | None:
    """None when ``salt`` is not an organizer salt at all; else "" when it is this
    booking's and can be used, or "expired", "invalid" or "used"."""
    if not isinstance(salt, str) or not URL_SAFE_BASE64.fullmatch(salt):
        return None
    try:
        raw = base64.urlsafe_b64decode(salt + "=" * (-len(salt) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != ORGANIZER_SALT_TIME_BYTES + ORGANIZER_SALT_MAC_BYTES:
        return None
    stamp, mac = raw[:ORGANIZER_SALT_TIME_BYTES], raw[ORGANIZER_SALT_TIME_BYTES:]
    nonce = booking.organizer_link_nonce
    if not nonce or booking.status != booking.Status.PENDING:
        return "used"
    if not hmac.compare_digest(mac, _organizer_mac(booking.id, nonce, stamp)):
        return "invalid"
    age = time.time() - int.from_bytes(stamp, "big")
    if age > settings.SCHEDULER_CONFIRM_LINK_MAX_AGE.total_seconds() or age < -300:
        return "expired"
    return ""


class LinkProblem(Exception):
    """Why an organizer link cannot be used: expired, forged, or already used."""

    def __init__(self, reason: str):
        self.reason = reason  # "expired" | "invalid" | "used"
        super().__init__(reason)


def read_organizer_token(token: str) -> tuple[uuid.UUID, str]:
    """(booking id, nonce) from a link token; the caller checks the nonce is current."""
    max_age = settings.SCHEDULER_CONFIRM_LINK_MAX_AGE
    try:
        data = signing.loads(token, salt=ORGANIZER_LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkProblem("expired") from None
    except signing.BadSignature:
        raise LinkProblem("invalid") from None
    try:
        return uuid.UUID(data["b"]), str(data["n"])
    except (KeyError, TypeError, ValueError):
        raise LinkProblem("invalid") from None


def organizer_link_booking(token: str):
    """(booking, problem) for an organizer link token: problem is "" when the link can be
    used, else "expired", "invalid" or "used" (the booking is returned when it is known,
    so a page can say what became of it). The one check every entry point uses."""
    if not isinstance(token, str) or not token:
        return None, "invalid"
    try:
        booking_id, nonce = read_organizer_token(token)
    except LinkProblem as problem:
        return None, problem.reason
    booking = (
        Booking.objects.select_related("configuration__grant", "organizer")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return None, "invalid"
    current = booking.organizer_link_nonce
    if not current or not hmac.compare_digest(nonce.encode(), current.encode()):
        return booking, "used"
    if booking.status != Booking.Status.PENDING:
        return booking, "used"
    return booking, ""


def organizer_page_token(booking, email: str) -> str:
    """The token of ``email``'s (a host's) page for this booking. Without a timestamp:
    the same for every email, its end is the meeting's (checked by the page)."""
    data = {"b": str(booking.id), "h": email.strip().lower()}
    return signing.Signer(salt=ORGANIZER_PAGE_SALT).sign_object(data)


def organizer_page_url(booking, email: str) -> str:
    return absolute(reverse("organizer-booking", args=[organizer_page_token(booking, email)]))


def read_organizer_page_token(token: str) -> tuple[uuid.UUID, str] | None:
    """(booking id, host email) from an organizer page token, or None when it is not one
    this server signed. Whether the meeting is over is the page's check."""
    if not isinstance(token, str) or not 0 < len(token) <= 500:
        return None
    try:
        data = signing.Signer(salt=ORGANIZER_PAGE_SALT).unsign_object(token)
        return uuid.UUID(data["b"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
