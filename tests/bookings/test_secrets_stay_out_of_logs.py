"""Secrets stay out of logs (issue 14, item 9): every route that carries a secret in its
path or query string gets a request that Django logs (a 4xx warning from django.request
or django.security.csrf), and the secret appears nowhere: not in caplog's records at any
level (message, arguments, the request attached to them), and not in what a handler
configured from settings.LOGGING writes."""

from __future__ import annotations

import copy
import datetime as dt
import io
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from bookings import links, services
from bookings.guest_input import Guest
from pages.services import issue_edit_token
from scheduler_site.redaction import configure_logging

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def handler_output():
    """The console handler exactly as settings.LOGGING configures it, writing to a
    buffer; logging is configured back from settings afterwards."""
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = stream
    configure_logging(config)
    yield stream
    configure_logging(copy.deepcopy(settings.LOGGING))


@pytest.fixture
def logs(caplog, handler_output):
    caplog.set_level(logging.DEBUG)

    def everything() -> str:
        """All a log record holds, as text, then what the handler wrote."""
        parts = [caplog.text, handler_output.getvalue()]
        for record in caplog.records:
            parts.append(record.getMessage())
            parts.append(repr(vars(record)))
            request = getattr(record, "request", None)
            if request is not None and hasattr(request, "META"):
                parts += [
                    repr(request),
                    request.get_full_path(),
                    repr(request.META),
                    repr(request.GET),
                    repr(request.COOKIES),
                    request.build_absolute_uri(),
                ]
        return "\n".join(parts)

    everything.caplog = caplog
    return everything


def chicago(hour: int) -> int:
    return int(dt.datetime.combine(MONDAY, dt.time(hour), tzinfo=CHICAGO).timestamp())


@pytest.fixture
def pending(make_configuration):
    configuration = make_configuration(slug="confirm", booking_type="organizer-confirmation")
    return services.create_booking(
        configuration=configuration,
        start=chicago(10),
        end=None,
        guest=Guest(name="Grace Guest", email="grace@example.com", timezone="Europe/Berlin"),
    ).booking


def assert_logged_without(logs, secret: str, *, logger: str = "django.request") -> None:
    assert any(record.name == logger for record in logs.caplog.records), "nothing was logged"
    assert secret not in logs()
    # The redacted record still says where the request went.
    assert "[redacted]" in logs()


def test_a_booking_ref_stays_out_of_the_csrf_warning_of_the_cancel_page(logs, pending):
    ref = links.booking_ref(pending)
    response = Client(enforce_csrf_checks=True).post(f"/booking/{ref}/cancel/", {})
    assert response.status_code == 403
    assert_logged_without(logs, ref, logger="django.security.csrf")


@pytest.mark.parametrize("suffix", ["", "calendar.ics"])
def test_a_booking_ref_stays_out_of_the_method_not_allowed_warning(logs, pending, suffix):
    ref = links.booking_ref(pending)
    response = Client().put(f"/booking/{ref}/{suffix}")
    assert response.status_code == 405
    assert_logged_without(logs, ref)


def test_an_organizer_link_token_stays_out_of_the_logs(logs, pending):
    token = links.organizer_link_token(pending)
    response = Client().put(f"/confirm/{token}/?salt={token}")
    assert response.status_code == 405
    assert_logged_without(logs, token)
    # The unused link still works: nothing about it was spent by the warning.
    assert Client().get(f"/confirm/{token}/").status_code == 200


def test_a_session_id_stays_out_of_the_logs(logs, api_key, make_configuration):
    make_configuration(slug="intro")
    api = APIClient()
    session_id = api.post(
        "/v3/scheduling/sessions",
        {"slug": "intro"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    ).json()["data"]["session_id"]
    response = api.get(f"/v3/scheduling/sessions/{session_id}")  # no credentials
    assert response.status_code in (401, 404)
    assert_logged_without(logs, session_id)
    assert api_key not in logs()


def test_a_booking_ref_in_place_of_an_id_stays_out_of_the_api_logs(logs, pending):
    ref = links.booking_ref(pending)
    response = APIClient().put(
        f"/v3/scheduling/bookings/{ref}", {"status": "confirmed"}, format="json"
    )
    assert response.status_code == 401
    assert_logged_without(logs, ref)


def test_a_booking_ref_in_the_v2_cancel_route_stays_out_of_the_logs(logs, pending):
    ref = links.booking_ref(pending)
    response = APIClient().get(f"/schedule/confirm/{ref}/cancel")
    assert response.status_code == 405
    assert_logged_without(logs, ref)


def test_an_edit_token_in_the_query_string_stays_out_of_the_logs(logs, make_configuration):
    configuration = make_configuration(slug="editable")
    token = issue_edit_token(configuration=configuration)
    response = Client().put(f"/editor/?edit_token={token}&lang=en")
    assert response.status_code == 405
    assert_logged_without(logs, token)


def test_an_authorization_header_stays_out_of_the_logs(logs, api_key):
    response = APIClient().get(
        "/v3/grants/00000000-0000-4000-8000-000000000000",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 404
    assert any(record.name == "django.request" for record in logs.caplog.records)
    assert api_key not in logs()


def test_our_own_messages_are_redacted_at_every_level(logs, pending, api_key):
    ref = links.booking_ref(pending)
    token = links.organizer_link_token(pending)
    logger = logging.getLogger("bookings.notifications.sending")
    logger.debug("sent the guest %s", f"https://cal.example.com/booking/{ref}/")
    logger.info("organizer link %s", token)
    logger.warning("request with Authorization: Bearer %s failed", api_key)
    logger.error("body was %s", {"salt": token, "edit_token": "et_0123456789abcdefABCDEF"})
    try:
        raise ValueError(f"no booking {ref}")
    except ValueError:
        logger.exception("lookup failed")
    text = logs()
    for secret in (ref, token, api_key, "et_0123456789abcdefABCDEF"):
        assert secret not in text
    assert len(logs.caplog.records) == 5
    assert "lookup failed" in text and "ValueError: no booking [redacted]" in text
