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
