"""Only services write: no view, API view, admin, editor or Celery task calls .save(),
.delete(), .create(), .update() (or their bulk and get-or-create kin) on a model or a
queryset itself. Found by reading the modules' syntax trees, so a new write slipped
into a view fails here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = [
    *ROOT.glob("bookings/views/*.py"),
    *ROOT.glob("bookings/api/*.py"),
    *ROOT.glob("pages/api/*.py"),
    *ROOT.glob("pages/editor/*.py"),
    ROOT / "bookings/admin.py",
    ROOT / "bookings/admin_tools.py",
    ROOT / "pages/admin.py",
    ROOT / "pages/admin_forms.py",
    ROOT / "bookings/tasks.py",
]
# .save() and .delete() are writes whatever they are called on; the others only on the
# ORM (dict.update, set.update and the like are not).
ALWAYS = {"save", "delete"}
ORM_ONLY = {"create", "update", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
ORM_HINTS = (".objects", "filter(", "exclude(", ".all(", "select_for_update(")
# Each exception with its one-line reason; the list shrinks, it does not grow.
ALLOWED: dict[str, str] = {
    "part.save()": "an editor section: its save() calls pages.services.update_configuration",
    "super().save()": "the admin's open-hours inline form: Django's admin saves inlines",
}


def writes_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, ast.unparse(node.func.value)
        if name in ALWAYS or (name in ORM_ONLY and any(h in receiver for h in ORM_HINTS)):
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            found.append(f"{where}: {receiver}.{name}()")
    return found


def test_entry_points_write_only_through_services():
    writes = [w for path in ENTRY_POINTS for w in writes_in(path)]
    unexplained = [w for w in writes if w.split(": ", 1)[1] not in ALLOWED]
    assert unexplained == [], "write through a services module instead:\n" + "\n".join(unexplained)


def test_the_scan_finds_a_write_slipped_into_a_view(tmp_path):
    view = tmp_path / "view.py"
    view.write_text(
        "def post(request):\n"
        "    Booking.objects.filter(pk=1).update(status='x')\n"
        "    booking.save()\n"
        "    values.update(a=1)\n"
    )
    original = ROOT
    try:
        globals()["ROOT"] = tmp_path
        assert [w.split(": ", 1)[1] for w in writes_in(view)] == [
            "Booking.objects.filter(pk=1).update()",
            "booking.save()",
        ]
    finally:
        globals()["ROOT"] = original
