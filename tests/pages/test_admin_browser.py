"""An admin edits a configuration in the Django admin and the hosted page shows it."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_edits_a_page_and_the_hosted_page_changes(
    live_server, browser, screenshot, django_user_model
):
    from django.core.management import call_command

    from pages.models import Configuration

    call_command("seed_demo", verbosity=0)
    django_user_model.objects.create_superuser("admin", "admin@example.com", "correct horse")
    configuration = Configuration.objects.get(slug="demo")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "correct horse")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/pages/configuration/{configuration.pk}/change/")
    page.fill("#id_title", "Coffee with Ada")
    page.fill("#id_company_name", "Analytical Engines Ltd")
    screenshot(page, "1-admin-edit")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    screenshot(page, "2-admin-saved")

    page.goto(f"{live_server.url}/book/demo/")
    assert "Coffee with Ada" in page.locator("h1").inner_text()
    assert "Analytical Engines Ltd".upper() in page.content().upper()
    screenshot(page, "3-hosted-page")
