"""Shared fixtures, and the rule that makes marked tests required in CI.

Tests marked ``postgres``, ``redis``, ``browser``, ``caldav`` or ``npm`` skip themselves when that
part is not here (a fresh laptop has no PostgreSQL). CI sets SCHEDULER_REQUIRE_MARKED to the markers
it guarantees, and then a skip of such a test is a failure, so CI cannot pass by quietly
skipping what it is meant to prove.
"""

from __future__ import annotations

import os
import shutil

import pytest
from rest_framework.test import APIClient

REQUIRED_MARKERS = {
    m.strip() for m in os.environ.get("SCHEDULER_REQUIRE_MARKED", "").split(",") if m.strip()
}
TEST_REDIS_URL = os.environ.get("SCHEDULER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = "/usr/bin/chromium"


def _redis_is_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=1).ping())
    except Exception:
        return False


def _why_unavailable(marker: str) -> str | None:
    if marker == "postgres":
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        return None if "postgresql" in engine else "DATABASE_URL does not point at PostgreSQL"
    if marker == "redis":
        return None if _redis_is_up() else f"no Redis at {TEST_REDIS_URL}"
    if marker == "browser":
        if not shutil.which(CHROMIUM):
            return f"no Chromium at {CHROMIUM}"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "Playwright for Python is not installed"
    if marker == "caldav":
        try:
            import radicale  # noqa: F401
        except ImportError:
            return "Radicale is not installed (pip install radicale)"
    if marker == "npm":
        return None if shutil.which("npm") else "npm is not installed (apt-get install npm)"
    return None


SKIPPED_FOR = pytest.StashKey[str]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "browser", "caldav", "npm"):
        if item.get_closest_marker(marker) and (why := _why_unavailable(marker)):
            item.stash[SKIPPED_FOR] = marker
            pytest.skip(why)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and REQUIRED_MARKERS:
        required = [m for m in REQUIRED_MARKERS if item.get_closest_marker(m)]
        # A test that also needs a part this run does not require (the SQLite run skips
        # what needs PostgreSQL) may skip for that part; any other skip of it fails.
        skipped_for = item.stash.get(SKIPPED_FOR, None)
        if skipped_for is not None and skipped_for not in REQUIRED_MARKERS:
            required = []
        if required:
            report.outcome = "failed"
            report.longrepr = (
                f"required ({', '.join(required)}) test was skipped: {report.longrepr}"
            )


@pytest.fixture
def api():
    """A DRF test client (no credentials)."""
    return APIClient()


@pytest.fixture
def api_key(db) -> str:
    """A fresh API key's secret."""
    from pages.services import create_api_key

    _, secret = create_api_key(name="tests")
    return secret


@pytest.fixture
def organizer(db):
    from pages.services import create_grant

    grant, _token = create_grant(
        email="organizer@example.com", name="Olive Organizer", timezone="America/Chicago"
    )
    return grant


@pytest.fixture
def demo_page(db):
    """The demo configuration, as `manage.py seed_demo` makes it."""
    from django.core.management import call_command

    from pages.models import Configuration

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return Configuration.objects.get(slug="demo")


@pytest.fixture
def staff_user(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin", email="admin@example.com", password="correct horse battery"
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "artifacts")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the Django ORM calls the
    # test itself makes are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves var/artifacts/<test>-<step>.png for a person to look at
    (the whole page, or with ``full_page=False`` the window as it is scrolled)."""
    os.makedirs(ARTIFACTS, exist_ok=True)

    def take(page, step: str, *, full_page: bool = True) -> str:
        path = os.path.join(ARTIFACTS, f"{request.node.name}-{step}.png")
        page.screenshot(path=path, full_page=full_page)
        return path

    return take


@pytest.fixture
def loopback_destinations(settings):
    """For tests whose webhook receivers listen on 127.0.0.1: the operator's allow-list
    opens loopback, which pages/outbound.py refuses otherwise."""
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]


@pytest.fixture(autouse=True)
def webhook_urls_not_challenged(settings):
    """A webhook subscription made through the API is verified by a GET with a
    ``challenge`` (bookings/webhook_checks.py); most tests subscribe addresses nothing
    answers at, so verification is off unless a test turns it on (the tests of it do,
    with receivers on loopback that echo or refuse the challenge)."""
    settings.SCHEDULER_WEBHOOK_VERIFY = False
