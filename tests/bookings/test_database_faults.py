"""The site while its database is stopped, crashed, hung and back: gunicorn (two sync
workers, the 30 s worker timeout of production) on a PostgreSQL of the test's own
(tests/postgres_server.py), driven over HTTP.

- stopped or crashed: every route answers 503 (pages a translated page, the API its
  dialect's envelope, all with Retry-After) at once, and 200 again within a second of
  the database's return;
- hung (SIGSTOP): 503s within seconds, /healthz within two, and no worker killed.

The measured times are printed (run with -s to see them).
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.postgres_server import PostgresServer, free_port, postgres_bin

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


class Site:
    def __init__(self, server: PostgresServer, port: int, log: Path, configuration_id: str):
        self.server = server
        self.port = port
        self.log = log
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
        window = urlencode(
            {
                "configuration_id": configuration_id,
                "start_time": int(start.timestamp()),
                "end_time": int((start + dt.timedelta(days=1)).timestamp()),
            }
        )
        self.routes = {
            "page": "/book/demo/",
            "v3": f"/v3/scheduling/availability?{window}",
            "v2": "/schedule/demo/info",
            "health": "/healthz",
        }

    def get(self, route: str, timeout: float = 40) -> tuple[int, dict, bytes, float]:
        started = time.monotonic()
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            client.request("GET", self.routes[route], headers={"Accept-Language": "de"})
            response = client.getresponse()
            body = response.read()
            return response.status, dict(response.getheaders()), body, time.monotonic() - started
        finally:
            client.close()

    def all_answer(self, status: int) -> bool:
        answers = {route: self.get(route) for route in self.routes}
        self.last = {r: (a[0], a[2][:300]) for r, a in answers.items() if a[0] != status}
        return all(answer[0] == status for answer in answers.values())

    def wait_until_every_route_answers_200(self, most: float = 10.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < most:
            if self.all_answer(200):
                return time.monotonic() - started
            time.sleep(0.05)
        pytest.fail(f"the site did not recover within {most} s:\n{self.log.read_text()[-3000:]}")

    def worker_timeouts(self) -> int:
        return self.log.read_text().count("WORKER TIMEOUT")


def manage(environ: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    server = PostgresServer()
    folder = tmp_path_factory.mktemp("faults")
    environ = {
        **os.environ,
        "DATABASE_URL": server.url,
        "SCHEDULER_VAR_DIR": str(folder / "var"),
        "SECRET_KEY": "x" * 50,
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DATABASE_STATEMENT_TIMEOUT", "DATABASE_CONNECT_TIMEOUT", "CELERY_BROKER_URL"):
        environ.pop(name, None)  # the defaults are what is measured
    process = None
    try:
        server.create()
        manage(environ, "migrate", "--noinput", "-v", "0")
        manage(environ, "seed_demo")
        configuration_id = manage(
            environ,
            "shell",
            "-c",
            "from pages.models import Configuration;"
            "print(Configuration.objects.get(slug='demo').pk)",
        ).split()[-1]
        port, log = free_port(), folder / "gunicorn.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    GUNICORN,
                    "scheduler_site.wsgi:application",
                    "--workers=2",
                    "--timeout=30",
                    f"--bind=127.0.0.1:{port}",
                ],
                cwd=ROOT,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        site = Site(server, port, log, configuration_id)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if site.get("health", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield site
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        server.destroy()


def assert_unavailable(route: str, status: int, headers: dict, body: bytes) -> None:
    assert status == 503, (route, status, body[:300])
    if route == "health":
        return
    assert headers.get("Retry-After") == "5", route
    if route == "page":
        assert "Bitte versuchen Sie es gleich noch einmal" in body.decode()
    elif route == "v3":
        assert b'"error":{"type":"service_unavailable"' in body.replace(b" ", b"")
    else:
        assert body.replace(b" ", b"").startswith(b'{"type":"service_unavailable"')


@pytest.mark.parametrize("how", ["stop", "crash"])
def test_a_stopped_database_is_503_at_once_and_200_within_a_second_of_its_return(site, how):
    for _ in range(2):  # both workers hold a connection
        assert site.all_answer(200), site.last
    getattr(site.server, how)()
    slowest = 0.0
    for _ in range(2):
        for route in site.routes:
            status, headers, body, took = site.get(route)
            assert_unavailable(route, status, headers, body)
            slowest = max(slowest, took)
    site.server.start()
    recovery = site.wait_until_every_route_answers_200()
    print(f"\ndatabase {how}: slowest 503 {slowest:.3f} s; every route 200 {recovery:.3f} s "
          "after the server was back")  # fmt: skip
    assert slowest < 1.0
    assert recovery < 1.0


def test_a_hung_database_is_503_within_seconds_and_kills_no_worker(site):
    for _ in range(2):
        assert site.all_answer(200)
    site.server.pause()
    took: dict[str, list[float]] = {}
    try:
        for _ in range(2):
            for route in site.routes:
                status, headers, body, seconds = site.get(route)
                assert_unavailable(route, status, headers, body)
                took.setdefault(route, []).append(seconds)
    finally:
        site.server.resume()
    recovery = site.wait_until_every_route_answers_200()
    print(
        "\ndatabase hung: "
        + ", ".join(f"{route} {max(s):.2f} s" for route, s in took.items())
        + f"; every route 200 {recovery:.3f} s after SIGCONT"
    )
    assert max(took["health"]) < 2.5
    assert max(max(s) for s in took.values()) < 6.0
    assert recovery < 1.0
    assert site.worker_timeouts() == 0
