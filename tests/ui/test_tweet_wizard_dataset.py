"""The tweet-download wizard's dataset choices (formats, quality, splits, chat fields) and its Preview page, driven
against the in-process sandbox (Sandbox profile). The page-by-page basics are in test_tweet_wizard.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from tests.ui.wizard_support import fill_and_start, wait_for_end
from twexport_qt.services.jobs import JobOutcome
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.ui.tweet_wizard.wizard import TweetDownloadWizard


@pytest.fixture
def wizard(qtbot, context, jobs):
    wizard = TweetDownloadWizard(context, jobs)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def new_wizard(qtbot, context, jobs) -> TweetDownloadWizard:
    wizard = TweetDownloadWizard(context, jobs)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def to_output_page(wizard: TweetDownloadWizard, username: str = "alice_writes", *, source: str | None = None) -> None:
    wizard.accounts_page.username_edit.setText(username)
    wizard.next()
    if source is not None:
        wizard.source_page.radios[source].setChecked(True)
    wizard.next()
    wizard.next()
    assert wizard.currentPage() is wizard.output_page


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def download_first(qtbot, context, jobs, tmp_path: Path, limit: int = 30) -> None:
    """Store alice's newest tweets with an ordinary download: what the free datasets are built from."""
    first = new_wizard(qtbot, context, jobs)
    fill_and_start(first, tmp_path / "first.csv", limit=limit)
    wait_for_end(qtbot, first)
    assert first.progress_page.outcome is JobOutcome.SUCCEEDED


def file_entries(path: Path, output_format: str) -> str:
    """The file's text as written (line ends untranslated) after what precedes the examples (the CSV header)."""
    text = path.read_bytes().decode("utf-8")
    return text.removeprefix("tweets\r\n") if output_format == "csv" else text


# -- the Preview page shows exactly what the file then holds --------------------------------------------------
@pytest.mark.parametrize(("output_format", "system_prompt", "dedupe"), [
    ("chat-jsonl", "You write like Alice.", True),
    ("text-jsonl", "", True),
    ("csv", "", True),  # de-duplicated: built from the store at the end
    ("csv", "", False),  # streamed page by page, as before
])
def test_the_preview_shows_exactly_the_first_examples_the_file_then_holds(qtbot, context, jobs, tmp_path,
                                                                         output_format, system_prompt, dedupe):
    download_first(qtbot, context, jobs, tmp_path)
    billed: list = []
    context.spend_listener = billed.extend
    wizard = new_wizard(qtbot, context, jobs)
    to_output_page(wizard, source="stored")
    wizard.back()
    options = wizard.options_page
    options.replies_box.setChecked(True)
    choose(options.sentiment_combo, 3)
    options.dedupe_box.setChecked(dedupe)
    options.scrub_contacts_box.setChecked(True)
    wizard.next()
    output = wizard.output_page
    choose(output.format_combo, output_format)
    output.system_prompt_edit.setText(system_prompt)
    path = tmp_path / f"rebuilt.{'csv' if output_format == 'csv' else 'jsonl'}"
    output.path_edit.setText(str(path))
    wizard.next()
    page = wizard.preview_page
    assert wizard.currentPage() is page
    examples = page.preview.examples
    assert len(examples) == 5
    stored = context.downloads.stored_tweets(["alice_writes"]).total  # the whole pages the first download read
    assert f"from {stored:,} stored tweets, no API use" in page.source_label.text()
    assert page.counts_label.text() == f"Stored tweets: @alice_writes {stored:,}."
    assert page.cost_label.text().startswith("Estimated cost: free")

    wizard.next()  # Download
    wait_for_end(qtbot, wizard)
    assert wizard.progress_page.outcome is JobOutcome.SUCCEEDED
    written = file_entries(path, output_format)
    line_end = "\r\n" if output_format == "csv" else "\n"
    assert written.startswith("".join(example + line_end for example in examples))
    assert written.replace("\r\n", "\n").startswith(page.examples_text() + "\n")  # what the page showed
    assert billed == []  # built from the store: nothing requested, not even the preview
    wizard.next()
    assert ("Dataset card:" in wizard.summary_page.build_label.text()) is wizard.request().options.needs_build()
    if output_format == "chat-jsonl":
        first = json.loads(examples[0])
        assert first["messages"][0] == {"role": "system", "content": "You write like Alice."}


def test_an_account_with_nothing_stored_is_said_plainly_with_the_price_of_the_download(wizard, tmp_path):
    to_output_page(wizard, "bob_builds")
    wizard.output_page.path_edit.setText(str(tmp_path / "bob.csv"))
    wizard.next()
    page = wizard.preview_page
    assert page.examples_text() == "" and page.preview.examples == ()
    assert "No tweet of @bob_builds is stored yet" in page.source_label.text()
    assert "would read them, and X would bill them, again" in page.source_label.text()
    assert page.counts_label.text() == "Stored tweets: @bob_builds none."
    assert page.cost_label.text().startswith("Estimated cost: ≈ ")
    assert "simulated" in page.cost_label.text()
    assert page.isComplete() and wizard.button(QWizard.WizardButton.CommitButton).text() == "Download"


