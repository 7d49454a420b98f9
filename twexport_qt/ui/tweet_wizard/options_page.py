"""The wizard's Options page: what goes into the dataset (limit, replies, links, quotes, tags, timeframe), how each
example is laid out (sentiment labels, text format), with an example of the chosen layout, and its quality
filters (duplicates and near-duplicates, minimum length, languages, scrubbing of personal data).

It opens with the options of the last download started (`set_options`, from `remembered_choices.py`). The file
format and what depends on it (where the sentiment label goes, system prompt, thread depth, splits) are the
Output page's. What the options
allow is `DatasetOptions`' rule: its sentence is shown under the fields, and Next waits until there is none.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.core.clock import Clock
from twexport_qt.tweets.dataset_format import ReplyContext, format_example
from twexport_qt.tweets.options import SENTIMENT_CATEGORIES, DatasetOptions
from twexport_qt.ui.tweet_wizard.page_support import WizardPage, message_label
from twexport_qt.ui.widgets import OptionalDateTimeEdit

# The seed's label sets, shown so users know what they are choosing.
SENTIMENT_CHOICES: dict[int, str] = {
    0: "No labels",
    3: "3: POSITIVE, NEUTRAL, NEGATIVE",
    5: "5: VERY POSITIVE, POSITIVE, NEUTRAL, NEGATIVE, VERY NEGATIVE",
    7: "7: EXTREMELY POSITIVE … NEUTRAL … EXTREMELY NEGATIVE",
}
FIRST_TWEET = datetime(2006, 3, 21, tzinfo=UTC)  # the seed's default start: every tweet ever
_EXAMPLE_TWEET = "Shipping the new release today, thanks for all the feedback!"
_EXAMPLE_CONTEXT = ReplyContext(root_text="What are you all working on this week?",
                                in_reply_to_text="Any news on the release?")
_LANGUAGE_SEPARATORS = re.compile(r"[\s,;]+")


def parse_languages(text: str) -> tuple[str, ...]:
    """'en, de' → ('en', 'de'): X's `lang` codes as typed (commas, semicolons or spaces between them); empty: all.
    Whether each is a code is `DatasetOptions`' rule, which says so in a sentence."""
    return tuple(code.lower() for code in _LANGUAGE_SEPARATORS.split(text.strip()) if code)


