"""A tweet download that X bills never starts unpriced: when the Preview page's estimate fails, it says why,
offers to estimate again, and keeps Download disabled until a price was shown; the Sandbox may start without one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from tests.ui.live_dialog_support import answer_questions
from twexport_qt.app_context import AppContext, sandbox_credentials
from twexport_qt.core.errors import NetworkError
from twexport_qt.secrets.backends import SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, sandbox_profile
from twexport_qt.ui import cost_confirmation
from twexport_qt.ui.tweet_wizard import preview_page
from twexport_qt.ui.tweet_wizard.wizard import TweetDownloadWizard

REAL = "Real"  # an X profile (billed, no budgets set), played by the test's sandbox


@pytest.fixture
def x_context(data_dir, fake_clock, sandbox_server):
    settings = AppSettings()
    settings.profiles[REAL] = dataclasses.replace(sandbox_profile(), name=REAL, kind="x")
    settings.active_profile = REAL
    secrets = SecretStore(SessionOnlyBackend())
    secrets.set_credentials(REAL, sandbox_credentials())
    ctx = AppContext(data_dir, settings=settings, secrets=secrets, clock=fake_clock, configure_log=False,
                     api_base_url=sandbox_server.base_url)
    yield ctx
    ctx.close()


def failing_estimate(*_args: object) -> None:
    raise NetworkError("X could not be reached (connection refused).")


def to_preview_page(qtbot, context: AppContext, jobs, output: Path, limit: int = 400) -> TweetDownloadWizard:
    wizard = TweetDownloadWizard(context, jobs)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.accounts_page.username_edit.setText("alice_writes")
    wizard.next()
    wizard.next()
    wizard.options_page.limit_spin.setValue(limit)
    wizard.next()
    wizard.output_page.path_edit.setText(str(output))
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    return wizard


def download_enabled(wizard: TweetDownloadWizard) -> bool:
    return wizard.button(QWizard.WizardButton.CommitButton).isEnabled()


def test_a_failed_estimate_keeps_download_disabled_until_estimated_again(qtbot, x_context, jobs, monkeypatch,
                                                                         tmp_path):
    monkeypatch.setattr(preview_page, "download_estimate", failing_estimate)
    output = tmp_path / "alice.csv"
    wizard = to_preview_page(qtbot, x_context, jobs, output)
    page = wizard.preview_page
    assert "could not be estimated: " in page.cost_label.text() and "connection refused" in page.cost_label.text()
    assert "estimate again" in page.cost_label.text()
    assert page.retry_estimate_button.isVisible() and not page.isComplete() and not download_enabled(wizard)
    asked = answer_questions(monkeypatch, cost_confirmation.TITLE, "enter")
    wizard.next()  # no price shown: nothing starts, nothing is asked
    assert wizard.currentPage() is page and asked == [] and not output.exists()

    page.retry_estimate_button.click()  # X still unreachable: still disabled, still says why
    assert not download_enabled(wizard) and page.retry_estimate_button.isVisible()

    monkeypatch.undo()  # X answers again
    asked = answer_questions(monkeypatch, cost_confirmation.TITLE, "enter")
    page.retry_estimate_button.click()
    assert page.cost_label.text().startswith("Estimated cost: ≈ 400 posts from 1 account")
    assert not page.retry_estimate_button.isVisible() and download_enabled(wizard)
    wizard.next()  # the price was shown, and above the threshold it is asked: No starts nothing
    assert len(asked) == 1 and "400 posts" in asked[0]
    assert wizard.currentPage() is page and not output.exists()


def test_in_the_sandbox_a_failed_estimate_still_lets_the_download_start(qtbot, context, jobs, monkeypatch, tmp_path):
    monkeypatch.setattr(preview_page, "download_estimate", failing_estimate)
    wizard = to_preview_page(qtbot, context, jobs, tmp_path / "alice.csv", limit=20)
    page = wizard.preview_page
    assert "could not be estimated" in page.cost_label.text() and "Nothing real is billed" in page.cost_label.text()
    assert not page.retry_estimate_button.isVisible() and download_enabled(wizard)
    asked = answer_questions(monkeypatch, cost_confirmation.TITLE, "enter")
    wizard.next()
    assert asked == [] and wizard.currentPage() is wizard.progress_page
    qtbot.waitUntil(wizard.progress_page.isComplete, timeout=30_000)
