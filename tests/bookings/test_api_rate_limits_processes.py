"""The public API's rate limits hold across web processes: gunicorn with two workers on
PostgreSQL, forty concurrent bookings for one guest email, and only the email's
allowance gets through, whichever worker answered."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from bookings import rate_limits
from bookings.models import Booking

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
REQUESTS = 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database (its committed rows are what the workers see)."""
    settings = connection.settings_dict
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{quote(settings['USER'])}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture
def server(tmp_path):
    port = free_port()
    environ = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SCHEDULER_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "ERROR",
    }
    process = subprocess.Popen(
        [GUNICORN, "scheduler_site.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=environ,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                assert process.poll() is None, "gunicorn exited"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def post(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_forty_concurrent_bookings_with_one_email_across_two_workers(server, make_configuration):
    page = make_configuration(
        slug="shared", duration_minutes=30, days=(0, 1, 2, 3, 4, 5, 6), hours=(0, 1440),
        available_days_in_future=30,
    )  # fmt: skip
    tomorrow = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    first = int((tomorrow + dt.timedelta(days=1)).timestamp())
    statuses: list[int] = [0] * REQUESTS
    barrier = threading.Barrier(REQUESTS)

    def book(index: int) -> None:
        start = first + index * 1800
        body = {
            "start_time": start,
            "end_time": start + 1800,
            "guest": {"name": "Grace", "email": "grace@example.com"},
        }
        barrier.wait()
        statuses[index] = post(f"{server}/v3/scheduling/bookings?configuration_id={page.pk}", body)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    allowance = rate_limits.limits()["email"][0]
    assert sorted(set(statuses)) == [200, 429], statuses
    assert statuses.count(200) == allowance == Booking.objects.count()