def test_a_download_from_x_previews_the_stored_tweets_and_names_the_accounts_without_any(qtbot, context, jobs,
                                                                                        tmp_path):
    download_first(qtbot, context, jobs, tmp_path)
    names = tmp_path / "names.txt"
    names.write_text("alice_writes\nbob_builds\n", encoding="utf-8")
    wizard = new_wizard(qtbot, context, jobs)
    wizard.accounts_page.list_radio.setChecked(True)
    wizard.accounts_page.list_path_edit.setText(str(names))
    for _ in range(3):
        wizard.next()
    wizard.output_page.path_edit.setText(str(tmp_path / "both.csv"))
    wizard.next()
    page = wizard.preview_page
    assert len(page.preview.examples) == 5
    stored = context.downloads.stored_tweets(["alice_writes"]).total
    assert f"Built from the {stored:,} stored tweets already downloaded" in page.source_label.text()
    assert "Nothing is stored of @bob_builds yet" in page.missing_label.text()
    assert page.counts_label.text() == f"Stored tweets: @alice_writes {stored:,}; @bob_builds none."


# -- the new options: shown where they apply, checked by DatasetOptions, remembered ------------------------------
def test_chat_fields_show_for_chat_jsonl_and_the_label_style_when_there_are_labels(wizard):
    to_output_page(wizard)
    output = wizard.output_page
    assert not output.chat_group.isVisibleTo(output)
    assert not output.sentiment_style_combo.isVisibleTo(output)
    choose(output.format_combo, "chat-jsonl")
    assert output.chat_group.isVisibleTo(output)
    assert "Hugging Face, Axolotl, Unsloth, hosted services" in output.format_sentence.text()
    assert not output.sentiment_style_combo.isVisibleTo(output)  # no labels chosen
    assert output.output_path().name == "alice_writes_tweets.jsonl"
    wizard.back()
    choose(wizard.options_page.sentiment_combo, 5)
    wizard.next()
    assert output.sentiment_style_combo.isVisibleTo(output)
    choose(output.format_combo, "csv")  # csv keeps its own label layout
    assert not output.sentiment_style_combo.isVisibleTo(output) and not output.chat_group.isVisibleTo(output)
    assert "gpt-2-simple" in output.format_sentence.text()


def test_an_invalid_split_shows_the_options_sentence_and_blocks_next(wizard):
    to_output_page(wizard)
    output = wizard.output_page
    output.split_group.setChecked(True)
    output.split_spins["test"].setValue(20)  # 80 + 10 + 20
    assert not output.isComplete()
    assert "must be 0 or more and add up to 1" in output.error_label.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()
    assert wizard.currentPage() is output
    output.split_spins["test"].setValue(10)
    assert output.isComplete() and output.error_label.text() == ""
    assert "alice_writes_tweets.train.csv" in output.split_hint.text()


def test_an_invalid_language_shows_the_options_sentence_and_blocks_next(wizard):
    wizard.accounts_page.username_edit.setText("alice_writes")
    wizard.next()
    wizard.next()
    options = wizard.options_page
    options.languages_edit.setText("en, english!")
    assert not options.isComplete() and "is not a language code" in options.error_label.text()
    wizard.next()
    assert wizard.currentPage() is options
    options.languages_edit.setText("EN de")
    assert options.isComplete() and options.options().languages == ("en", "de")


def test_the_new_options_reach_the_request_and_the_next_wizard_offers_them_again(qtbot, context, jobs, tmp_path):
    wizard = new_wizard(qtbot, context, jobs)
    to_output_page(wizard)
    wizard.back()
    options = wizard.options_page
    choose(options.sentiment_combo, 3)
    options.dedupe_box.setChecked(True)
    options.threshold_spin.setValue(0.9)
    options.min_length_spin.setValue(12)
    options.languages_edit.setText("en")
    options.scrub_contacts_box.setChecked(True)
    options.scrub_mentions_box.setChecked(True)
    options.scrub_links_box.setChecked(True)
    wizard.next()
    output = wizard.output_page
    choose(output.format_combo, "chat-jsonl")
    choose(output.sentiment_style_combo, "token")
    output.system_prompt_edit.setText("You are Alice.")
    output.thread_depth_spin.setValue(3)
    output.split_group.setChecked(True)
    for name, percent in (("train", 70), ("validation", 20), ("test", 10)):
        output.split_spins[name].setValue(percent)
    output.seed_spin.setValue(42)
    folder = tmp_path / "datasets"
    folder.mkdir()
    output.path_edit.setText(str(folder / "alice.jsonl"))
    chosen = wizard.request().options
    assert chosen == DatasetOptions(
        include_replies=True,  # turned on by choosing chat JSONL
        sentiment=3, sentiment_style="token", dedupe=True, near_duplicate_threshold=0.9, min_length=12,
        languages=("en",), scrub_contacts=True, scrub_mentions=True, scrub_links=True, output_format="chat-jsonl",
        system_prompt="You are Alice.", thread_depth=3, split=(0.7, 0.2, 0.1), seed=42)
    wizard.next()
    wizard.next()  # Download: the choices are remembered as it starts
    wait_for_end(qtbot, wizard)
    assert wizard.progress_page.outcome is JobOutcome.SUCCEEDED
    assert "examples in 3 files" in wizard.progress_page.outcome_label.text()
    wizard.next()
    summary = wizard.summary_page
    assert "alice.train.jsonl, alice.validation.jsonl, alice.test.jsonl" in summary.path_label.text()
    assert "no API use" in summary.build_label.text() and "tokens" in summary.build_label.text()

    again = new_wizard(qtbot, context, jobs)
    to_output_page(again, "bob_builds")
    assert again.output_page.output_path() == folder / "bob_builds_tweets.jsonl"
    assert again.request().options == chosen
    assert again.output_page.chat_group.isVisibleTo(again.output_page)


