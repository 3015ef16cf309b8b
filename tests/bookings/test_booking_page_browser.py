import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_page_renders_in_a_real_browser(live_server, browser, screenshot):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    page = browser.new_page(timezone_id="Europe/Berlin")
    page.goto(f"{live_server.url}/book/demo/")
    assert page.locator("h1").inner_text() == "30-minute intro call"
    assert page.evaluate("typeof htmx") == "object", "vendored htmx must load from /static/"
    screenshot(page, "demo")
