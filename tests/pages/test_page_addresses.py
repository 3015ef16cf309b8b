"""Every address a configuration stores (redirect, rescheduling, cancellation, organizer
confirmation, logos) is https (or http while the site is), never a script: refused with
a 400 naming the field in the v3 API, and beside the field in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pages.models import Configuration
from tests.pages.test_admin import change_form_data

SCRIPT = "javascript:alert(document.domain)//:booking_ref"
SCHEDULER_ADDRESSES = [
    "confirmation_redirect_url",
    "rescheduling_url",
    "cancellation_url",
    "organizer_confirmation_url",
]


def body(owner, **sections) -> dict:
    return {
        "participants": [
            {
                "email": owner.email,
                "is_organizer": True,
                "availability": {"calendar_ids": ["primary"]},
                "booking": {"calendar_id": "primary"},
            }
        ],
        **sections,
    }


@pytest.fixture
def base(owner):
    return f"/v3/grants/{owner.pk}/scheduling/configurations"


@pytest.mark.parametrize("name", SCHEDULER_ADDRESSES)
@pytest.mark.parametrize(
    "address",
    [
        SCRIPT,
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/:booking_ref",
        "ftp://files.example.com/:booking_ref",
        "https://user:secret@example.com/:booking_ref",
    ],
)
def test_a_scheduler_address_that_is_not_a_web_page_is_refused(
    as_app, owner, base, refused, name, address
):
    response = as_app.post(base, body(owner, scheduler={name: address}), format="json")
    message = refused(response, 400, "invalid_request_error")
    assert message.startswith(f"scheduler.{name}: "), message
    assert not Configuration.objects.exists()


def test_the_reproduction_rescheduling_url_is_refused_on_update_too(as_app, owner, base, ok):
    created = ok(as_app.post(base, body(owner), format="json"))
    response = as_app.put(
        f"{base}/{created['id']}", {"scheduler": {"rescheduling_url": SCRIPT}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("scheduler.rescheduling_url: ")
    assert Configuration.objects.get().rescheduling_url == ""


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ({"appearance": {"logo": SCRIPT}}, "appearance.logo"),
        ({"appearance": {"company_logo": "data:image/png;base64,AA"}}, "appearance.company_logo"),
        ({"appearance": {"picture": "javascript:x"}}, "appearance.picture"),
        ({"scheduler": {"email_template": {"logo": SCRIPT}}}, "scheduler.email_template.logo"),
    ],
)
def test_a_logo_or_picture_must_be_a_web_address(as_app, owner, base, refused, section, field):
    message = refused(as_app.post(base, body(owner, **section), format="json"), 400)
    assert message.startswith(f"{field}: "), message


def test_web_addresses_are_kept_as_sent(as_app, owner, base, ok):
    scheduler = {name: f"https://example.com/{name}/:booking_ref" for name in SCHEDULER_ADDRESSES}
    scheduler["email_template"] = {"logo": "https://example.com/mail.png"}
    created = ok(
        as_app.post(
            base,
            body(owner, scheduler=scheduler, appearance={"logo": "https://example.com/l.png"}),
            format="json",
        )
    )
    for name in SCHEDULER_ADDRESSES:
        assert created["scheduler"][name] == scheduler[name]
    assert created["appearance"]["logo"] == "https://example.com/l.png"


def test_http_is_refused_once_the_site_itself_is_https(as_app, owner, base, refused, settings):
    settings.SITE_URL = "https://scheduler.example.com"
    page = {"rescheduling_url": "http://example.com/:booking_ref"}
    message = refused(as_app.post(base, body(owner, scheduler=page), format="json"), 400)
    assert message == (
        "scheduler.rescheduling_url: must be an absolute https URL (this site is served over https)"
    )
    page = {"rescheduling_url": "https://example.com/:booking_ref"}
    assert as_app.post(base, body(owner, scheduler=page), format="json").status_code == 200


def test_http_is_allowed_while_the_site_is_http(as_app, owner, base, ok, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    page = {"rescheduling_url": "http://intranet.example/:booking_ref"}
    assert ok(as_app.post(base, body(owner, scheduler=page), format="json"))


# The admin


@pytest.mark.parametrize("name", [*SCHEDULER_ADDRESSES, "logo", "email_logo"])
def test_the_admin_refuses_a_script_address_beside_its_field(staff_client, demo_page, name):
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    data = change_form_data(staff_client.get(url))
    data[name] = "javascript:alert(document.domain)//:booking_ref"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert name in response.context["adminform"].form.errors
    demo_page.refresh_from_db()
    assert "javascript" not in str(demo_page.__dict__)


def test_the_admin_keeps_a_web_address(staff_client, demo_page):
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    data = change_form_data(staff_client.get(url))
    data["rescheduling_url"] = "https://example.com/r/:booking_ref"
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    demo_page.refresh_from_db()
    assert demo_page.rescheduling_url == "https://example.com/r/:booking_ref"