class OptionsPage(WizardPage):
    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Options")
        self.setSubTitle("What goes into the dataset, how each example is laid out, and what is cleaned out.")
        defaults = DatasetOptions()
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 1_000_000_000)
        self.limit_spin.setSpecialValueText("All reachable tweets")
        self.limit_spin.setSuffix(" tweets per account")
        self.limit_spin.setGroupSeparatorShown(True)
        self.replies_box = QCheckBox("Include replies")
        # "Include replies" was turned on for chat JSONL (`follow_chat_format`), not by the user.
        self._replies_for_chat = False
        self.replies_box.clicked.connect(self._on_replies_clicked)
        self.links_box = QCheckBox("Include tweets with links (the links are removed from the text)")
        self.links_box.setChecked(True)
        self.quotes_box = QCheckBox("Include quote tweets")
        self.usertags_box = QCheckBox("Strip @usertags")
        self.hashtags_box = QCheckBox("Strip #hashtags")
        self.sentiment_combo = QComboBox()
        for categories in SENTIMENT_CATEGORIES:
            self.sentiment_combo.addItem(SENTIMENT_CHOICES[categories], categories)
        self.format_combo = QComboBox()
        self.format_combo.addItem("Simple: the tweet text", "simple")
        self.format_combo.addItem("Reply: the thread it answers, to train replies", "reply")
        self.example_label = QLabel()
        self.example_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.example_label.setStyleSheet("QLabel { background: palette(base); padding: 4px; }")
        self.example_label.setWordWrap(True)
        self.start_edit = OptionalDateTimeEdit("From", local_time=True)
        self.start_edit.edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(FIRST_TWEET.timestamp()), QTimeZone.utc()))
        self.end_edit = OptionalDateTimeEdit("Until", local_time=True)
        self.end_edit.edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(clock.now()), QTimeZone.utc()))
        timeframe_hint = QLabel("Without a start, every tweet from the first ones (21 March 2006) on; "
                                "without an end, up to now.")
        timeframe_hint.setWordWrap(True)

        # Quality: each filter counts what it removed (the dataset card and the summary say so).
        self.dedupe_box = QCheckBox("Remove duplicates and near-duplicates")
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.5, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setDecimals(2)
        self.threshold_spin.setToolTip("How alike two tweets' word sequences must be (Jaccard similarity of "
                                       "word shingles, estimated with MinHash) to keep only the first. 1.00: "
                                       "only exact duplicates.")
        self.min_length_spin = QSpinBox()
        self.min_length_spin.setRange(0, 280)
        self.min_length_spin.setSpecialValueText("No minimum")
        self.min_length_spin.setSuffix(" characters")
        self.languages_edit = QLineEdit(placeholderText="All languages, or X's codes: en, de, fr")
        self.scrub_contacts_box = QCheckBox("Replace e-mail addresses and phone numbers with [EMAIL] and [PHONE]")
        self.scrub_mentions_box = QCheckBox("Replace @mentions with @USER")
        self.scrub_links_box = QCheckBox("Keep links as [LINK] instead of removing them")
        self.error_label = message_label()

        form = QFormLayout()
        form.addRow("Limit", self.limit_spin)
        for box in (self.replies_box, self.links_box, self.quotes_box, self.usertags_box, self.hashtags_box):
            form.addRow("", box)
        form.addRow("Sentiment labels", self.sentiment_combo)
        form.addRow("Text format", self.format_combo)
        form.addRow("Example", self.example_label)
        form.addRow("Timeframe", self.start_edit)
        form.addRow("", self.end_edit)
        form.addRow("", timeframe_hint)

        quality = QGroupBox("Quality")
        quality_form = QFormLayout(quality)
        quality_form.addRow(self.dedupe_box)
        quality_form.addRow("Near-duplicate at", self.threshold_spin)
        quality_form.addRow("Minimum length", self.min_length_spin)
        quality_form.addRow("Languages", self.languages_edit)
        quality_form.addRow(self.scrub_contacts_box)
        quality_form.addRow(self.scrub_mentions_box)
        quality_form.addRow(self.scrub_links_box)
        quality_hint = QLabel("Near-duplicates are tweets whose words are at least this alike (1.00: exact "
                              "duplicates only); the first is kept. Languages are those X detected.")
        quality_hint.setWordWrap(True)
        quality_form.addRow(quality_hint)

        columns = QHBoxLayout()
        columns.addLayout(form, 3)
        quality_column = QVBoxLayout()
        quality_column.addWidget(quality)
        quality_column.addStretch(1)
        columns.addLayout(quality_column, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self.set_options(defaults)
        for combo in (self.sentiment_combo, self.format_combo):
            combo.currentIndexChanged.connect(self._on_change)
        self.start_edit.changed.connect(self._on_change)
        self.end_edit.changed.connect(self._on_change)
        self.dedupe_box.toggled.connect(self._on_change)
        self.threshold_spin.valueChanged.connect(self._on_change)
        self.min_length_spin.valueChanged.connect(self._on_change)
        self.languages_edit.textChanged.connect(self._on_change)

    def options(self) -> DatasetOptions:
        """The chosen options; the file format and what depends on it are the Output page's
        (`OutputPage.apply_to`). Raises ValueError with `DatasetOptions`' sentence."""
        return DatasetOptions(
            limit=self.limit_spin.value() or None,
            include_replies=self.replies_box.isChecked(),
            include_links=self.links_box.isChecked(),
            include_quotes=self.quotes_box.isChecked(),
            strip_usertags=self.usertags_box.isChecked(),
            strip_hashtags=self.hashtags_box.isChecked(),
            sentiment=int(self.sentiment_combo.currentData()),
            text_format=self.format_combo.currentData(),
            start=self.start_edit.value(),
            end=self.end_edit.value(),
            dedupe=self.dedupe_box.isChecked(),
            near_duplicate_threshold=round(self.threshold_spin.value(), 2),
            min_length=self.min_length_spin.value(),
            languages=parse_languages(self.languages_edit.text()),
            scrub_contacts=self.scrub_contacts_box.isChecked(),
            scrub_mentions=self.scrub_mentions_box.isChecked(),
            scrub_links=self.scrub_links_box.isChecked(),
        )

    def set_options(self, options: DatasetOptions) -> None:
        """Show `options` (the last download's). The file format and its fields are the Output page's to show."""
        self.limit_spin.setValue(options.limit or 0)
        self.replies_box.setChecked(options.include_replies)
        self._replies_for_chat = False
        self.links_box.setChecked(options.include_links)
        self.quotes_box.setChecked(options.include_quotes)
        self.usertags_box.setChecked(options.strip_usertags)
        self.hashtags_box.setChecked(options.strip_hashtags)
        self.sentiment_combo.setCurrentIndex(max(0, self.sentiment_combo.findData(options.sentiment)))
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(options.text_format)))
        # An unset end keeps "now" in its (unticked) editor, an unset start the first tweet: ready if ticked.
        for edit, moment in ((self.start_edit, options.start), (self.end_edit, options.end)):
            if moment is None:
                edit.enabled_box.setChecked(False)
            else:
                edit.set_value(moment)
        self.dedupe_box.setChecked(options.dedupe)
        self.threshold_spin.setValue(options.near_duplicate_threshold)
        self.min_length_spin.setValue(options.min_length)
        self.languages_edit.setText(", ".join(options.languages))
        self.scrub_contacts_box.setChecked(options.scrub_contacts)
        self.scrub_mentions_box.setChecked(options.scrub_mentions)
        self.scrub_links_box.setChecked(options.scrub_links)
        self._on_change()

    def follow_chat_format(self, chat: bool) -> None:
        """Chat JSONL was chosen (`chat`) or left on the Output page. A chat dataset wants replies (without them
        every example is an original post under a placeholder prompt), so choosing it turns "Include replies" on;
        leaving it turns the box back off, unless the user has clicked it since: the box stays theirs."""
        if chat and not self.replies_box.isChecked():
            self.replies_box.setChecked(True)
            self._replies_for_chat = True
        elif not chat and self._replies_for_chat:
            self.replies_box.setChecked(False)
            self._replies_for_chat = False

    def replies_on_for_chat(self) -> bool:
        """Whether "Include replies" is on because chat JSONL was chosen (the user has not touched it since)."""
        return self._replies_for_chat

    def isComplete(self) -> bool:
        return not self._problem()

    def _problem(self) -> str:
        try:
            self.options()
        except ValueError as exc:
            return str(exc)
        return ""

    def _on_replies_clicked(self) -> None:
        self._replies_for_chat = False  # the user's own choice now: a format change leaves it alone

    def _on_change(self, *_args: object) -> None:
        self.threshold_spin.setEnabled(self.dedupe_box.isChecked())
        label = "POSITIVE" if self.sentiment_combo.currentData() else None
        example = format_example(_EXAMPLE_TWEET, label=label, reply_context=_EXAMPLE_CONTEXT,
                                 text_format=self.format_combo.currentData())
        self.example_label.setText(example)
        self.error_label.setText(self._problem())
        self.completeChanged.emit()

