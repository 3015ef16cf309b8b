"""A configuration's own pages for the guest's changes: ``rescheduling_url`` leads every
"Reschedule" a guest is given and ``cancellation_url`` every "Cancel" (":booking_ref"
replaced), in emails, on the booking's page and in webhooks; without them, our page.
And the hosted page reads the v3 appearance names as well as the v2 ones."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from bookings import links, services
from bookings.guest_input import Guest
from bookings.notifications import outbox, sending
from tests.bookings.test_webhooks_delivery import Receiver, endpoint_for, receivers  # noqa: F401

KATHMANDU = ZoneInfo("Asia/Kathmandu")
NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)
RESCHEDULE = "https://shop.example.com/reschedule?ref=:booking_ref"
CANCEL = "https://shop.example.com/cancel/:booking_ref"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def kathmandu(hour: int, minute: int = 0) -> int:
    moment = dt.datetime.combine(MONDAY, dt.time(hour, minute), tzinfo=KATHMANDU)
    return int(moment.timestamp())


@pytest.fixture
def page(make_configuration):
    return make_configuration(
        slug="intro",
        title="Intro call",
        zones=["Asia/Kathmandu"],
        timezone="Asia/Kathmandu",
        rescheduling_url=RESCHEDULE,
        cancellation_url=CANCEL,
    )


def book(page):
    guest = Guest(name="Grace", email="grace@example.com", timezone="Asia/Kolkata")
    return services.create_booking(
        configuration=page, start=kathmandu(10, 30), end=None, guest=guest
    )


def guest_email(mailoutbox):
    for claim in outbox.claim_due():
        sending.deliver(claim.message_id, claim.token)
    [mail] = [m for m in mailoutbox if "grace@example.com" in m.to[0]]
    return mail, mail.alternatives[0][0]


def test_the_email_links_reschedule_and_cancel_to_their_own_pages(page, mailoutbox):
    made = book(page)
    mail, html = guest_email(mailoutbox)
    reschedule = RESCHEDULE.replace(":booking_ref", made.booking_ref)
    cancel = CANCEL.replace(":booking_ref", made.booking_ref)
    assert f"Reschedule: {reschedule}" in mail.body
    assert f"Cancel: {cancel}" in mail.body
    assert "Reschedule or cancel" not in mail.body
    assert f'href="{reschedule.replace("&", "&amp;")}"' in html
    assert f'href="{cancel}"' in html


def test_with_only_a_cancellation_url_reschedule_leads_to_our_page(page, mailoutbox):
    page.rescheduling_url = ""
    page.save()
    made = book(page)
    mail, _html = guest_email(mailoutbox)
    ours = links.absolute(reverse("booking-manage", args=[made.booking_ref]))
    assert f"Reschedule: {ours}" in mail.body
    assert f"Cancel: {CANCEL.replace(':booking_ref', made.booking_ref)}" in mail.body


def test_without_either_one_button_leads_to_our_page(page, mailoutbox):
    page.rescheduling_url = page.cancellation_url = ""
    page.save()
    made = book(page)
    mail, html = guest_email(mailoutbox)
    ours = links.absolute(reverse("booking-manage", args=[made.booking_ref]))
    assert f"Reschedule or cancel: {ours}" in mail.body
    assert html.count(f'href="{ours}"') == 1


def test_hidden_options_give_no_link(page, mailoutbox):
    page.hide_cancellation_options = True
    page.save()
    made = book(page)
    mail, _html = guest_email(mailoutbox)
    assert "Cancel:" not in mail.body and "/cancel/" not in mail.body
    assert f"Reschedule: {RESCHEDULE.replace(':booking_ref', made.booking_ref)}" in mail.body


def test_the_bookings_page_sends_reschedule_and_cancel_to_their_own_pages(client, page):
    made = book(page)
    html = client.get(reverse("booking-manage", args=[made.booking_ref])).content.decode()
    reschedule = RESCHEDULE.replace(":booking_ref", made.booking_ref).replace("&", "&amp;")
    cancel = CANCEL.replace(":booking_ref", made.booking_ref)
    assert re.search(rf'<a class="button" href="{re.escape(reschedule)}">Reschedule</a>', html)
    assert f'href="{cancel}">Cancel this booking</a>' in html
    assert "<form" not in html.split('class="cancel"')[1], "no cancel form of ours"
    # Without them, ours: the reschedule page and the cancel form.
    page.rescheduling_url = page.cancellation_url = ""
    page.save()
    html = client.get(reverse("booking-manage", args=[made.booking_ref])).content.decode()
    assert reverse("booking-reschedule", args=[made.booking_ref]) in html
    assert f'action="{reverse("booking-cancel", args=[made.booking_ref])}"' in html


def test_webhooks_carry_each_link(receivers, page, loopback_destinations):  # noqa: F811
    receiver = receivers()
    endpoint_for(receiver)
    with transaction.atomic():
        made = book(page)
    for claim in outbox.claim_due():
        sending.deliver(claim.message_id, claim.token)
    [payload] = receiver.payloads()
    info = payload["data"]["object"]["booking_info"]
    assert info["participant_rescheduling_url"] == RESCHEDULE.replace(
        ":booking_ref", made.booking_ref
    )
    assert info["participant_cancellation_url"] == CANCEL.replace(":booking_ref", made.booking_ref)


# Appearance: the v3 hosted page's names


V3_APPEARANCE = {
    "color": "#0f766e",
    "company_logo_url": "https://acme.example/logo.png",
    "submit_button_label": "Reserve my seat",
    "thank_you_message": "Thanks, see you there!",
}


def test_the_hosted_page_applies_the_v3_appearance_names(client, page):
    page.appearance = V3_APPEARANCE
    page.save()
    shell = client.get("/book/intro/").content.decode()
    assert "--accent: #0f766e" in shell
    assert 'src="https://acme.example/logo.png"' in shell
    start = kathmandu(10, 30)
    form = client.get(
        "/book/intro/", {"tz": "Asia/Kathmandu", "day": MONDAY.isoformat(), "slot": start}
    ).content.decode()
    assert re.search(r'<button type="submit" class="button primary">Reserve my seat</button>', form)
    response = client.post(
        "/book/intro/",
        {
            "slot": str(start),
            "tz": "Asia/Kathmandu",
            "lang": "en",
            "name": "Grace",
            "email": "grace@example.com",
        },
    )
    assert response.status_code == 303
    done = client.get(response["Location"]).content.decode()
    assert '<p class="thank-you">Thanks, see you there!</p>' in done


def test_the_v2_names_win_where_a_map_has_both(client, page):
    page.appearance = {
        **V3_APPEARANCE,
        "submit_text": "Book it",
        "logo": "https://v2.example/l.png",
    }
    page.save()
    form = client.get(
        "/book/intro/", {"tz": "Asia/Kathmandu", "day": MONDAY.isoformat(), "slot": kathmandu(11)}
    ).content.decode()
    assert ">Book it</button>" in form and "Reserve my seat" not in form
    assert 'src="https://v2.example/l.png"' in form


def test_a_v3_logo_that_is_not_a_web_address_is_not_shown(client, page):
    page.appearance = {"company_logo_url": "javascript:alert(1)"}
    page.save()
    assert "javascript:" not in client.get("/book/intro/").content.decode()
