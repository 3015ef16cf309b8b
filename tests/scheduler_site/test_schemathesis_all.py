"""The whole API against its own /v3/schema, by schemathesis's own command line: every
check (`--checks all`: 5xx, status codes, content types, headers, response schemas,
invalid data accepted, valid data refused, missing auth accepted, unsupported methods,
use after free, created resources not found...) and every phase (examples, coverage,
fuzzing, and stateful, which follows the schema's OpenAPI links from a grant to its
calendars and events, and to a configuration, its session, its availability and a
booking of its first slot, then that booking's reschedule, decision and cancellation).

Bounded and derandomized for CI: a fixed seed, deterministic generation, a few examples
per operation, one worker, and a time cap. Any finding fails the test, except the ones
recorded in schemathesis_baseline.json, each with the reason it stays (a rule JSON Schema
cannot state, such as "end after start"). Strings carry no NUL and no lone surrogate: the
API refuses both everywhere, free-form maps included (PostgreSQL cannot store them), which
the schema cannot say of a free-form map, so they are not generated.

SCHEMATHESIS_EXAMPLES=N (default 3) and SCHEMATHESIS_SECONDS (default 100) widen the
hunt. SCHEMATHESIS_BASELINE_UPDATE=1 merges the run's findings into the baseline instead
of failing: then give each new entry its "why", or better, fix it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASELINE = Path(__file__).with_name("schemathesis_baseline.json")
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "3")
SECONDS = os.environ.get("SCHEMATHESIS_SECONDS", "100")


def schemathesis_command() -> list[str]:
    beside = Path(sys.executable).with_name("schemathesis")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("schemathesis")
    assert found, "schemathesis is a dev dependency"
    return [found]


def test_schemathesis_every_check_every_phase_finds_nothing_new(live_server, settings, tmp_path):
    from pages.services import create_api_key

    # Subscriptions are made before receivers run: the fuzzer's URLs answer no challenge.
    settings.SCHEDULER_WEBHOOK_VERIFY = False
    _, key = create_api_key(name="schemathesis")
    updating = os.environ.get("SCHEMATHESIS_BASELINE_UPDATE") == "1"
    baseline = tmp_path / "baseline.json"  # the run may rewrite it: work on a copy
    shutil.copy(BASELINE, baseline)
    command = schemathesis_command() + [
        "run",
        f"{live_server.url}/v3/schema",
        "--header",
        f"Authorization: Bearer {key}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        EXAMPLES,
        "--max-time",
        SECONDS,
        "--seed",
        "21",
        "--generation-deterministic",
        "--generation-allow-x00",
        "false",
        "--generation-codec",
        "utf-8",
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--baseline",
        str(BASELINE if updating else baseline),
        *(["--baseline-update"] if updating else []),
        "--no-color",
        "--output-truncate",
        "true",
    ]
    finished = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=int(SECONDS) * 3 + 120,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    report = finished.stdout[-20000:] + finished.stderr[-3000:]
    assert "Stateful" in finished.stdout, report
    if updating:
        pytest.skip(f"baseline updated: {BASELINE}")
    assert finished.returncode == 0, report
