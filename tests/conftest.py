"""Shared fixtures: offscreen Qt, a temp data dir, and nothing that reaches the internet."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from twexport_qt.core.clock import FakeClock  # noqa: E402


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A private data dir; TWEXPORT_HOME points there so nothing touches the real user's files."""
    home = tmp_path / "twexport-home"
    home.mkdir()
    monkeypatch.setenv("TWEXPORT_HOME", str(home))
    return home
