"""`make run` behaves like a service: on a port of its own, emailed links point at that
port; one Ctrl-C (SIGINT to the foreground process group, as a terminal sends it) or one
SIGTERM to make (as a supervisor sends it) stops the site, the worker, its pool and beat,
with a short message and nothing left running. Both runs have no terminal.

The real Makefile target runs (``-o install`` skips the virtualenv step; ``PY`` is this
test's interpreter), with its own SCHEDULER_VAR_DIR: SQLite, the filesystem broker and
the email files all in a temporary folder."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# Variables that would point the run at shared servers instead of its own folder.
SHARED = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_of(var_dir: Path) -> list[tuple[int, str]]:
    """(pid, command line) of every process started with this SCHEDULER_VAR_DIR: make,
    the runner, the site, the worker and whatever they started, re-parented or not."""
    marker = f"SCHEDULER_VAR_DIR={var_dir}\0".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
            if marker in environ:
                command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
                found.append((int(entry), command.decode(errors="replace").strip()))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return [(pid, command) for pid, command in found if command]  # zombies have none


def start(var_dir: Path, port: int, log: Path) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if k not in SHARED}
    environ["SCHEDULER_VAR_DIR"] = str(var_dir)
    with log.open("w") as out:
        return subprocess.Popen(
            ["make", "-s", "-o", "install", "run", f"PY={sys.executable}", f"PORT={port}"],
            cwd=ROOT,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # no terminal; its own process group, like a shell job
        )


def get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
        return response.status, response.read()


def wait_until_serving(make: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if make.poll() is not None:
            pytest.fail(f"make run ended early:\n{log.read_text()}")
        try:
            if get(f"http://127.0.0.1:{port}/healthz", timeout=1)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"make run did not serve in time:\n{log.read_text()}")


def book_the_demo(port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    now = int(time.time())
    _status, body = get(
        f"{base}/v3/scheduling/availability?slug=demo&start_time={now}&end_time={now + 14 * 86400}"
    )
    slot = json.loads(body)["data"]["time_slots"][0]
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}/v3/scheduling/bookings?slug=demo",
        data=json.dumps(
            {
                "start_time": slot["start_time"],
                "end_time": slot["end_time"],
                "guest": {"name": "Port Tester", "email": "port@example.com"},
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        assert response.status == 200
        return json.loads(response.read())["data"]["booking_id"]


def emailed_links(var_dir: Path, timeout: float = 30) -> list[str]:
    """The links in the emails the worker wrote to var/mail, once there are some."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = "".join(p.read_text(errors="replace") for p in (var_dir / "mail").glob("*"))
        found = re.findall(r"https?://[^\s\"<>]+/booking/[^\s\"<>]+", text)
        if found:
            return found
        time.sleep(0.5)
    pytest.fail("the worker sent no email in time")


def stop_and_check(make: subprocess.Popen, how: str, var_dir: Path, log: Path) -> str:
    began = time.monotonic()
    if how == "SIGINT":
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        make.send_signal(signal.SIGTERM)  # a supervisor stops the main process
    try:
        make.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"make run did not stop after {how}:\n{log.read_text()}")
    took = time.monotonic() - began
    assert processes_of(var_dir) == [], f"left running after {how}"
    output = log.read_text()
    assert "Segmentation fault" not in output
    assert output.count("Warm shutdown") <= 1, output
    assert "[run] Stopped." in output, output
    assert took < 25, f"stopping took {took:.1f} s"
    return output


def test_make_run_links_emails_to_its_port_and_stops_cleanly_on_sigint_and_sigterm(
    tmp_path,
):
    var_dir = tmp_path / "var"
    runs = []
    try:
        for how in ("SIGINT", "SIGTERM"):
            port = free_port()
            log = tmp_path / f"run-{how}.log"
            make = start(var_dir, port, log)
            runs.append(make)
            wait_until_serving(make, port, log)
            if how == "SIGINT":
                booking_id = book_the_demo(port)
                links = emailed_links(var_dir)
                assert links and all(
                    link.startswith(f"http://127.0.0.1:{port}/booking/") for link in links
                ), links
                assert booking_id
            output = stop_and_check(make, how, var_dir, log)
            assert f"Serving http://127.0.0.1:{port}/book/demo/" in output
    finally:
        for make in runs:
            if make.poll() is None:
                os.killpg(make.pid, signal.SIGKILL)
        for pid, _command in processes_of(var_dir):
            os.kill(pid, signal.SIGKILL)


def test_the_runner_links_a_wildcard_host_as_loopback_and_keeps_a_site_url_that_is_set(
    monkeypatch,
):
    sys.path.insert(0, str(ROOT / "bin"))
    try:
        import run_site
    finally:
        sys.path.pop(0)
    assert run_site.site_url("0.0.0.0", 8010) == "http://127.0.0.1:8010"
    assert run_site.site_url("::1", 8010) == "http://[::1]:8010"
    assert run_site.site_url("cal.example.com", 80) == "http://cal.example.com:80"
    monkeypatch.delenv("SITE_URL", raising=False)
    assert run_site.child_environment("0.0.0.0", 8010)["SITE_URL"] == "http://127.0.0.1:8010"
    monkeypatch.setenv("SITE_URL", "https://cal.example.com")
    assert run_site.child_environment("0.0.0.0", 8010)["SITE_URL"] == "https://cal.example.com"
