"""Hand-written SQL lives in one module per app: pages/sql.py and bookings/sql.py. A
cursor, a raw query or an ORM escape hatch (.raw(), .extra(), RawSQL) anywhere else in
the apps fails here, so the next piece of SQL lands where its names come from the models'
metadata and its reads are compared with the ORM's (tests/pages/test_sql_matches_orm.py,
tests/bookings/test_sql_matches_orm.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOMES = {ROOT / "pages/sql.py", ROOT / "bookings/sql.py"}
ESCAPES = {"cursor", "execute", "executemany", "raw", "extra"}


def sql_outside_its_homes() -> list[str]:
    found = []
    for path in sorted([*ROOT.glob("pages/**/*.py"), *ROOT.glob("bookings/**/*.py")]):
        if path in HOMES or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            called = node.func if isinstance(node, ast.Call) else None
            name = getattr(called, "attr", None) or getattr(called, "id", None)
            if name in ESCAPES or name == "RawSQL":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}()")
    return found


def test_sql_is_written_only_in_the_apps_sql_modules():
    assert sql_outside_its_homes() == []
