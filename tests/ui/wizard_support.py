"""Helpers for driving the tweet-download wizard (tests/ui/test_tweet_wizard.py, tests/ui/test_tweets_tab.py).

The `context` and `jobs` fixtures they go with are in tests/ui/conftest.py.
"""

from __future__ import annotations

import csv
import threading
from pathlib import Path

from twexport_qt.gateway.pacing import ENDPOINT_USER_TWEETS
from twexport_qt.ui.tweet_wizard.wizard import TweetDownloadWizard

JOB_TIMEOUT_MS = 30_000


def read_dataset(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def fill_and_start(wizard: TweetDownloadWizard, output: Path, *, username: str | None = "alice_writes",
                   list_file: Path | None = None, limit: int = 30, source: str | None = None,
                   sentiment: int | None = None) -> None:
    """Accounts → Source (`source`: a radio to choose) → Options → Output → Preview → (Download) Progress."""
    if list_file is not None:
        wizard.accounts_page.list_radio.setChecked(True)
        wizard.accounts_page.list_path_edit.setText(str(list_file))
    else:
        wizard.accounts_page.username_edit.setText(username or "")
    wizard.next()
    assert wizard.currentPage() is wizard.source_page
    if source is not None:
        wizard.source_page.radios[source].setChecked(True)
    wizard.next()
    wizard.options_page.limit_spin.setValue(limit)
    if sentiment is not None:
        combo = wizard.options_page.sentiment_combo
        combo.setCurrentIndex(combo.findData(sentiment))
    wizard.next()
    assert wizard.currentPage() is wizard.output_page
    wizard.output_page.path_edit.setText(str(output))
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    wizard.next()
    assert wizard.currentPage() is wizard.progress_page


def wait_for_end(qtbot, wizard: TweetDownloadWizard) -> None:
    qtbot.waitUntil(wizard.progress_page.isComplete, timeout=JOB_TIMEOUT_MS)


class GatedPacer:
    """Holds the second timeline request until the test lets it go, so Cancel lands mid-download."""

    def __init__(self, inner, reached: threading.Event, release: threading.Event, gate_at: int = 2) -> None:
        self._inner, self._reached, self._release, self._gate_at = inner, reached, release, gate_at
        self._timeline_calls = 0

    def call(self, endpoint, request):
        if endpoint == ENDPOINT_USER_TWEETS:
            self._timeline_calls += 1
            if self._timeline_calls == self._gate_at:
                self._reached.set()
                self._release.wait(10)
        return self._inner.call(endpoint, request)

    def __getattr__(self, name):
        return getattr(self._inner, name)
