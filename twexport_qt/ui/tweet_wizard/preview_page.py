"""The wizard's Preview page, the last look before the download starts: the first examples exactly as the file will
hold them, how many tweets of each account are already stored, and what the download costs. Its Download button
starts the job, after asking when the estimate passes the threshold (never in the Sandbox), as `tweets download`
does, and remembers the choices for the next wizard.

The examples are built from the stored tweets (`DownloadsService.preview`: no request), so a dataset built from
the store shows exactly its first examples ("from N stored tweets, no API use"). A download from X shows the
stored tweets' examples too, and says that tweets posted since may come first; an account with nothing stored
is named, with why nothing of it can be shown. There is no "fetch a sample" button: the download reads an
account's newest tweets first and would read (and pay for) the sample's tweets again.

The estimate looks the accounts up on X (one user read each, which the download's own look-up then repeats for
free the same UTC day). Both are read in task threads when the page is entered (the latest answer wins);
Download waits for the estimate. A download that X bills never starts unpriced: when the estimate fails (no
network, a 429, a revoked sign-in) the page says why, offers to estimate again, and keeps Download disabled until a
price was shown (the profile's budgets are optional, so nothing else would hold it). The Sandbox bills nothing real
and a dataset built from the store makes no request: both may start without one, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QPalette, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QTextEdit, QVBoxLayout, QWidget, QWizard

from twexport_qt.billing.estimates import CostEstimate
from twexport_qt.services.cost_estimates import download_estimate
from twexport_qt.services.downloads import PREVIEW_EXAMPLES, DatasetPreview
from twexport_qt.tweets.download import DownloadRequest
from twexport_qt.tweets.sources import SourceKind
from twexport_qt.ui.cost_confirmation import confirm_cost, estimate_text
from twexport_qt.ui.tweet_wizard.page_support import WARNING_STYLE, WizardPage, message_label
from twexport_qt.workers.tasks import TaskHandle, TaskRunner

if TYPE_CHECKING:
    from twexport_qt.app_context import AppContext

ESTIMATE_TASK = "tweet-download-estimate"
PREVIEW_TASK = "tweet-download-preview"
ESTIMATING = "Estimating what the download costs (looking the accounts up on X)…"
COUNTING_STORED = "Counting the tweets already downloaded (a dataset built from them is free)…"
BUILDING_PREVIEW = "Building the first examples from the stored tweets…"
NO_SAMPLE = ("A sample cannot be read ahead for free: the download reads each account's newest tweets first, so it "
             "would read them, and X would bill them, again.")
ARCHIVE_NOTE = ("The archive is read when the download starts, so its examples cannot be shown before. Its tweets "
                "are then stored: any later dataset of them is previewed here and built for free.")


def as_file_text(examples: tuple[str, ...]) -> str:
    """The examples one after the other as the file holds them, one per line (a CSV row's \r\n shown as a line
    break: the text view would show a stray \r)."""
    return "\n".join(example.replace("\r\n", "\n") for example in examples)


def stored_counts_text(preview: DatasetPreview) -> str:
    """'Stored tweets: @alice 1,234; @bob none.' in the order the accounts were chosen."""
    counts = {**preview.stored.counts, **dict.fromkeys(preview.stored.missing, 0)}
    parts = [f"@{name} {count:,}" if count else f"@{name} none" for name, count in counts.items()]
    return f"Stored tweets: {'; '.join(parts)}."


class PreviewPage(WizardPage):
    def __init__(self, context: AppContext, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tasks = tasks
        self.estimate: CostEstimate | None = None  # what the download described by the pages costs, once read
        self.preview: DatasetPreview | None = None  # the examples shown, once built
        self._estimating = False  # an estimate is being read: Download waits for it
        self._estimate_task: TaskHandle | None = None
        self._preview_task: TaskHandle | None = None
        self._request: DownloadRequest | None = None  # what the page was entered with
        self.setTitle("Preview")
        self.setSubTitle(f"The first {PREVIEW_EXAMPLES} examples exactly as the file will hold them, and what the "
                         "download costs.")
        self.setCommitPage(True)  # the download starts next; resuming it is done from the Progress page
        self.setButtonText(QWizard.WizardButton.CommitButton, "Download")
        self.examples_view = QPlainTextEdit()
        self.examples_view.setReadOnly(True)
        self.examples_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.examples_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.examples_view.setPlaceholderText("No example to show.")
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        self.missing_label = message_label(WARNING_STYLE)
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)
        self.cost_label = QLabel()
        self.cost_label.setWordWrap(True)
        self.retry_estimate_button = QPushButton("Estimate again")
        self.retry_estimate_button.setToolTip("Ask X again for what the download costs; Download waits for it.")
        self.retry_estimate_button.clicked.connect(self._retry_estimate)
        self.retry_estimate_button.hide()  # only once an estimate failed
        layout = QVBoxLayout(self)
        layout.addWidget(self.source_label)
        layout.addWidget(self.examples_view, 1)
        layout.addWidget(self.missing_label)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.cost_label)
        layout.addWidget(self.retry_estimate_button, 0, Qt.AlignmentFlag.AlignLeft)

    def initializePage(self) -> None:
        # The earlier pages may have changed since the last visit: both answers are read again.
        try:
            self._request = self.tweet_wizard().request()
        except ValueError as exc:  # the earlier pages validate; this only guards against a changed file system
            self._request = None
            self.source_label.setText(str(exc))
            self.completeChanged.emit()
            return
        self._read_preview(self._request)
        self._estimate_cost(self._request)

    def examples_text(self) -> str:
        return self.examples_view.toPlainText()

    def isComplete(self) -> bool:
        priced = self.estimate is not None or not self._billed()
        return self._request is not None and not self._estimating and priced

    def validatePage(self) -> bool:
        """Download: above the threshold (outside the Sandbox) only once the user confirms the price."""
        if not self.isComplete():
            return False
        # No estimate only where nothing real is billed (isComplete): the Sandbox, a dataset built from the store.
        confirmed = self.estimate is None or confirm_cost(self, self.estimate, what="Download",
                                                          simulated=self._simulated())
        if confirmed:
            self.tweet_wizard().remember_choices()
        return confirmed

    # -- the examples ----------------------------------------------------------------------------------
    def _read_preview(self, request: DownloadRequest) -> None:
        if self._preview_task is not None:
            self._preview_task.discard()  # the pages changed since: its answer is for another dataset
        self.preview = None
        self.examples_view.clear()
        self.missing_label.setText("")
        self.counts_label.setText("")
        if request.source_kind == SourceKind.ARCHIVE:
            self.source_label.setText(ARCHIVE_NOTE)
            return
        self.source_label.setText(BUILDING_PREVIEW)
        downloads = self.context.downloads
        self._preview_task = self.tasks.run_task(
            "Building the preview of the dataset", partial(downloads.preview, request.sources, request.options),
            self._show_preview, self._preview_failed, key=PREVIEW_TASK, owner=self)

    def _show_preview(self, preview: DatasetPreview) -> None:
        self.preview = preview
        request = self._request
        stored = preview.stored
        self.examples_view.setPlainText(as_file_text(preview.examples))
        self._shade_every_other_example(preview.examples)
        self.counts_label.setText(stored_counts_text(preview))
        rebuild = request is not None and request.source_kind == SourceKind.STORED
        total = f"{stored.total:,} stored tweet{'' if stored.total == 1 else 's'}"
        if not stored.total:
            names = ", ".join("@" + name for name in stored.missing)
            self.source_label.setText(f"No tweet of {names} is stored yet, so there is no example to show before "
                                      f"the download: it reads the tweets from X. {NO_SAMPLE}")
        elif not preview.examples:
            self.source_label.setText(f"None of the {total} of these accounts passes these options: the dataset "
                                      "would be empty. Go back and loosen the filters.")
        elif rebuild:
            self.source_label.setText(f"Built from {total}, no API use: the file starts with exactly these "
                                      "examples.")
        else:
            self.source_label.setText(f"Built from the {total} already downloaded, exactly as the file will hold "
                                      "them; the download reads X again, so tweets posted since come first.")
        if stored.total and stored.missing:
            names = ", ".join("@" + name for name in stored.missing)
            self.missing_label.setText(
                f"Nothing is stored of {names} yet, so none of their examples is shown"
                + (": a dataset built from the store skips them." if rebuild
                   else f": the download reads them from X. {NO_SAMPLE}"))

    def _shade_every_other_example(self, examples: tuple[str, ...]) -> None:
        """Every other example on a shaded background: a wrapped JSON line would otherwise read as two examples.
        The text stays exactly the file's (the shading is an extra selection, not characters)."""
        shade = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        shade.setAlpha(40)  # a tint of the theme's selection colour: visible on light and dark bases alike
        selections = []
        document = self.examples_view.document()
        block_number = 0
        for index, example in enumerate(examples):
            blocks = example.replace("\r\n", "\n").count("\n") + 1  # a CSV row can span lines
            if index % 2:
                for number in range(block_number, block_number + blocks):
                    selection = QTextEdit.ExtraSelection()
                    selection.format.setBackground(shade)
                    selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                    cursor = QTextCursor(document.findBlockByNumber(number))
                    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                    selection.cursor = cursor  # the whole block: each of its wrapped lines is shaded
                    selections.append(selection)
            block_number += blocks
        self.examples_view.setExtraSelections(selections)

    def _preview_failed(self, sentence: str) -> None:
        self.source_label.setText(f"The preview could not be built: {sentence}")

    # -- the price -------------------------------------------------------------------------------------
    def _simulated(self) -> bool:
        """Whether to mark the price as the Sandbox's: not for a rebuild, which bills nothing anywhere."""
        rebuild = self._request is not None and self._request.source_kind == SourceKind.STORED
        return self.context.is_sandbox and not rebuild

    def _billed(self) -> bool:
        """Whether X bills the download for real, so it may start only once its price was shown."""
        rebuild = self._request is not None and self._request.source_kind == SourceKind.STORED
        return not self.context.is_sandbox and not rebuild

    def _estimate_cost(self, request: DownloadRequest) -> None:
        if self._estimate_task is not None:
            self._estimate_task.discard()  # the pages changed since: its answer is for another download
        self.estimate = None
        self.retry_estimate_button.hide()
        estimate: Callable[[], CostEstimate]
        if request.source_kind == SourceKind.STORED:  # nothing to look up on X: only the stored tweets to count
            self.cost_label.setText(COUNTING_STORED)
            estimate = partial(self.context.downloads.rebuild_estimate, request.sources)
        else:
            self.cost_label.setText(ESTIMATING)
            estimate = partial(download_estimate, self.context, request)
        self._estimating = True  # before run_task: a runner may answer before it returns
        self._estimate_task = self.tasks.run_task("Estimating what the download costs", estimate,
                                                  self._show_estimate, self._estimate_failed, key=ESTIMATE_TASK,
                                                  owner=self)
        self.completeChanged.emit()

    def _show_estimate(self, estimate: CostEstimate) -> None:
        self._estimating = False
        self.estimate = estimate
        self.cost_label.setText(estimate_text(estimate, simulated=self._simulated()))
        self.completeChanged.emit()

    def _estimate_failed(self, sentence: str) -> None:
        self._estimating = False
        if self._billed():
            self.cost_label.setText(f"The cost could not be estimated: {sentence} Download waits until the price "
                                    "is known: estimate again once X answers.")
            self.retry_estimate_button.show()
        else:
            self.cost_label.setText(f"The cost could not be estimated: {sentence} Nothing real is billed.")
        self.completeChanged.emit()

    def _retry_estimate(self) -> None:
        if self._request is not None:
            self._estimate_cost(self._request)
