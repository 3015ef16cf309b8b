"""The configuration admin's tools: why a time is not free, a week preview, fairness."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from bookings.admin_tools import fairness_counts, fairness_svg

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def viewer(client, django_user_model):
    user = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_configuration", "view_booking"])
    )
    client.force_login(user)
    return client


def test_why_shows_the_reasons_per_participant(staff_client, make_configuration, busy_event):
    configuration = make_configuration(duration_minutes=30)
    host = configuration.hosts[0]
    monday = dt.datetime(2026, 12, 7, 10, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    busy_event(host, monday, monday + dt.timedelta(hours=1), title="Dentist")
    url = reverse("admin:pages_configuration_why", args=[configuration.pk])
    page = staff_client.get(
        url, {"date": "2026-12-07", "time": "10:00", "timezone": "America/Chicago"}
    ).content.decode()
    assert "Not offered" in page
    assert "host@example.com" in page and "<code>busy</code>" in page
    free = staff_client.get(
        url, {"date": "2026-12-07", "time": "14:00", "timezone": "America/Chicago"}
    ).content.decode()
    assert "Offered" in free and "Not offered" not in free


def test_the_week_preview_lists_offered_starts_in_the_chosen_zone(staff_client, make_configuration):
    configuration = make_configuration(duration_minutes=60, interval_minutes=60)
    url = reverse("admin:pages_configuration_preview", args=[configuration.pk])
    berlin = staff_client.get(url, {"week_of": "2026-12-07", "timezone": "Europe/Berlin"})
    html = berlin.content.decode()
    assert "16:00" in html and "23:00" in html  # 09:00-17:00 Chicago is 16:00-24:00 Berlin
    assert "09:00" not in html


def test_view_only_staff_can_use_the_tools_but_not_change(viewer, make_configuration):
    configuration = make_configuration()
    why = reverse("admin:pages_configuration_why", args=[configuration.pk])
    assert viewer.get(why).status_code == 200
    change = reverse("admin:pages_configuration_change", args=[configuration.pk])
    response = viewer.post(change, {"name": "Hijacked"})
    assert response.status_code == 403


def test_staff_without_view_permission_are_refused(client, django_user_model, make_configuration):
    user = django_user_model.objects.create_user(username="nobody", password="x", is_staff=True)
    client.force_login(user)
    configuration = make_configuration()
    assert (
        client.get(reverse("admin:pages_configuration_why", args=[configuration.pk])).status_code
        == 403
    )


def test_fairness_counts_bookings_per_host_over_30_days(make_configuration, booking_for):
    configuration = make_configuration(
        ("a@example.com", "b@example.com", "c@example.com"), availability_method="max-fairness"
    )
    a, b, _ = configuration.hosts
    start = NOW + dt.timedelta(days=3)
    for day in range(2):  # two bookings of one host, on different days
        moment = start + dt.timedelta(days=day)
        booking_for(configuration, [a], moment, moment + dt.timedelta(minutes=30))
    booking_for(configuration, [b], start, start + dt.timedelta(minutes=30), status="cancelled")
    with time_machine.travel(NOW - dt.timedelta(days=40), tick=False):
        booking_for(configuration, [b], start, start + dt.timedelta(minutes=30))
    assert fairness_counts(configuration, NOW) == [
        ("a@example.com", 2),
        ("b@example.com", 0),
        ("c@example.com", 0),
    ]
    svg = fairness_svg(fairness_counts(configuration, NOW))
    assert svg.startswith("<svg") and svg.count("<rect") == 3


def test_the_change_page_of_a_round_robin_configuration_shows_the_chart(
    staff_client, make_configuration
):
    configuration = make_configuration(
        ("a@example.com", "b@example.com"), availability_method="max-fairness"
    )
    page = staff_client.get(reverse("admin:pages_configuration_change", args=[configuration.pk]))
    html = page.content.decode()
    assert "<svg" in html and "Why isn" in html and "Copy link" in html


def test_guest_text_in_the_chart_is_escaped():
    svg = fairness_svg([("<script>x</script>@example.com", 1)])
    assert "<script>" not in svg


def _rows(html: str) -> list[str]:
    import re
    from html import unescape

    rows = re.findall(r'<tr class="blocking-item">(.*?)</tr>', html, re.S)
    return [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()) for row in rows]


def test_why_lists_a_booking_once_for_all_its_hosts_in_a_half_hour_zone(
    staff_client, make_configuration
):
    from bookings import services
    from bookings.guest_input import Guest

    configuration = make_configuration(
        ("a@example.com", "b@example.com"), duration_minutes=30, buffer_before=15
    )
    ten = int(dt.datetime(2026, 12, 7, 16, tzinfo=dt.UTC).timestamp())  # 10:00 Chicago
    guest = Guest(name="Grace", email="grace@example.com")
    services.create_booking(configuration=configuration, start=ten, end=None, guest=guest)
    url = reverse("admin:pages_configuration_why", args=[configuration.pk])
    html = staff_client.get(
        url, {"date": "2026-12-07", "time": "21:30", "timezone": "Asia/Kolkata"}
    ).content.decode()
    # The engine sees the booking three times (its time on each host, its event in a's
    # calendar): the admin sees it once, blocking both.
    assert _rows(html) == [
        "Booking: Grace <grace@example.com> a@example.com, b@example.com Busy busy "
        "busy 2026-12-07 21:15–22:00"
    ]
    assert "UTC" not in html.split("Not offered")[1]
    assert "Mon 2026-12-07 21:30–22:00 (Asia/Kolkata): Not offered" in html
    assert "When (times in Asia/Kolkata)" in html


def test_why_names_a_calendar_event_and_merges_a_shared_slot_reason(
    staff_client, make_configuration, busy_event
):
    configuration = make_configuration(("a@example.com", "b@example.com"), duration_minutes=60)
    host = configuration.hosts[0]
    busy_event(
        host,
        dt.datetime(2026, 12, 7, 14, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 7, 15, 30, tzinfo=dt.UTC),
        title="Dentist",
    )
    url = reverse("admin:pages_configuration_why", args=[configuration.pk])
    # 08:00 Chicago: before both hosts' open hours, and the dentist from 08:00 to 09:30.
    html = staff_client.get(
        url, {"date": "2026-12-07", "time": "08:00", "timezone": "America/Chicago"}
    ).content.decode()
    rows = _rows(html)
    assert "Event: Dentist a@example.com Busy busy busy 2026-12-07 08:00–09:30" in rows
    assert (
        "— a@example.com, b@example.com Outside open hours outside_open_hours "
        "2026-12-07 08:00–09:00 is outside open hours"
    ) in rows
    assert len(rows) == 2


def test_why_starts_in_the_zone_the_admin_chose(staff_client, make_configuration):
    configuration = make_configuration()
    staff_client.post(reverse("admin-timezone"), {"timezone": "Asia/Kathmandu"})
    url = reverse("admin:pages_configuration_why", args=[configuration.pk])
    html = staff_client.get(url).content.decode()
    assert '<option value="Asia/Kathmandu" selected>' in html
    preview = reverse("admin:pages_configuration_preview", args=[configuration.pk])
    assert "Offered starts (Asia/Kathmandu)" in staff_client.get(preview).content.decode()


@pytest.mark.parametrize(
    ("detail", "zone", "shown"),
    [
        ("busy 2026-12-07 14:00–15:00 UTC", "Asia/Kolkata", "busy 2026-12-07 19:30–20:30"),
        (
            "busy 2026-12-07 18:00–19:15 UTC",
            "Asia/Kathmandu",
            "busy 2026-12-07 23:45–2026-12-08 01:00",
        ),
        # The US spring change: 01:30 CST, then 03:30 CDT an hour later.
        ("busy 2027-03-14 07:30–08:30 UTC", "America/Chicago", "busy 2027-03-14 01:30–03:30"),
        (
            "busy 2026-12-07 23:00–2026-12-08 01:00 UTC",
            "UTC",
            "busy 2026-12-07 23:00–2026-12-08 01:00",
        ),
        (
            "the earliest bookable start is 2026-12-07 16:00:30 UTC",
            "America/Chicago",
            "the earliest bookable start is 2026-12-07 10:00:30",
        ),
        (
            "2026-12-24 is excluded from open hours",
            "Asia/Kolkata",
            "2026-12-24 is excluded from open hours",
        ),
    ],
)
def test_the_engines_utc_details_are_rewritten_in_the_zone(detail, zone, shown):
    from bookings.admin_tools import in_zone

    assert in_zone(detail, zone) == shown


def test_every_reason_the_engine_gives_has_words_in_the_admin():
    from bookings import availability
    from bookings.admin_tools import REASON_WORDS

    codes = {
        availability.BEYOND_AVAILABLE_DAYS,
        availability.BUFFER,
        availability.BUSY,
        availability.CAPACITY_FULL,
        availability.EXDATE,
        availability.MIN_BOOKING_NOTICE,
        availability.NOT_NEXT_IN_ROUND_ROBIN,
        availability.OFF_INTERVAL,
        availability.OUTSIDE_OPEN_HOURS,
        availability.OUTSIDE_RANGE,
    }
    assert codes == set(REASON_WORDS)
