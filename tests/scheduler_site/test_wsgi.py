"""The WSGI entry point imports the URLconf and the views while a worker starts, so no
request pays for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_wsgi_application_imports_the_views(tmp_path):
    check = (
        "import sys, scheduler_site.wsgi; "
        "print(all(m in sys.modules for m in "
        "('scheduler_site.urls', 'bookings.api.bookings', 'bookings.views.booking_page', "
        "'pages.api.configurations')))"
    )
    environ = {**os.environ, "SCHEDULER_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
