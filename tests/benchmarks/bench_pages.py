"""Benchmark: the hosted booking page under gunicorn, against a trivial one-query view.

Run: ``python tests/benchmarks/bench_pages.py`` (``make bench`` runs it). It creates the
PostgreSQL database BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/scheduler_bench_pages), migrates it, loads the demo
page (one organizer), starts gunicorn with 2 sync workers on 127.0.0.1, and measures
requests per second, all in the same run:

- GET /healthz: one tiny model read (SELECT 1 ... LIMIT 1) through the whole middleware
  stack: the baseline, a trivial one-query view;
- GET /book/demo/: the page shell (target: at least 70% of the baseline);
- GET /book/demo/?tz=...&day=... with HX-Request/HX-Target: panel: one day's slots for
  one organizer (target: at least 40%).

The load generator is bounded: a fixed number of requests per measurement, a time limit,
threads with one HTTP connection each, 127.0.0.1 only. The three are measured back to
back in each of several rounds, and the median of the rounds' ratios is reported, so a
noisy moment on a shared machine does not decide the result.
Falls back to a temporary SQLite database (and says so) when PostgreSQL is unreachable.
The database and gunicorn are removed at the end.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
THREADS = 4
REQUESTS = {"baseline": 600, "shell": 600, "day": 300}
WARMUP = 150
ROUNDS = 7
TIME_LIMIT_SECONDS = 20.0
TARGETS = {"shell": 0.70, "day": 0.40}


def python() -> str:
    return str(PYTHON if PYTHON.exists() else sys.executable)


def gunicorn() -> list[str]:
    if GUNICORN.exists():
        return [str(GUNICORN)]
    return [python(), "-m", "gunicorn"]


def create_database() -> tuple[str, str, object]:
    """(DATABASE_URL, description, cleanup)."""
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scheduler_bench_pages"
    )
    try:
        import psycopg

        name = url.rsplit("/", 1)[1]
        server = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return url, "PostgreSQL", drop
    except Exception as exc:  # no server: measure on SQLite, and say so
        folder = tempfile.mkdtemp()
        return (
            f"sqlite:///{folder}/bench.sqlite3",
            f"SQLite (PostgreSQL unreachable: {exc.__class__.__name__})",
            lambda: shutil.rmtree(folder, ignore_errors=True),
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_up(port: int, server: subprocess.Popen, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before answering")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def load(port: int, path: str, headers: dict, total: int) -> tuple[float, int]:
    """(requests per second, errors) for ``total`` GETs of ``path`` over THREADS
    connections, stopping at TIME_LIMIT_SECONDS whatever is left."""
    remaining = [total]
    done = [0]
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + TIME_LIMIT_SECONDS

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()  # sync workers close; http.client reconnects
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
                ok = False
            with lock:
                done[0] += 1
                errors[0] += not ok
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    return done[0] / elapsed, errors[0]


def main() -> None:
    database_url, backend, drop_database = create_database()
    var_dir = tempfile.mkdtemp()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "scheduler_site.settings",
        "SCHEDULER_VAR_DIR": var_dir,
        "SECRET_KEY": "bench-pages-not-secret-" + "x" * 40,
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "WARNING",
    }
    server = None
    try:
        for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run(
                [python(), "manage.py", *command],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                timeout=300,
            )
        port = free_port()
        server = subprocess.Popen(
            [
                *gunicorn(),
                "scheduler_site.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"{HOST}:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        wait_until_up(port, server)

        zone = "America/Chicago"
        htmx = {"HX-Request": "true", "HX-Target": "picker"}
        status, body = get(port, f"/book/demo/?tz={zone}", htmx)
        days = re.findall(rb"day=(\d{4}-\d\d-\d\d)", body)
        if status != 200 or not days:
            raise SystemExit(f"the demo page offered no day to measure (status {status})")
        # Measure the fullest of the first offered days: today's may have only a few
        # times left, which would flatter the fragment.
        day_headers = {"HX-Request": "true", "HX-Target": "panel"}
        slots, day = 0, ""
        for candidate in dict.fromkeys(d.decode() for d in days[:6]):
            path = f"/book/demo/?tz={zone.replace('/', '%2F')}&day={candidate}"
            status, body = get(port, path, day_headers)
            count = body.count(b'class="slot"')
            if status == 200 and count > slots:
                slots, day = count, candidate
        assert slots, "no day fragment has slots"
        day_path = f"/book/demo/?tz={zone.replace('/', '%2F')}&day={day}"

        cases = {
            "baseline": ("/healthz", {}),
            "shell": ("/book/demo/", {}),
            "day": (day_path, day_headers),
        }
        for path, headers in cases.values():
            load(port, path, headers, WARMUP)
        rates: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, (path, headers) in cases.items():
                rate, errors = load(port, path, headers, REQUESTS[name])
                if errors:
                    raise SystemExit(f"{name}: {errors} requests failed")
                rates[name].append(rate)

        # Each round measures the three back to back; the ratio of a round compares
        # neighbours in time, and the median of the rounds shrugs off a noisy moment.
        print(f"database: {backend}; gunicorn 2 sync workers; {THREADS} client connections")
        baseline = statistics.median(rates["baseline"])
        print(f"GET /healthz (one query): median {baseline:.0f} requests/s")
        for name, label in (
            ("shell", "GET /book/demo/ (page shell)"),
            ("day", f"GET day fragment ({day}, {slots} slots, one organizer)"),
        ):
            ratios = [r / b for r, b in zip(rates[name], rates["baseline"], strict=True)]
            ratio = statistics.median(ratios)
            verdict = "ok" if ratio >= TARGETS[name] else "BELOW TARGET"
            print(
                f"{label}: median {statistics.median(rates[name]):.0f} requests/s, "
                f"{ratio:.0%} of the baseline (rounds {min(ratios):.0%}-{max(ratios):.0%}; "
                f"target >= {TARGETS[name]:.0%}) {verdict}"
            )
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        drop_database()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
