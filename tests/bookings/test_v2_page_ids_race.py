"""Pages created at the same moment on PostgreSQL each get their own v2 page ID: the
counter row is locked while a page is created (pages/services.py, _next_v2_page_id).
Without the lock (reading the highest ID and adding one) this failed with a 500 from the
unique index: the collisions are real."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from pages.models import Configuration
from tests.bookings.test_v2_pages import seed_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RACERS = 6


def post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"answer": error.read().decode(errors="replace")[:500]}


def test_pages_created_at_once_get_distinct_ids(live_server, make_host):
    ada = make_host("ada@example.com", "Asia/Kolkata")
    calendar_id = str(ada.calendars.get(is_primary=True).pk)
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS

    def run(index: int) -> None:
        body = seed_body(ada, calendar_id)
        body["slug"] = f"racer-{index}"
        barrier.wait()
        results[index] = post(f"{live_server.url}/manage/pages", ada.token, body)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in results] == [200] * RACERS, results
    ids = sorted(page["id"] for _, page in results)
    assert ids == list(range(ids[0], ids[0] + RACERS))
    assert Configuration.objects.count() == RACERS