def test_fields_a_format_does_not_use_keep_their_defaults(wizard):
    to_output_page(wizard)
    output = wizard.output_page
    choose(output.format_combo, "chat-jsonl")
    output.system_prompt_edit.setText("You are Alice.")
    output.thread_depth_spin.setValue(4)
    choose(output.format_combo, "csv")  # the chat fields are hidden: they must not change the csv's options
    assert wizard.request().options == DatasetOptions()


def test_choosing_chat_jsonl_turns_replies_on_and_the_user_can_turn_them_off(wizard):
    to_output_page(wizard)
    output, options = wizard.output_page, wizard.options_page
    assert not options.replies_box.isChecked()  # the original tool's default, kept for the other formats
    choose(output.format_combo, "chat-jsonl")
    assert options.replies_box.isChecked() and wizard.request().options.include_replies
    assert "Replies were turned on for chat" in output.replies_note.text()
    choose(output.format_combo, "csv")  # leaving chat undoes what choosing it did
    assert not options.replies_box.isChecked() and wizard.request().options == DatasetOptions()

    choose(output.format_combo, "chat-jsonl")
    wizard.back()
    options.replies_box.click()  # the user turns them off: theirs to decide
    wizard.next()
    assert not options.replies_box.isChecked() and not wizard.request().options.include_replies
    assert output.replies_note.text() == ("Replies are off (Options page): every example will be an original "
                                          "post under the prompt “Write a post.”")
    choose(output.format_combo, "text-jsonl")
    assert not options.replies_box.isChecked()


def test_a_remembered_chat_dataset_keeps_its_replies_choice(wizard):
    wizard.options_page.set_options(DatasetOptions(output_format="chat-jsonl"))
    wizard.output_page.set_remembered(DatasetOptions(output_format="chat-jsonl"), None)
    to_output_page(wizard)
    assert wizard.output_page.output_format() == "chat-jsonl"
    assert not wizard.options_page.replies_box.isChecked()  # the last download's choice, not the default's
    assert wizard.output_page.replies_note.text().startswith("Replies are off (Options page)")


def test_going_back_and_changing_the_format_builds_the_preview_again(qtbot, context, jobs, tmp_path):
    download_first(qtbot, context, jobs, tmp_path)
    wizard = new_wizard(qtbot, context, jobs)
    to_output_page(wizard, source="stored")
    wizard.output_page.path_edit.setText(str(tmp_path / "again.csv"))
    wizard.next()
    page = wizard.preview_page
    assert not page.examples_text().startswith("{")
    wizard.back()
    choose(wizard.output_page.format_combo, "text-jsonl")
    wizard.next()
    assert [json.loads(line).keys() for line in page.examples_text().splitlines()] == [{"text"}] * 5


def test_an_archive_is_not_previewed_and_the_page_says_why(wizard, tmp_path):
    archive = tmp_path / "archive"
    (archive / "data").mkdir(parents=True)
    (archive / "data" / "tweets.js").write_text(
        'window.YTD.tweets.part0 = [{"tweet": {"id_str": "5", "id": "5", "full_text": "a fine tweet", '
        '"created_at": "Wed Oct 10 20:19:24 +0000 2018"}}]', encoding="utf-8")
    wizard.accounts_page.archive_radio.setChecked(True)
    wizard.accounts_page.archive_path_edit.setText(str(archive))
    for _ in range(3):
        wizard.next()
    wizard.output_page.path_edit.setText(str(tmp_path / "mine.csv"))
    wizard.next()
    page = wizard.preview_page
    assert "The archive is read when the download starts" in page.source_label.text()
    assert page.examples_text() == "" and page.counts_label.text() == ""
    assert page.cost_label.text().startswith("Estimated cost:") and page.isComplete()
