"""File → Export through `ExportMenu`: a worker writes the file, the user is told in a message, and "current filter"
means the shared filter state. The app context (Sandbox profile) comes from tests/ui/conftest.py."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtWidgets import QFileDialog, QWidget

from twexport_qt.exports.exporters import ExportKind
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.ui.export_menu import ExportMenu
from twexport_qt.ui.filter_state import FollowerFilterState


@pytest.fixture
def menu(qtbot, context, jobs):
    from twexport_qt.followers.fetch import fetch_followers

    with context.api_session() as api:
        fetch_followers(api.conn, api.gateway, api.pacer, context.clock)
    parent = QWidget()
    qtbot.addWidget(parent)
    return ExportMenu(context, jobs, FollowerFilterState(parent), parent)


def csv_rows(path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_an_export_runs_as_a_job_and_says_where_it_wrote(qtbot, menu, tmp_path, messages):
    out = tmp_path / "followers.csv"
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        assert menu.export_to(ExportKind.FOLLOWERS, out) is not None
    rows = csv_rows(out)
    assert rows[0][0] == "user_id" and len(rows) == 51  # the sandbox's 50 followers
    assert menu.last_result == (ExportKind.FOLLOWERS, out, 50)
    assert messages.infos()[-1] == f"Exported 50 rows to {out}."


def test_followers_with_the_current_filter_use_the_shared_filter_state(qtbot, menu, tmp_path, monkeypatch):
    everyone = tmp_path / "everyone.csv"
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        menu.export_to(ExportKind.FOLLOWERS, everyone)
    column = csv_rows(everyone)[0].index("followers_count")
    threshold = sorted(int(row[column]) for row in csv_rows(everyone)[1:])[25]  # the upper half
    out = tmp_path / "filtered.csv"
    menu.filter_state.set(FollowerFilter(min_followers=threshold))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    action = next(a for a in menu.menu.actions() if a.text() == "Followers (current filter)…")
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        action.trigger()
    counts = [int(row[column]) for row in csv_rows(out)[1:]]
    assert 0 < len(counts) < 50 and all(count >= threshold for count in counts)


def test_a_failed_export_is_an_error_message_and_no_file(qtbot, menu, tmp_path, messages):
    out = tmp_path / "tweets.csv"
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        menu.export_to(ExportKind.TWEETS, out)  # nothing downloaded yet
    assert messages.errors() == ["There is no tweet download to export yet: download tweets first (Tools → "
                                 "Download tweets)."]
    assert not out.exists() and menu.last_result is None
