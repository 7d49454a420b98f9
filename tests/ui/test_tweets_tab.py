"""The Tweet datasets tab: past downloads from the downloads service, refreshed when a job ends; one wizard at a
time."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices

from tests.ui.wizard_support import GatedPacer, fill_and_start, read_dataset, wait_for_end
from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.ui.tweets_tab import TweetsTab


@pytest.fixture
def tab(qtbot, context, jobs):
    tab = TweetsTab(context, jobs)
    qtbot.addWidget(tab)
    tab.show()
    yield tab
    if tab.wizard is not None:
        tab.wizard.close()


def cell_texts(tab: TweetsTab, row: int) -> list[str]:
    return [tab.model.data(tab.model.index(row, column)) for column in range(tab.model.columnCount())]


def test_empty_store_shows_no_downloads(tab):
    assert tab.model.rowCount() == 0
    assert tab.count_label.text() == "0 downloads"
    assert not tab.open_button.isEnabled()


def test_a_finished_download_appears_and_its_folder_opens(qtbot, tab, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    wizard = tab.open_wizard()
    assert tab.open_wizard() is wizard  # one at a time: the open wizard is raised, not duplicated
    output = tmp_path / "out" / "alice.csv"
    fill_and_start(wizard, output, limit=5)
    wait_for_end(qtbot, wizard)

    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)  # refreshed by jobs.dataChanged
    download = tab.model.record(0)
    assert (download.job_id, download.usernames, download.output_path, download.written) == \
        (wizard.summary.job_id, ("alice_writes",), output, 5)
    assert cell_texts(tab, 0)[:5] == [str(wizard.summary.job_id), "alice_writes", str(output), "done", "5"]
    assert cell_texts(tab, 0)[5] == format_local_datetime(download.updated_at)  # the user's clock, not UTC
    assert tab.count_label.text() == "1 download"
    assert len(read_dataset(output)) == 6

    tab.table.selectRow(0)
    assert tab.open_button.isEnabled()
    tab.open_button.click()
    assert opened == [str(tmp_path / "out")]


def test_a_cancelled_download_is_listed_as_resumable(qtbot, tab, context, tmp_path, monkeypatch):
    reached, release = threading.Event(), threading.Event()
    real_new_pacer = context.new_pacer
    monkeypatch.setattr(context, "new_pacer", lambda gateway, cancel=None, on_wait=None: GatedPacer(
        real_new_pacer(gateway, cancel, on_wait), reached, release))
    wizard = tab.open_wizard()
    fill_and_start(wizard, tmp_path / "a.csv", limit=500)
    qtbot.waitUntil(reached.is_set)
    wizard.progress_page.cancel_button.click()
    release.set()
    wait_for_end(qtbot, wizard)
    assert wizard.progress_page.outcome == "cancelled"
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert cell_texts(tab, 0)[3] == "cancelled (resumable)" and 0 < tab.model.record(0).written < 500


def test_the_selection_follows_its_download_through_a_refresh_and_a_sort(qtbot, tab, context, tmp_path):
    for name in ("alice_writes", "bob_builds"):
        wizard = tab.open_wizard()
        fill_and_start(wizard, tmp_path / f"{name}.csv", username=name, limit=3)
        wait_for_end(qtbot, wizard)
        wizard.close()
        context.clock.advance(60)  # the second download is the newer one
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2)
    assert [download.usernames for download in tab.model.records()] == [("bob_builds",), ("alice_writes",)]
    tab.table.selectRow(1)
    tab.refresh()
    assert tab.selected_download().usernames == ("alice_writes",)
    tab.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by Sources
    assert tab.model.record(0).usernames == ("alice_writes",)
    assert tab.selected_download().output_path == tmp_path / "alice_writes.csv"


def test_a_closed_wizard_is_replaced_and_profile_change_refreshes(tab):
    first = tab.open_wizard()
    first.close()
    assert tab.open_wizard() is not first
    tab.wizard.close()
    tab.profile_changed()
    assert tab.wizard is None


def test_a_failed_read_is_told_as_an_error_and_keeps_the_table(tab, context, monkeypatch, messages):
    def broken() -> list:
        raise RuntimeError("a bug")

    monkeypatch.setattr(context.downloads, "stored_downloads", broken)
    tab.refresh()
    assert len(messages.errors()) == 1
    assert messages.errors()[0].startswith("Reading the tweet downloads stopped because of an unexpected error")
    assert tab.count_label.text() == "0 downloads"
