"""`celery -A scheduler_site worker --beat` runs and executes tasks, on the embedded
filesystem transport and on Redis; started without -Q (as `make run` starts it), it
reads every queue: the default one, emails', webhooks' and connected calendars'."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

TEST_REDIS_URL = os.environ.get("SCHEDULER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def run_worker_and_send(tmp_path: Path, extra_env: dict[str, str], sender: Celery) -> str:
    log = tmp_path / "worker.log"
    environ = {**os.environ, "SCHEDULER_VAR_DIR": str(tmp_path / "var")}
    for name in list(environ):  # the defaults: no broker, the queues' own names
        if name in ("CELERY_BROKER_URL", "REDIS_URL") or (
            name.startswith("SCHEDULER_") and name.endswith("_QUEUE")
        ):
            environ.pop(name)
    environ.update(extra_env)
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "scheduler_site",
                "worker",
                "--beat",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        marker = uuid.uuid4().hex
        sender.send_task("celery.accumulate", args=[marker])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = log.read_text()
            if "succeeded" in text and marker in text:
                return text
            if worker.poll() is not None:
                break
            time.sleep(0.5)
        pytest.fail(f"the worker did not run the task; its log:\n{log.read_text()}")
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def sender_app(**conf) -> Celery:
    """A Celery app of the test's own that only sends: never the process's current app,
    which the site's code publishes through (pages/sync/queue.py, the outbox) in every
    later test."""
    return Celery(set_as_current=False, **conf)


def test_a_worker_with_beat_runs_tasks_on_the_filesystem_transport(tmp_path):
    from scheduler_site.environment import celery_broker

    url, options = celery_broker({}, ("CELERY_BROKER_URL",), tmp_path / "var" / "celery")
    sender = sender_app(broker=url, broker_transport_options=options)
    text = run_worker_and_send(tmp_path, {}, sender)
    assert "beat: Starting" in text
    # The start-up banner lists the queues it consumes (".> name  exchange=...").
    for queue in ("celery", "notifications.email", "notifications.webhook", "calendars"):
        assert f".> {queue} " in text, f"the worker does not read {queue}:\n{text}"


@pytest.mark.redis
def test_a_worker_with_beat_runs_tasks_on_redis(tmp_path):
    sender = sender_app(broker=TEST_REDIS_URL)
    text = run_worker_and_send(tmp_path, {"CELERY_BROKER_URL": TEST_REDIS_URL}, sender)
    assert "redis://" in text
