"""The ``npm`` marker: its tests skip where npm is not installed, and fail instead when CI
requires them (SCHEDULER_REQUIRE_MARKED, tests/conftest.py)."""

from __future__ import annotations

import shutil

from tests import conftest


def test_npm_tests_are_available_when_npm_is_installed():
    assert (conftest._why_unavailable("npm") is None) == (shutil.which("npm") is not None)


def test_npm_tests_are_unavailable_without_npm(monkeypatch):
    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    assert "npm is not installed" in conftest._why_unavailable("npm")
