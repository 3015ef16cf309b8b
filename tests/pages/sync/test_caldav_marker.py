"""The ``caldav`` marker: its tests skip where Radicale is not installed, and fail instead
when CI requires them (SCHEDULER_REQUIRE_MARKED, tests/conftest.py)."""

from __future__ import annotations

import sys

from tests import conftest


def test_caldav_tests_are_available_when_radicale_is_installed():
    assert conftest._why_unavailable("caldav") is None


def test_caldav_tests_are_unavailable_without_radicale(monkeypatch):
    monkeypatch.setitem(sys.modules, "radicale", None)  # import radicale now fails
    assert "Radicale is not installed" in conftest._why_unavailable("caldav")
