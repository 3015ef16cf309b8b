"""The availability engine is pure: no Django, nothing else of ours, no I/O.

bookings/availability/ promises plain Python (its package docstring): the loader does the
database work, the engine only computes. That keeps it fast to test, usable from a
benchmark or a worker without settings, and safe to call while holding a lock. Each
module is imported in a fresh interpreter (this test process has Django loaded already),
with an audit hook that records every file, socket and process the import touches.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bookings.availability

PACKAGE = "bookings.availability"
PACKAGE_DIR = Path(bookings.availability.__file__).parent
ROOT = PACKAGE_DIR.parent.parent  # the project root, where `bookings` is importable
MODULES = [PACKAGE] + [f"{PACKAGE}.{m.name}" for m in pkgutil.iter_modules([str(PACKAGE_DIR)])]

# Runs in the fresh interpreter. Prints what the imports (and, with "search" as second
# argument, a search and an explanation) did: the modules they added and the I/O events.
# The import system itself opens source and bytecode files and lists directories; those
# are left out. A search may read the time-zone database (zoneinfo loads a zone's file
# the first time it is used); those files are left out of the search's events only.
PROBE = r"""
import json, sys

module, mode = sys.argv[1], sys.argv[2]
IO_EVENTS = ("open", "socket.", "subprocess.", "os.", "shutil.", "sqlite3.", "urllib.",
             "http.", "ftplib.", "smtplib.", "poplib.", "imaplib.", "nntplib.", "telnetlib.",
             "ctypes.", "webbrowser.", "fcntl.", "mmap.", "pty.", "resource.", "syslog.",
             "winreg.", "msvcrt.", "tempfile.", "glob.")
IMPORT_FILES = (".py", ".pyc", ".so", ".pth")
recording = True
events = []


def hook(event, args):
    if not recording or not event.startswith(IO_EVENTS):
        return
    if event in ("os.listdir", "os.scandir"):  # the path finders' directory listings
        return
    if event == "open" and isinstance(args[0], str) and args[0].endswith(IMPORT_FILES):
        return
    events.append([event, repr(args)[:200]])


before = set(sys.modules)
sys.addaudithook(hook)
__import__(module)
added = sorted(set(sys.modules) - before)
imported_events = list(events)
search_events = []
if mode == "search":
    import zoneinfo
    from bookings.availability import (
        COLLECTIVE, MAX_FAIRNESS, OpenHours, Participant, Query, Seat, explain_start,
        find_slots, grid_origin,
    )

    events.clear()
    hours = (OpenHours(frozenset({1, 2, 3, 4, 5}), 540, 1020, "America/Chicago",
                       frozenset()),)
    people = [
        Participant("a@example.com", hours, ((1773237600, 1773241200),)),
        Participant("b@example.com", hours, (), 1773000000),
    ]
    start = 1773187200  # 2026-03-11 00:00 UTC
    for method, capacity in ((COLLECTIVE, 1), (MAX_FAIRNESS, 1), (COLLECTIVE, 3)):
        query = Query(start, start + 7 * 86400, 1800, 1800,
                      origin=grid_origin(start, 15, "America/Chicago"), buffer_before=600,
                      buffer_after=600, method=method, earliest_start=start + 3600,
                      latest_start=start + 6 * 86400, capacity=capacity,
                      seats=(Seat(1773244800, 1773246600, 1),) if capacity > 1 else ())
        find_slots(query, people)
        explain_start(query, people, 1773241200)
    zone_files = tuple(str(p) for p in zoneinfo.TZPATH)
    try:
        import tzdata
        zone_files += tuple(tzdata.__path__)
    except ImportError:
        pass

    def reads_zone_file(event):
        name, args = event
        return name == "open" and any(args.startswith("(" + repr(d)[:-1]) for d in zone_files)

    search_events = [e for e in events if not reads_zone_file(e)]
recording = False
print(json.dumps({"added": added, "import_events": imported_events,
                  "search_events": search_events}))
"""


def probe(module: str, mode: str = "import", root: Path = ROOT) -> dict:
    """Import ``module`` (from ``root``) in a fresh interpreter; see PROBE."""
    result = subprocess.run(
        [sys.executable, "-B", "-c", PROBE, module, mode],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def foreign(modules: list[str]) -> list[str]:
    """The modules that are neither the standard library nor the engine itself.
    (``_sysconfigdata_<platform>`` is the standard library's too: sysconfig loads it for
    zoneinfo's search path, under a per-platform name that stdlib_module_names omits.)"""
    return [
        name
        for name in modules
        if name.split(".")[0] not in sys.stdlib_module_names
        and not name.startswith("_sysconfigdata_")
        and name not in ("bookings", PACKAGE)
        and not name.startswith(PACKAGE + ".")
    ]


def test_the_engine_has_modules_to_check():
    assert {f"{PACKAGE}.engine", f"{PACKAGE}.open_hours", f"{PACKAGE}.explain"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_importing_an_engine_module_loads_no_django_and_does_no_io(module):
    report = probe(module)
    assert not [name for name in report["added"] if name.split(".")[0] == "django"]
    assert foreign(report["added"]) == []
    assert report["import_events"] == []


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.glob("*.py")), ids=lambda path: path.name)
def test_engine_modules_import_only_the_standard_library_and_each_other(path):
    """The same, read from the source: names the offending line even when an import is
    inside a function (which the fresh-interpreter import would not run)."""
    offending = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue  # relative imports stay inside the package
        for name in names:
            if name.split(".")[0] not in sys.stdlib_module_names and name != "__future__":
                offending.append(f"{path.name}:{node.lineno} imports {name}")
    assert offending == []


def test_a_search_and_an_explanation_do_no_io_but_read_the_zone_database():
    report = probe(PACKAGE, "search")
    assert report["search_events"] == []
