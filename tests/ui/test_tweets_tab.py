"""The Tweet datasets tab: past downloads from the store, refreshed when a job ends; one wizard at a time."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtGui import QDesktopServices

from twexport_qt.ui.tweets_tab import TweetsTab, describe_sources

from tests.ui.wizard_support import GatedPacer, fill_and_start, read_dataset, wait_for_end


@pytest.fixture
def tab(qtbot, context, jobs):
    tab = TweetsTab(context, jobs)
    qtbot.addWidget(tab)
    tab.show()
    yield tab
    if tab.wizard is not None:
        tab.wizard.close()


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
    job_id, sources, path, state, written, updated = tab.model.row_values(0)
    assert (job_id, sources, path, state, written) == (wizard.summary.job_id, "alice_writes", str(output), "done", 5)
    assert len(read_dataset(output)) == 6
    assert tab.model.data(tab.model.index(0, 5)).endswith("UTC")

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
    state, written = tab.model.row_values(0)[3:5]
    assert state == "cancelled (resumable)" and 0 < written < 500


def test_a_closed_wizard_is_replaced_and_profile_change_refreshes(tab):
    first = tab.open_wizard()
    first.close()
    assert tab.open_wizard() is not first
    tab.wizard.close()
    tab.profile_changed()
    assert tab.wizard is None


def test_sources_column_names_the_first_accounts():
    assert describe_sources(["a"]) == "a"
    assert describe_sources(["a", "b", "c", "d", "e"]) == "a, b, c +2 more"
