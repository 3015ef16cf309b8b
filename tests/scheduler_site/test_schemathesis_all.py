"""The whole API against its own /v3/schema, by schemathesis's own command line: every
check (`--checks all`: 5xx, status codes, content types, headers, response schemas,
invalid data accepted, valid data refused, missing auth accepted, unsupported methods,
use after free, created resources not found...) and every phase, in three runs against
one server and one baseline:

- stateless: examples, coverage and fuzzing of every operation;
- stateful: every operation, following the schema's OpenAPI links (a grant to its
  calendars and events, a configuration, sessions, webhooks, v2 pages);
- bookings: stateful again, valid data only, over the booking chain (a grant, its
  configuration, a session read back, availability over the session's lifetime, a
  booking of an offered slot, then its reschedule, decision and cancellation), with
  schemathesis-bookings.toml. The test asserts that this run made a booking (a 200 from
  POST /v3/scheduling/bookings in the cassette), so a broken chain fails it.

Bounded for CI: a fixed seed (deterministic generation in the first two runs), a few
examples per operation, one worker, and a time cap per run. Any finding fails the test,
except the ones recorded in schemathesis_baseline.json, each with the reason it stays (a
rule JSON Schema cannot state, such as "end after start"). Strings carry no NUL and no
lone surrogate: the API refuses both everywhere, free-form maps included (PostgreSQL
cannot store them), which the schema cannot say of a free-form map, so they are not
generated.

SCHEMATHESIS_EXAMPLES=N (default 3), SCHEMATHESIS_SECONDS (stateless, default 65),
SCHEMATHESIS_STATEFUL_SECONDS (15) and SCHEMATHESIS_BOOKINGS_SECONDS (25) widen the hunt;
SCHEMATHESIS_RUNS=stateless,stateful,bookings picks runs; SCHEMATHESIS_KEEP=DIR keeps
each run's output and cassette. SCHEMATHESIS_BASELINE_UPDATE=1 merges the run's findings
into the baseline instead of failing: then give each new entry its "why", or better, fix
it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASELINE = Path(__file__).with_name("schemathesis_baseline.json")
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "3")
CONFIG = Path(__file__).with_name("schemathesis.toml")
BOOKINGS_CONFIG = Path(__file__).with_name("schemathesis-bookings.toml")
UUID_IN_PATH = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
STATELESS_SECONDS = os.environ.get("SCHEMATHESIS_SECONDS", "65")
STATEFUL_SECONDS = os.environ.get("SCHEMATHESIS_STATEFUL_SECONDS", "15")
BOOKINGS_SECONDS = os.environ.get("SCHEMATHESIS_BOOKINGS_SECONDS", "25")
BOOKING_CHAIN = (
    "grants_create",
    "configurations_create",
    "sessions_create",
    "sessions_get",
    "availability_by_configuration",
    "bookings_create",
    "bookings_get",
    "bookings_reschedule",
    "bookings_decide",
    "bookings_cancel",
)


def schemathesis_command() -> list[str]:
    beside = Path(sys.executable).with_name("schemathesis")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("schemathesis")
    assert found, "schemathesis is a dev dependency"
    return [found]


def run_schemathesis(url, key, phases, seconds, baseline, updating, report_dir, only=()):
    command = schemathesis_command() + [
        "--config-file",
        str(BOOKINGS_CONFIG if only else CONFIG),
        "run",
        f"{url}/v3/schema",
        "--header",
        f"Authorization: Bearer {key}",
        "--checks",
        "all",
        "--phases",
        phases,
        "--max-examples",
        EXAMPLES,
        "--max-time",
        seconds,
        "--seed",
        "21",
        # Deterministic generation repeats the simplest values (the same grant id, the
        # same email), which a chain of creations cannot get past: the booking chain
        # draws from the fixed seed instead.
        *([] if only else ["--generation-deterministic"]),
        "--generation-allow-x00",
        "false",
        "--generation-codec",
        "utf-8",
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--baseline",
        str(baseline),
        *(["--baseline-update"] if updating else []),
        "--no-color",
        "--output-truncate",
        "true",
        *(option for operation in only for option in ("--include-operation-id", operation)),
        # The booking chain: valid data only, so that each step's linked values arrive
        # whole (the other runs send invalid data to every one of these operations).
        *(["--mode", "positive"] if only else []),
        "--report",
        "json,vcr",
        "--report-dir",
        str(report_dir),
    ]
    return subprocess.run(
        command,
        cwd=report_dir.parent,
        capture_output=True,
        text=True,
        timeout=int(seconds) * 3 + 120,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )


def test_schemathesis_every_check_every_phase_finds_nothing_new(live_server, settings, tmp_path):
    from pages.services import create_api_key

    # Subscriptions are made before receivers run: the fuzzer's URLs answer no challenge.
    settings.SCHEDULER_WEBHOOK_VERIFY = False
    _, key = create_api_key(name="schemathesis")
    updating = os.environ.get("SCHEMATHESIS_BASELINE_UPDATE") == "1"
    baseline = tmp_path / "baseline.json"  # the run may rewrite it: work on a copy
    shutil.copy(BASELINE, baseline)
    runs = {}
    for name, phases, seconds, only in (
        ("stateless", "examples,coverage,fuzzing", STATELESS_SECONDS, ()),
        ("stateful", "stateful", STATEFUL_SECONDS, ()),
        ("bookings", "stateful", BOOKINGS_SECONDS, BOOKING_CHAIN),
    ):
        if os.environ.get("SCHEMATHESIS_RUNS") and name not in os.environ["SCHEMATHESIS_RUNS"]:
            continue
        report_dir = tmp_path / name
        finished = run_schemathesis(
            live_server.url,
            key,
            phases,
            seconds,
            BASELINE if updating else baseline,
            updating,
            report_dir,
            only,
        )
        if os.environ.get("SCHEMATHESIS_KEEP"):
            keep = Path(os.environ["SCHEMATHESIS_KEEP"]) / name
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(report_dir, keep)
            (keep / "stdout.txt").write_text(finished.stdout + finished.stderr)
        runs[name] = (finished, report_dir)
    if updating:
        pytest.skip(f"baseline updated: {BASELINE}")
    for name, (finished, _) in runs.items():
        report = finished.stdout[-20000:] + finished.stderr[-3000:]
        assert finished.returncode == 0, f"{name} run:\n{report}"
    finished, report_dir = runs["bookings"]
    assert "Stateful" in finished.stdout, finished.stdout[-20000:]
    # The links really lead somewhere: a booking made of a slot that availability offered
    # over a session's lifetime, in the stateful phase (its reschedule, decision and
    # cancellation follow when the walk gets there: see the run's cassette).
    answered = stateful_answers(report_dir)
    assert "200" in answered.get("POST /v3/scheduling/bookings", set()), answered


def stateful_answers(report_dir: Path) -> dict[str, set[str]]:
    """Status codes per operation of the stateful phase, from schemathesis's cassette."""
    import yaml

    (cassette,) = report_dir.glob("vcr-*.yaml")
    answered: dict[str, set[str]] = {}
    recorded = yaml.load(cassette.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    for interaction in recorded["http_interactions"]:
        if interaction["phase"]["name"] != "stateful" or not interaction.get("response"):
            continue
        request = interaction["request"]
        path = urlsplit(request["uri"]).path
        path = UUID_IN_PATH.sub("/{id}", path)
        answered.setdefault(f"{request['method']} {path}", set()).add(
            str(interaction["response"]["status"]["code"])
        )
    return answered
