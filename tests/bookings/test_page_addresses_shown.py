"""An address stored before the checks, or straight into the database, is checked again
where it is shown: a ``javascript:`` rescheduling or organizer-confirmation address
never becomes a link on /booking/<ref>/, in an email or in a webhook; our own page is
linked instead."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from bookings import links, notifications
from bookings.notifications import outbox, sending, webhooks
from pages.models import Configuration

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 3, 3, 10, 0, tzinfo=CHICAGO)
END = START + dt.timedelta(minutes=30)
SCRIPT = "javascript:alert(document.domain)//:booking_ref"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    configuration = make_configuration(title="Intro call", timezone="America/Chicago")
    # Past every check the API, the editor and the admin make.
    Configuration.objects.filter(pk=configuration.pk).update(
        rescheduling_url=SCRIPT,
        cancellation_url=SCRIPT,
        organizer_confirmation_url=SCRIPT,
        appearance={"logo": "javascript:alert(1)"},
        email_template={"logo": "javascript:alert(2)"},
    )
    configuration.refresh_from_db()
    return configuration


def hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*)"', html)


def no_script(text: str) -> None:
    assert "javascript:" not in text.lower(), text


def deliver_due() -> None:
    for claim in outbox.claim_due():
        sending.deliver(claim.message_id, claim.token)


def test_the_booking_page_links_our_own_page_not_the_stored_script(client, page, booking_for):
    booking = booking_for(page, page.hosts, START, END, organizer=page.hosts[0])
    # Just booked: the page shows the "keep this link" address.
    html = client.get(f"/booking/{links.booking_ref(booking)}/?booked=1").content.decode()
    assert "Keep this link" in html
    no_script(html)
    own = f"/booking/{links.booking_ref(booking)}/"
    assert any(h.endswith(own) for h in hrefs(html)), hrefs(html)


def test_the_guests_email_links_our_own_page_not_the_stored_script(page, booking_for, mailoutbox):
    booking = booking_for(page, page.hosts, START, END, organizer=page.hosts[0])
    with transaction.atomic():
        notifications.booking_created(booking)
    deliver_due()
    [mail] = [m for m in mailoutbox if "guest@example.com" in m.to[0]]
    html = next(body for body, kind in mail.alternatives if kind == "text/html")
    for text in (mail.body, html):
        no_script(text)
    own = links.absolute(f"/booking/{links.booking_ref(booking)}/")
    assert own in mail.body and own in hrefs(html)


def test_the_organizers_email_links_our_own_confirmation_page(page, booking_for, mailoutbox):
    booking = booking_for(page, page.hosts, START, END, status="pending", organizer=page.hosts[0])
    booking.organizer_link_nonce = links.new_organizer_nonce()
    booking.save()
    with transaction.atomic():
        notifications.booking_created(booking)
    deliver_due()
    [mail] = [m for m in mailoutbox if "host@example.com" in m.to[0]]
    html = next(body for body, kind in mail.alternatives if kind == "text/html")
    for text in (mail.body, html):
        no_script(text)
    assert links.absolute("/confirm/") in mail.body


def test_the_webhook_payload_carries_our_own_page(page, booking_for):
    booking = booking_for(page, page.hosts, START, END, organizer=page.hosts[0])
    info = webhooks.booking_info(booking)
    no_script(info["participant_rescheduling_url"])
    assert info["participant_rescheduling_url"].startswith(links.absolute("/booking/"))


def test_a_safe_stored_address_is_still_used(page, booking_for):
    Configuration.objects.filter(pk=page.pk).update(
        rescheduling_url="https://example.com/r/:booking_ref"
    )
    booking = booking_for(page, page.hosts, START, END, organizer=page.hosts[0])
    expected = f"https://example.com/r/{links.booking_ref(booking)}"
    assert links.guest_manage_url(booking) == expected


def test_the_public_v2_info_leaves_out_a_stored_script_logo(client, page):
    info = client.get(f"/schedule/{page.slug}/info").json()
    assert info["config"]["appearance"]["logo"] == ""
