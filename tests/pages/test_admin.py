"""Every model's admin answers staff and turns anonymous visitors away; secrets show once."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from pages.models import ApiKey, Grant

REGISTERED = [
    model for model in admin.site._registry if model._meta.app_label in ("pages", "bookings")
]
# A session's id is a secret the API hands out; outbox rows and webhook attempts are
# written by the system, never typed in.
# Bookings are made where the slot is checked (hosted page, API).
NOT_ADDABLE_IN_ADMIN = {"session", "outboxmessage", "webhookattempt", "booking"}


def admin_url(model, page: str) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}")


def test_every_model_of_ours_is_in_the_admin():
    names = {m._meta.model_name for m in REGISTERED}
    assert {"apikey", "grant", "calendar", "event", "configuration", "booking", "session"} <= names


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.model_name)
def test_changelist_and_add_answer_staff(staff_client, demo_page, model):
    assert staff_client.get(admin_url(model, "changelist")).status_code == 200
    expected = 403 if model._meta.model_name in NOT_ADDABLE_IN_ADMIN else 200
    assert staff_client.get(admin_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.model_name)
def test_anonymous_visitors_are_sent_to_log_in(client, db, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_configuration_page_links_to_its_hosted_page(staff_client, demo_page):
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    page = staff_client.get(url).content.decode()
    assert 'href="/book/demo/"' in page
    assert "participants" in page.lower() and "open hours" in page.lower()


def test_a_new_api_key_is_shown_once_and_stored_hashed(staff_client):
    response = staff_client.post(admin_url(ApiKey, "add"), {"name": "billing"}, follow=True)
    page = response.content.decode()
    api_key = ApiKey.objects.get(name="billing")
    assert api_key.key_hint in page
    shown = page.split("<code class='secret'>")[1].split("</code>")[0]
    assert shown.startswith("sk_") and shown != api_key.key_digest
    again = staff_client.get(reverse("admin:pages_apikey_change", args=[api_key.pk]))
    assert shown not in again.content.decode()


def test_a_grant_made_in_the_admin_gets_a_token_and_a_primary_calendar(staff_client):
    data = {
        "email": "new@example.com",
        "name": "New",
        "timezone": "Europe/Berlin",
        "calendars-TOTAL_FORMS": "0",
        "calendars-INITIAL_FORMS": "0",
    }
    response = staff_client.post(admin_url(Grant, "add"), data, follow=True)
    assert response.status_code == 200
    grant = Grant.objects.get(email="new@example.com")
    assert grant.access_token_digest
    assert grant.calendars.filter(is_primary=True).count() == 1
    assert "gt_" in response.content.decode()


def test_open_hours_are_edited_as_times_and_days_not_json(staff_client, demo_page):
    page = staff_client.get(reverse("admin:pages_configuration_change", args=[demo_page.pk]))
    html = page.content.decode()
    assert 'value="9:00"' in html and 'value="17:00"' in html
    assert 'type="checkbox" name="open_hours-0-days"' in html


def change_form_data(response) -> dict:
    """The POST a browser would send for an admin change page as rendered."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif value is True:
                data[key] = "on"
            else:
                data[key] = field.prepare_value(value) if hasattr(field, "prepare_value") else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            add(form)
    return data


def test_appearance_and_questions_are_edited_as_fields(staff_client, demo_page):
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    page = staff_client.get(url)
    html = page.content.decode()
    assert 'name="company_name"' in html and 'type="color"' in html
    assert 'name="appearance"' not in html
    data = change_form_data(page)
    data.update(company_name="Acme & Co", color="#112233", confirmed_title="See you soon")
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    demo_page.refresh_from_db()
    assert demo_page.appearance["company_name"] == "Acme & Co"
    assert demo_page.appearance["color"] == "#112233"
    assert demo_page.appearance["submit_text"] == "Book it"  # untouched keys stay
    assert demo_page.email_template == {"booking_confirmed": {"title": "See you soon"}}


def test_a_bad_color_is_refused_on_its_field(staff_client, demo_page):
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    data = change_form_data(staff_client.get(url))
    data["color"] = "red"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "color" in response.context["adminform"].form.errors


def test_saving_without_touching_the_color_keeps_the_default_accent(staff_client, demo_page):
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    data = change_form_data(staff_client.get(url))
    assert data["color"] == "#2563eb"
    staff_client.post(url, data)
    demo_page.refresh_from_db()
    assert demo_page.appearance.get("color") in (None, "#2563eb")


@pytest.mark.parametrize(
    ("name", "typed_name", "expected"),
    [
        ("", None, "Coffee with Ada"),  # empty: the name follows
        ("Intro call", None, "Coffee with Ada"),  # equal to the old title: it follows
        ("Sales: intro (EMEA)", None, "Sales: intro (EMEA)"),  # set apart: it stays
        ("Intro call", "Ada's coffee", "Ada's coffee"),  # typed now: what was typed
    ],
)
def test_a_configurations_name_follows_its_title_unless_set_apart(
    staff_client, demo_page, name, typed_name, expected
):
    demo_page.name, demo_page.title = name, "Intro call"
    demo_page.save()
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    data = change_form_data(staff_client.get(url))
    data["title"] = "Coffee with Ada"
    if typed_name is not None:
        data["name"] = typed_name
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    demo_page.refresh_from_db()
    assert (demo_page.title, demo_page.name) == ("Coffee with Ada", expected)


def test_saving_without_changing_the_title_leaves_an_empty_name_empty(staff_client, demo_page):
    demo_page.name = ""
    demo_page.save()
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    staff_client.post(url, change_form_data(staff_client.get(url)))
    demo_page.refresh_from_db()
    assert demo_page.name == ""
