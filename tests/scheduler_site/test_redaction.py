"""What the log redaction recognises, and the access lines of the servers we run
(runserver for `make run`, gunicorn with its access log on) written without secrets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scheduler_site.redaction import redact

ROOT = Path(__file__).resolve().parents[2]
REF = "3iGld5AvQF-08qHbgkZSv357MdQ2Y0ZEnf6FcVDhS5ereD4WiyuG-Kyd-ebOOTld"
SIGNED = "eyJiIjoiMTIzNDU2Nzg5MCIsIm4iOiJhYmMifQ:1vRdQd:AbCdEfGhIjKlMnOpQrStUvWxYz012345-_"
SESSION = "ss_Q2Y0ZEnf6FcVDhS5ereD4WiyuG-Kyd-ebOOTld"
EDIT = "avAPaS3ZFpxUugIkmi8oVveryW7RIpG0"  # seed 000's example


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Not Found: /booking/{REF}/", REF),
        (f"/booking/{REF}/calendar.ics", REF),
        (f"/confirm/{SIGNED}/", SIGNED),
        (f"/v3/scheduling/sessions/{SESSION}", SESSION),
        ("/v3/scheduling/sessions/short-but-secret", "short-but-secret"),
        (f"PUT /v3/scheduling/bookings/{REF} HTTP/1.1", REF),
        (f"/schedule/intro/{REF}/cancel", REF),
        (f"/editor/?edit_token={EDIT}&lang=en", EDIT),
        ("edit_token=plain-words-are-secret-too", "plain-words-are-secret-too"),
        ('{"salt": "abc.def", "status": "confirmed"}', "abc.def"),
        ("Authorization: Bearer sk_AbCdEfGhIjKlMnOpQrSt", "sk_AbCdEfGhIjKlMnOpQrSt"),
        ("'HTTP_AUTHORIZATION': 'Basic dXNlcjpwYXNz'", "dXNlcjpwYXNz"),
        ("secret whsec_AbCdEfGhIjKlMnOpQrSt0123+/= issued", "AbCdEfGhIjKlMnOpQrSt0123"),
        (f"organizer link {SIGNED} sent", SIGNED),
        (f"a token {EDIT} in prose", EDIT),
    ],
)
def test_each_kind_of_secret_is_redacted(text, secret):
    redacted = redact(text)
    assert secret not in redacted
    assert "[redacted]" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "Not Found: /book/intro/",
        "PUT /v3/scheduling/bookings/3f2a1b4c-1234-4abc-9def-0123456789ab HTTP/1.1",
        "digest " + "ab12" * 16,
        "Outbox message 81 failed for good: SMTP 451",
        "task bookings.sweep_outbox[3f2a1b4c-1234-4abc-9def-0123456789ab] succeeded",
        "GET /editor/3f2a1b4c-1234-4abc-9def-0123456789ab/event/ HTTP/1.1",
    ],
)
def test_ordinary_lines_are_left_as_they_are(text):
    assert redact(text) == text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(url: str, method: str = "GET", **headers: str) -> int:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, method=method, headers=headers), timeout=10
        ) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            request(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not start")


def serve_and_log(command: list[str], tmp_path: Path, base: str) -> str:
    """Run ``command`` (a web server), send requests carrying secrets, stop it, and return
    everything it wrote."""
    log = tmp_path / "server.log"
    environ = {**os.environ, "SCHEDULER_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env=environ, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            wait_until_up(f"{base}/static/css/does-not-exist.css", server)
            # Routes that answer before touching the (unmigrated) database.
            assert request(f"{base}/nowhere/?edit_token={EDIT}") == 404
            assert request(f"{base}/editor/?edit_token={EDIT}", "PUT") == 405
            assert request(f"{base}/v3/scheduling/sessions/{SESSION}", "PUT") == 405
            assert request(f"{base}/booking/{REF}/", "PUT") in (403, 405)
            assert request(f"{base}/confirm/{SIGNED}/", "PUT") in (403, 405)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return log.read_text()


def test_runserver_writes_its_access_lines_without_secrets(tmp_path):
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    output = serve_and_log(command, tmp_path, f"http://127.0.0.1:{port}")
    assert '"PUT /editor/?edit_token=[redacted] HTTP/1.1" 405' in output
    for secret in (EDIT, SESSION, REF, SIGNED):
        assert secret not in output


def test_gunicorns_access_log_has_no_secrets(tmp_path):
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "scheduler_site.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--access-logfile",
        "-",
    ]
    output = serve_and_log(command, tmp_path, f"http://127.0.0.1:{port}")
    assert '"PUT /editor/?edit_token=[redacted] HTTP/1.1" 405' in output
    for secret in (EDIT, SESSION, REF, SIGNED):
        assert secret not in output
