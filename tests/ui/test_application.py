"""Starting the app on a damaged database: the user decides, and the file is kept whatever they decide. The app
follows the system's light or dark mode."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QMessageBox

from twexport_qt.ui import application
from twexport_qt.ui.application import ColorSchemeFollower, dark_palette
from twexport_qt.ui.palette import is_dark


@pytest.fixture
def damaged_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "twexport.sqlite3").write_bytes(b"not a database at all" * 200)
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: None)
    return home


def answer(monkeypatch, button_text: str) -> list[str]:
    """Click the dialog button whose text starts with `button_text`; returns the dialogs' texts."""
    shown: list[str] = []

    def exec_(box: QMessageBox) -> int:
        shown.append(box.text())
        next(b for b in box.buttons() if b.text().startswith(button_text)).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return shown


def test_quit_is_the_default_and_leaves_the_file_as_it_was(qtbot, damaged_home, monkeypatch):
    shown = answer(monkeypatch, "Quit")
    args = argparse.Namespace(data_dir=str(damaged_home), profile=None, api_base_url=None, repair=False)
    assert application._open_context_or_explain(args) is None
    assert "is damaged" in shown[0]
    assert (damaged_home / "twexport.sqlite3").read_bytes() == b"not a database at all" * 200
    assert not list(damaged_home.glob("*.damaged-*"))


def test_moving_it_aside_keeps_it_and_opens_on_a_new_database(qtbot, damaged_home, monkeypatch):
    answer(monkeypatch, "Move aside")
    args = argparse.Namespace(data_dir=str(damaged_home), profile=None, api_base_url=None, repair=False)
    context = application._open_context_or_explain(args)
    try:
        assert context is not None and context.holder == "desktop app"
        assert "nothing could be read" in context.repair_report.describe()
        [kept] = [p for p in damaged_home.glob("twexport.sqlite3.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
        assert kept.read_bytes() == b"not a database at all" * 200
    finally:
        if context is not None:
            context.close()


@pytest.fixture
def follower(qapp):
    """A colour-scheme follower on the test app; the app's own colours are back afterwards."""
    follower = ColorSchemeFollower(qapp)  # the offscreen platform knows no scheme: nothing changes yet
    yield follower
    follower.apply(Qt.ColorScheme.Light)
    follower.deleteLater()


def test_the_app_follows_the_system_into_dark_mode_and_back(qtbot, qapp, follower):
    window_colour = qapp.palette().color(QPalette.ColorRole.Window)
    assert not follower.dark_applied and not is_dark(qapp.palette())
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # the user switched the desktop to dark
    qtbot.waitUntil(lambda: is_dark(qapp.palette()))
    assert follower.dark_applied and qapp.style().name().lower() == "fusion"
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    qtbot.waitUntil(lambda: not follower.dark_applied)
    assert qapp.palette().color(QPalette.ColorRole.Window) == window_colour


def test_a_style_that_goes_dark_by_itself_is_left_alone(qapp, follower):
    own = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())  # as macOS or a KDE theme does when the system turns dark
    try:
        follower.apply(Qt.ColorScheme.Dark)
        assert not follower.dark_applied
    finally:
        qapp.setPalette(own)


def test_the_dark_palette_reads(qapp):
    palette = dark_palette()
    for text, background in ((QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
                             (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
                             (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
                             (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight)):
        assert palette.color(text).lightness() - palette.color(background).lightness() > 100
