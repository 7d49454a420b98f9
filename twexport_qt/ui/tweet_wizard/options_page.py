"""The wizard's Options page: what goes into the dataset (limit, replies, links, quotes, tags, timeframe) and
how each example is laid out (sentiment labels, text format), with an example of the chosen layout. It opens
with the options of the last download started (`set_options`, from `remembered_choices.py`)."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QSpinBox, QWidget

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


class OptionsPage(WizardPage):
    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Options")
        self.setSubTitle("What goes into the dataset, and how each example is laid out.")
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 1_000_000_000)
        self.limit_spin.setSpecialValueText("All reachable tweets")
        self.limit_spin.setSuffix(" tweets per account")
        self.limit_spin.setGroupSeparatorShown(True)
        self.replies_box = QCheckBox("Include replies")
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
        self.start_edit = OptionalDateTimeEdit("From", local_time=True)
        self.start_edit.edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(FIRST_TWEET.timestamp()), QTimeZone.utc()))
        self.end_edit = OptionalDateTimeEdit("Until", local_time=True)
        self.end_edit.edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(clock.now()), QTimeZone.utc()))
        timeframe_hint = QLabel("Without a start, every tweet from the first ones (21 March 2006) on; "
                                "without an end, up to now.")
        timeframe_hint.setWordWrap(True)
        self.error_label = message_label()

        form = QFormLayout(self)
        form.addRow("Limit", self.limit_spin)
        for box in (self.replies_box, self.links_box, self.quotes_box, self.usertags_box, self.hashtags_box):
            form.addRow("", box)
        form.addRow("Sentiment labels", self.sentiment_combo)
        form.addRow("Text format", self.format_combo)
        form.addRow("Example", self.example_label)
        form.addRow("Timeframe", self.start_edit)
        form.addRow("", self.end_edit)
        form.addRow("", timeframe_hint)
        form.addRow(self.error_label)

        self.sentiment_combo.currentIndexChanged.connect(self._on_change)
        self.format_combo.currentIndexChanged.connect(self._on_change)
        self.start_edit.changed.connect(self._on_change)
        self.end_edit.changed.connect(self._on_change)
        self._on_change()

    def options(self) -> DatasetOptions:
        """The chosen options (output format csv until the Output page says otherwise). Raises ValueError."""
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
        )

    def set_options(self, options: DatasetOptions) -> None:
        """Show `options` (the last download's). The file format is the Output page's to show."""
        self.limit_spin.setValue(options.limit or 0)
        self.replies_box.setChecked(options.include_replies)
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
        self._on_change()

    def isComplete(self) -> bool:
        return not self._problem()

    def _problem(self) -> str:
        try:
            self.options()
        except ValueError as exc:
            return str(exc)
        return ""

    def _on_change(self, *_args: object) -> None:
        label = "POSITIVE" if self.sentiment_combo.currentData() else None
        self.example_label.setText(format_example(_EXAMPLE_TWEET, label=label, reply_context=_EXAMPLE_CONTEXT,
                                                  text_format=self.format_combo.currentData()))
        self.error_label.setText(self._problem())
        self.completeChanged.emit()
