#!/usr/bin/env python3
"""`make run`: the site (runserver) and a Celery worker with beat embedded, started and
stopped together like one service.

    python bin/run_site.py --host 127.0.0.1 --port 8000

- SITE_URL (the base of the links in emails) follows --host and --port unless it is set
  in the environment, for the site and for the worker (which renders the emails): a
  site on port 8010 sends links to port 8010. A wildcard host (0.0.0.0, ::) is linked
  as 127.0.0.1.
- Each child runs in its own process group, so a Ctrl-C in the terminal reaches this
  runner alone (and make); the runner then asks each child once, with SIGTERM, to stop
  (the worker finishes what it is sending: a warm shutdown), waits for it, and kills
  whatever of a child's group is still there after a grace period. SIGTERM (a
  supervisor, or make passing one on) and SIGHUP (the terminal closed) do the same. A
  second signal kills at once.
- Should the runner itself be killed outright, the kernel sends each child SIGTERM
  (PR_SET_PDEATHSIG), so nothing keeps running unseen.
- When one child stops on its own (the port is taken, say), the other is stopped too
  and the runner exits with an error.

Standard library only: it runs before anything else is imported, and is not part of the
Django project (scheduler_site stays wiring only).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ipaddress
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 15  # a warm shutdown waits for the email or webhook being sent
LEFTOVER_SECONDS = 3  # a child's own children (worker pool, beat) get this long after it
POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def site_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches the site at."""
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 (a name, not a bind)
        host = "127.0.0.1"
    bare = host.strip("[]")
    try:
        if ipaddress.ip_address(bare).version == 6:
            host = f"[{bare}]"
    except ValueError:
        pass  # a host name
    return f"http://{host}:{port}"


def child_environment(host: str, port: int) -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("SITE_URL", site_url(host, port))
    environment.setdefault("PYTHONUNBUFFERED", "1")
    return environment


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass  # not Linux: the runner's own handlers still stop the children


class Child:
    def __init__(self, name: str, command: list[str], environment: dict[str, str]):
        self.name = name
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            process_group=0,  # its own group: a terminal's Ctrl-C is not sent to it
            preexec_fn=_die_with_parent,  # safe: the runner has one thread
        )

    def running(self) -> bool:
        return self.process.poll() is None

    def group_alive(self) -> bool:
        """Whether any process of the child's group (itself, its pool, beat) is left."""
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def signal(self, number: int) -> None:
        if self.running():
            self.process.send_signal(number)

    def kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


class Runner:
    def __init__(self, children: list[Child]):
        self.children = children
        self.stop_requested = 0  # how many stop signals arrived

    def on_signal(self, number: int, _frame) -> None:
        self.stop_requested += 1
        if self.stop_requested > 1:
            say("Stopping now.")
            for child in self.children:
                child.kill_group()

    def wait(self) -> Child | None:
        """Until a stop signal (None) or a child that stopped on its own (that child)."""
        while not self.stop_requested:
            for child in self.children:
                if not child.running():
                    return child
            time.sleep(POLL_SECONDS)
        return None

    def stop(self) -> None:
        running = [c for c in self.children if c.running()]
        if running:
            say(f"Stopping the {' and the '.join(c.name for c in running)}…")
        for child in running:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        while any(c.running() for c in self.children) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        deadline = time.monotonic() + LEFTOVER_SECONDS
        while any(c.group_alive() for c in self.children) and time.monotonic() < deadline:
            for child in self.children:
                child.process.poll()
            time.sleep(POLL_SECONDS)
        for child in self.children:
            if child.group_alive():
                say(f"The {child.name} did not stop in time: killed.")
                child.kill_group()
            child.process.wait()


def say(message: str) -> None:
    print(f"[run] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    arguments = parser.parse_args(argv)

    environment = child_environment(arguments.host, arguments.port)
    python = sys.executable
    address = f"{arguments.host}:{arguments.port}"
    if ":" in arguments.host.strip("[]"):
        address = f"[{arguments.host.strip('[]')}]:{arguments.port}"
    runner = Runner([])
    for number in STOP_SIGNALS:
        signal.signal(number, runner.on_signal)
    base = environment["SITE_URL"]
    say(f"Serving {base}/book/demo/  (admin: {base}/admin/; emails link to {base})")
    say("Ctrl-C stops the site and the worker.")
    runner.children.append(
        Child(
            "site",
            [python, "manage.py", "runserver", address, "--noreload"],
            environment,
        )
    )
    runner.children.append(
        Child(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "scheduler_site",
                "worker",
                "--beat",
                "--loglevel=INFO",
                f"--concurrency={arguments.concurrency}",
                "--without-mingle",
                "--without-gossip",
            ],
            environment,
        )
    )
    stopped_alone = runner.wait()
    if stopped_alone is not None:
        say(
            f"The {stopped_alone.name} stopped on its own "
            f"(exit code {stopped_alone.process.returncode}): stopping everything."
        )
    runner.stop()
    if stopped_alone is not None:
        return 1
    say("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
