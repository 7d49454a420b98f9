"""The tweet-download wizard, driven page by page against the in-process sandbox (Sandbox profile)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC

import pytest
from PySide6.QtWidgets import QDialog, QWizard

from tests.ui.wizard_support import JOB_TIMEOUT_MS, GatedPacer, fill_and_start, read_dataset, wait_for_end
from twexport_qt.gateway.pacing import WaitNotice
from twexport_qt.services.jobs import JobOutcome
from twexport_qt.store import tweets_repo
from twexport_qt.tweets.account_selection import AccountsMode
from twexport_qt.tweets.download import run_download
from twexport_qt.tweets.download_report import AccountRow, AccountStatus
from twexport_qt.ui.tweet_wizard.wizard import TweetDownloadWizard


@pytest.fixture
def wizard(qtbot, context, jobs):
    wizard = TweetDownloadWizard(context, jobs)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_one_account_end_to_end_writes_the_csv_and_summarises(qtbot, wizard, tmp_path):
    output = tmp_path / "alice.csv"
    fill_and_start(wizard, output, username="@alice_writes", limit=30)
    assert not wizard.progress_page.isComplete()  # Next stays disabled while the job runs
    wait_for_end(qtbot, wizard)
    assert wizard.progress_page.outcome is JobOutcome.SUCCEEDED

    rows = read_dataset(output)
    assert rows[0] == ["tweets"]
    assert len(rows) == 31 and all(row and row[0].strip() for row in rows[1:])
    first = wizard.progress_page.account_rows()[0]
    assert (first.username, first.status) == ("alice_writes", AccountStatus.DONE)

    wizard.next()
    summary_page = wizard.summary_page
    assert wizard.currentPage() is summary_page
    assert "30 tweets written in this run" in summary_page.totals_label.text()
    account = wizard.summary.accounts[0]
    fetched = account.fetched
    assert summary_page.model.record(0) == AccountRow("alice_writes", AccountStatus.DONE, fetched, 30, account.skipped)
    model = summary_page.model
    assert [model.data(model.index(0, column)) for column in range(4)] == ["alice_writes", "done", str(fetched), "30"]
    assert str(output) in summary_page.path_label.text()


def test_open_folder_opens_the_datasets_folder(qtbot, wizard, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    fill_and_start(wizard, tmp_path / "sub" / "alice.csv", limit=5)
    wait_for_end(qtbot, wizard)
    wizard.next()
    wizard.summary_page.open_button.click()
    assert opened == [str(tmp_path / "sub")]


def test_list_file_with_a_bad_line_and_a_duplicate_warns_and_proceeds(qtbot, wizard, tmp_path):
    names = tmp_path / "writers.txt"
    names.write_text("alice_writes\nnot a name\nbob_builds  # builder\n@Alice_Writes\nnobody_here_42\n",
                     encoding="utf-8")
    page = wizard.accounts_page
    page.list_radio.setChecked(True)
    page.list_path_edit.setText(str(names))
    warnings = page.list_warnings.text()
    assert "Line 2" in warnings and "not a name" in warnings
    assert "Line 4" in warnings and "more than once" in warnings
    assert [page.list_preview.item(i).text() for i in range(page.list_preview.count())] == \
        ["alice_writes", "bob_builds", "nobody_here_42"]
    assert page.isComplete()

    output = tmp_path / "writers.csv"
    fill_and_start(wizard, output, list_file=names, limit=30)
    wait_for_end(qtbot, wizard)
    assert wizard.progress_page.outcome is JobOutcome.SUCCEEDED
    assert len(read_dataset(output)) == 1 + 2 * 30  # the limit is per account; the unknown one is skipped

    wizard.next()
    outcomes = {row.username: row for row in wizard.summary_page.model.records()}
    assert outcomes["nobody_here_42"].status is AccountStatus.SKIPPED
    assert "no such account" in outcomes["nobody_here_42"].reason
    assert "1 account skipped" in wizard.summary_page.totals_label.text()


def test_default_output_file_follows_the_accounts_and_warns_when_it_exists(wizard, context):
    wizard.accounts_page.username_edit.setText("bob_builds")
    for _ in range(3):
        wizard.next()
    page = wizard.output_page
    expected = context.data_dir / "exports" / "bob_builds_tweets.csv"
    assert page.output_path() == expected and page.exists_label.text() == ""
    expected.with_suffix(".jsonl").write_text("", encoding="utf-8")
    page.format_combo.setCurrentIndex(page.format_combo.findData("jsonl"))
    assert page.output_path().name == "bob_builds_tweets.jsonl"
    assert "resumes" in page.exists_label.text() and page.isComplete()


def test_empty_or_invalid_accounts_block_next_with_a_sentence(wizard, tmp_path):
    page = wizard.accounts_page
    assert not page.isComplete() and "Type the username" in page.error_label.text()
    page.username_edit.setText("no spaces please")
    assert not page.isComplete() and "not a valid X username" in page.error_label.text()
    empty = tmp_path / "empty.txt"
    empty.write_text("# nobody yet\nnot valid!\n", encoding="utf-8")
    page.list_radio.setChecked(True)
    page.list_path_edit.setText(str(empty))
    assert not page.isComplete() and "lists no valid username" in page.error_label.text()
    page.list_path_edit.setText(str(tmp_path / "missing.txt"))
    assert not page.isComplete() and "does not exist" in page.error_label.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentPage() is page


def test_start_after_end_blocks_next_with_a_message(wizard):
    from datetime import datetime

    wizard.accounts_page.username_edit.setText("alice_writes")
    wizard.next()
    wizard.next()
    page = wizard.options_page
    page.start_edit.set_value(datetime(2024, 1, 1, tzinfo=UTC))
    page.end_edit.set_value(datetime(2020, 1, 1, tzinfo=UTC))
    assert not page.isComplete()
    assert "start of the timeframe must be before its end" in page.error_label.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentPage() is page
    page.end_edit.set_value(None)
    assert page.isComplete() and page.error_label.text() == ""
    assert wizard.request().options.start == datetime(2024, 1, 1, tzinfo=UTC)


def test_source_page_shows_reach_and_offers_search_with_the_sandbox_bearer(wizard):
    wizard.accounts_page.username_edit.setText("alice_writes")
    wizard.next()
    page = wizard.source_page
    assert page.radios["search"].isEnabled() and not page.radios["archive"].isEnabled()
    page.radios["search"].setChecked(True)
    assert "back to March 2006" in page.reach_label.text()
    assert wizard.request().source_kind == "search"


def test_options_show_the_label_sets_and_an_example_of_each_format(wizard):
    page = wizard.options_page
    assert "POSITIVE, NEUTRAL, NEGATIVE" in page.sentiment_combo.itemText(page.sentiment_combo.findData(3))
    page.format_combo.setCurrentIndex(page.format_combo.findData("reply"))
    page.sentiment_combo.setCurrentIndex(page.sentiment_combo.findData(5))
    example = page.example_label.text()
    assert example.startswith("****ARGUMENTS\nREPLY\nPOSITIVE") and "****IN_REPLY_TO" in example
    page.format_combo.setCurrentIndex(page.format_combo.findData("simple"))
    assert not page.example_label.text().startswith("****")


def test_cancel_mid_download_is_resumable_and_resume_writes_no_duplicates(qtbot, wizard, context, tmp_path,
                                                                         monkeypatch):
    reached, release = threading.Event(), threading.Event()
    real_new_pacer = context.new_pacer
    gates = iter([False, True])  # the Output page's estimate looks the account up; only the first run is held up

    def new_pacer(gateway, cancel=None, on_wait=None):
        pacer = real_new_pacer(gateway, cancel, on_wait)
        return GatedPacer(pacer, reached, release) if next(gates, False) else pacer

    monkeypatch.setattr(context, "new_pacer", new_pacer)
    output = tmp_path / "alice.csv"
    fill_and_start(wizard, output, limit=250)
    progress = wizard.progress_page
    qtbot.waitUntil(reached.is_set, timeout=JOB_TIMEOUT_MS)
    progress.cancel_button.click()
    release.set()
    wait_for_end(qtbot, wizard)

    assert progress.outcome is JobOutcome.CANCELLED
    assert "resumable" in progress.outcome_label.text() and progress.resume_button.isVisibleTo(progress)
    assert AccountStatus.STOPPED in {row.status for row in progress.account_rows()}
    after_cancel = read_dataset(output)
    assert 1 < len(after_cancel) < 251  # the committed pages are kept

    progress.resume_button.click()
    assert not progress.isComplete()
    wait_for_end(qtbot, wizard)
    assert progress.outcome is JobOutcome.SUCCEEDED
    rows = read_dataset(output)
    assert len(rows) == 251 and rows[:len(after_cancel)] == after_cancel
    assert wizard.summary.resumed
    # No duplicates, nothing lost: the file equals what one uninterrupted run of the same request writes.
    reference = tmp_path / "reference.csv"
    conn = context.connect()
    try:
        run_download(conn, context.new_gateway(), None, context.clock,
                     dataclasses.replace(wizard.request(), output_path=reference))
        assert tweets_repo.job_summary(conn, wizard.summary.job_id).marked == 250
    finally:
        conn.close()
    assert rows == read_dataset(reference)
    wizard.next()
    assert "earlier runs included" in wizard.summary_page.totals_label.text()


def test_rate_limit_countdown_ticks_on_the_app_clock(qtbot, wizard, fake_clock):
    page = wizard.progress_page
    page.show_wait(WaitNotice("rate_limit", "GET /2/users/:id/tweets", fake_clock.now() + 75,
                              "X's rate limit is reached."))
    assert page.countdown_text() == "X's rate limit is reached. Resuming in 1:15."
    fake_clock.advance(15)
    qtbot.waitUntil(lambda: page.countdown_text().endswith("Resuming in 1:00."), timeout=3000)


def test_wizard_closes_with_finish(qtbot, wizard, tmp_path):
    fill_and_start(wizard, tmp_path / "a.csv", limit=3)
    wait_for_end(qtbot, wizard)
    wizard.next()
    assert wizard.accounts_page.mode() is AccountsMode.ONE
    wizard.accept()
    assert wizard.result() == QDialog.DialogCode.Accepted and not wizard.isVisible()


def test_without_a_bearer_search_is_disabled_with_an_explanation(wizard, context, tmp_path):
    from twexport_qt.settings.model import Profile

    context.settings.profiles["Mine"] = Profile("Mine", kind="x")  # no credentials in the (empty) secret store
    context.switch_profile("Mine")
    wizard.accounts_page.username_edit.setText("alice_writes")
    wizard.next()
    page = wizard.source_page
    assert not page.radios["search"].isEnabled() and "Bearer token" in page.note_label.text()
    assert not page.isComplete() and "no X credentials" in page.error_label.text()

    wizard.back()
    archive = tmp_path / "my-archive"
    archive.mkdir()
    wizard.accounts_page.archive_radio.setChecked(True)
    wizard.accounts_page.archive_path_edit.setText(str(archive))
    wizard.next()
    assert page.source_kind() == "archive" and page.isComplete()  # an archive needs no credentials
    assert not page.radios["timeline"].isEnabled() and "replies" in page.note_label.text()
    assert wizard.request().sources == (str(archive.resolve()),)


def test_the_stored_tweets_are_offered_once_downloaded_and_build_a_dataset_for_free(qtbot, wizard, context, jobs,
                                                                                   tmp_path):
    wizard.accounts_page.username_edit.setText("alice_writes")
    wizard.next()
    stored_radio = wizard.source_page.radios["stored"]
    assert stored_radio.text() == "Tweets already downloaded (free, no request)"
    assert not stored_radio.isEnabled()  # nothing downloaded yet
    wizard.back()
    billed: list = []
    context.spend_listener = billed.extend  # every answer X would bill lands here
    fill_and_start(wizard, tmp_path / "first.csv", limit=30)
    wait_for_end(qtbot, wizard)
    assert wizard.progress_page.outcome is JobOutcome.SUCCEEDED and billed
    billed.clear()

    again = TweetDownloadWizard(context, jobs)
    qtbot.addWidget(again)
    again.show()
    again.accounts_page.username_edit.setText("alice_writes")
    again.next()
    source = again.source_page
    assert source.radios["stored"].isEnabled()
    source.radios["stored"].setChecked(True)
    assert "no request to X" in source.reach_label.text() and "tweets of these accounts are stored" \
        in source.reach_label.text()
    again.back()
    again.next()
    assert source.source_kind() == "stored"  # kept when the page is entered again
    again.back()
    fill_and_start(again, tmp_path / "labelled.csv", limit=30, source="stored", sentiment=3)
    assert again.preview_page.cost_label.text().startswith(
        "Estimated cost: free — built from tweets already downloaded, no request")
    assert "simulated" not in again.preview_page.cost_label.text()
    wait_for_end(qtbot, again)
    assert again.progress_page.outcome is JobOutcome.SUCCEEDED
    assert again.request().source_kind == "stored" and again.summary.written_now == 30
    labelled, first = read_dataset(tmp_path / "labelled.csv"), read_dataset(tmp_path / "first.csv")
    assert len(labelled) == 31 and labelled != first  # the same tweets, now with sentiment labels
    assert billed == []  # nothing was requested: not the look-up, not the tweets


def test_without_credentials_the_stored_tweets_still_build_a_dataset(qtbot, wizard, context, jobs, tmp_path):
    from twexport_qt.settings.model import Profile

    fill_and_start(wizard, tmp_path / "first.csv", limit=20)
    wait_for_end(qtbot, wizard)
    conn = context.connect()  # as if those tweets were the real account's (read from the user's own X archive)
    with conn:
        conn.execute("UPDATE tweets SET simulated = 0")
    conn.close()
    context.settings.profiles["Mine"] = Profile("Mine", kind="x")  # no credentials in the (empty) secret store
    context.switch_profile("Mine")
    again = TweetDownloadWizard(context, jobs)
    qtbot.addWidget(again)
    again.show()
    again.accounts_page.username_edit.setText("alice_writes")
    again.next()
    page = again.source_page
    assert not page.isComplete() and "no X credentials" in page.error_label.text()  # the timeline needs them
    assert "choose the tweets already downloaded" in page.error_label.text()
    page.radios["stored"].setChecked(True)
    assert page.isComplete() and not page.error_label.text()
    again.back()
    fill_and_start(again, tmp_path / "rebuilt.csv", limit=20, source="stored")
    wait_for_end(qtbot, again)
    assert again.progress_page.outcome is JobOutcome.SUCCEEDED
    assert read_dataset(tmp_path / "rebuilt.csv") == read_dataset(tmp_path / "first.csv")


# -- the Sandbox's accounts with tweets, and downloads that get none ---------------------------------------------
def sandbox_follower_username() -> str:
    from twexport_qt.sandbox.population import Population

    return Population(seed=11, followers=50).users_at([7])[0].username  # the `context` fixture's population


def test_in_the_sandbox_the_accounts_page_names_the_accounts_with_tweets_and_one_click_uses_one(wizard):
    from twexport_qt.sandbox.tweets_world import accounts_with_tweets

    page = wizard.accounts_page
    assert page.sandbox_hint.isVisibleTo(page)
    hint = page.sandbox_hint.text()
    for account in accounts_with_tweets():
        assert f'<a href="{account.username}">@{account.username}</a> ({account.tweet_count:,} tweets)' in hint
    assert "followers post nothing" in hint
    page.list_radio.setChecked(True)
    page.sandbox_hint.linkActivated.emit("bob_builds")  # what a click on the link does
    assert page.mode() is AccountsMode.ONE and page.selection().sources == ("bob_builds",) and page.isComplete()


def test_outside_the_sandbox_no_accounts_are_suggested(qtbot, context, jobs):
    from twexport_qt.settings.model import Profile

    context.settings.profiles["Mine"] = Profile("Mine", kind="x")
    context.switch_profile("Mine")
    wizard = TweetDownloadWizard(context, jobs)
    qtbot.addWidget(wizard)
    assert not wizard.accounts_page.sandbox_hint.isVisibleTo(wizard.accounts_page)


def test_a_sandbox_follower_without_tweets_is_explained_and_the_accounts_with_tweets_named(qtbot, wizard,
                                                                                          tmp_path):
    from twexport_qt.tweets.download_report import sandbox_accounts_hint

    follower = sandbox_follower_username()
    fill_and_start(wizard, tmp_path / "follower.csv", username=follower, limit=10)
    wait_for_end(qtbot, wizard)
    assert wizard.progress_page.outcome is JobOutcome.SUCCEEDED and wizard.summary.written_now == 0
    wizard.next()
    page = wizard.summary_page
    expected = (f"@{follower} has no tweets: the Sandbox's followers post nothing. Try a simulated account with "
                f"tweets, such as {sandbox_accounts_hint()}.")
    assert page.no_tweets_label.text() == expected
    assert page.model.record(0).reason == expected


def test_a_timeframe_without_tweets_is_named_as_the_reason(qtbot, wizard, tmp_path):
    from datetime import datetime

    wizard.accounts_page.username_edit.setText("carol_codes")
    wizard.next()
    wizard.next()
    options = wizard.options_page
    options.replies_box.setChecked(True)
    options.start_edit.set_value(datetime(2009, 1, 1, tzinfo=UTC))  # before carol's first tweet
    options.end_edit.set_value(datetime(2009, 6, 1, tzinfo=UTC))
    wizard.next()
    wizard.output_page.path_edit.setText(str(tmp_path / "carol.csv"))
    wizard.next()
    wizard.next()  # Download
    wait_for_end(qtbot, wizard)
    wizard.next()
    assert wizard.summary_page.no_tweets_label.text() == "@carol_codes has no tweets in this timeframe that X shows."


# -- the options of the last download are offered again --------------------------------------------------------
def test_the_last_downloads_options_format_and_folder_are_offered_by_the_next_wizard(qtbot, wizard, context, jobs,
                                                                                    tmp_path):
    from datetime import datetime

    wizard.accounts_page.username_edit.setText("alice_writes")
    wizard.next()
    wizard.next()
    options = wizard.options_page
    options.limit_spin.setValue(12)
    options.replies_box.setChecked(True)
    options.links_box.setChecked(False)
    options.hashtags_box.setChecked(True)
    options.sentiment_combo.setCurrentIndex(options.sentiment_combo.findData(5))
    options.format_combo.setCurrentIndex(options.format_combo.findData("reply"))
    options.start_edit.set_value(datetime(2020, 1, 1, tzinfo=UTC))
    wizard.next()
    output = wizard.output_page
    output.format_combo.setCurrentIndex(output.format_combo.findData("jsonl"))
    folder = tmp_path / "datasets"
    folder.mkdir()
    output.path_edit.setText(str(folder / "alice.jsonl"))
    chosen = wizard.request().options
    wizard.next()
    wizard.next()  # Download
    wait_for_end(qtbot, wizard)

    again = TweetDownloadWizard(context, jobs)
    qtbot.addWidget(again)
    again.show()
    assert again.options_page.options() == dataclasses.replace(chosen, output_format="csv")
    assert again.output_page.output_format() == "jsonl"
    assert not again.accounts_page.username_edit.text()  # whose tweets is not remembered
    again.accounts_page.username_edit.setText("bob_builds")
    for _ in range(3):
        again.next()
    assert again.output_page.output_path() == folder / "bob_builds_tweets.jsonl"
    assert again.request().options == chosen


def test_remembered_options_that_no_longer_read_are_ignored(qtbot, context, jobs, messages):
    from twexport_qt.tweets.options import DatasetOptions
    from twexport_qt.ui.tweet_wizard.remembered_choices import OPTIONS_KEY, OUTPUT_FOLDER_KEY
    from twexport_qt.ui.ui_state import ui_state

    for options, folder in (('{"sentiment": 4}', "/no/such/folder"), ("not json", ""), ('["csv"]', "")):
        state = ui_state(context.data_dir)
        state.setValue(OPTIONS_KEY, options)
        state.setValue(OUTPUT_FOLDER_KEY, folder)
        state.sync()
        wizard = TweetDownloadWizard(context, jobs)
        qtbot.addWidget(wizard)
        wizard.show()
        assert wizard.options_page.options() == DatasetOptions()
        wizard.accounts_page.username_edit.setText("alice_writes")
        for _ in range(3):
            wizard.next()
        assert wizard.output_page.output_path().parent == context.data_dir / "exports"
    assert messages.texts() == []
