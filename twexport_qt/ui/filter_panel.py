"""The follower filter form: every seed filter plus the extra ones, producing a FollowerFilter.

Edits are debounced (150 ms) so typing a number or a word does not re-query a million rows per keystroke.
An impossible combination (a minimum above its maximum, a date window that ends before it starts) is not
applied: its fields are marked and the sentence saying why stands under them, and `staleChanged(True)` tells the
view that what it shows still follows the last valid filter, until the form is valid again.

The relationship choice (mutuals, or those who follow you whom you don't follow) needs a complete fetch of who
you follow: the view tells the form what the last one found (`show_following_counts`). Until one exists the field
is disabled, its tooltip says why, and a choice set in the form (a remembered filter) is kept but not applied:
without that fetch the filter could match nobody. It applies as soon as the view says a fetch completed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.followers.filters import FollowerFilter, InvalidFilter
from twexport_qt.followers.relationships import Relationship
from twexport_qt.followers.tiers import TierSpec
from twexport_qt.services.following import RelationshipCounts
from twexport_qt.settings.validation import FILTER_FIELD_LABELS
from twexport_qt.ui.palette import TextTone, tone_colour, tone_style
from twexport_qt.ui.widgets import OptionalDateTimeEdit, OptionalIntSpin, days_spin

DM_STATUS_CHOICES = (("any", "Any DM status"), ("not_messaged", "Not messaged yet"), ("messaged", "Messaged"),
                     ("skipped", "Skipped (can't receive DMs)"))
DEBOUNCE_MS = 150
FOLLOWING_TIP = "Accounts the follower follows (the original tool called them friends)."
POSTS_TIP = "Posts the follower has made, as X counts them (retweets and replies included)."
LISTS_TIP = "Public lists the follower is a member of: a hint of how others rate them."
RELATIONSHIP_LABELS = (("any", "Any"), ("mutuals", "Mutuals only"), ("fans", "They follow, you don't"))
RELATIONSHIP_TIP = ("Mutuals: followers you follow back. They follow, you don't: followers you don't follow. "
                    "From your last complete fetch of who you follow (Following tab).")
NO_FOLLOWING_FETCH = ("Fetch who you follow first (Following tab → Fetch who you follow): mutuals need a complete "
                      "list of the accounts you follow.")
INACTIVE_TIP = ("Followers with no post in the last N days, counting back from now; those who never posted are "
                "included. Followers whose last post X did not date are left out.")
POSTED_WITHIN_TIP = "Followers whose newest post is at most N days old."


@dataclass(frozen=True, eq=False)
class _FieldGroup:
    """Fields that can only be wrong together (a minimum and its maximum): what is marked, the label under them
    that says why, and the fields alone as a filter, which raises InvalidFilter when they contradict each other
    (so the rule stays in one place, `FollowerFilter`)."""

    fields: tuple[QWidget, ...]
    problem_label: QLabel
    as_filter: Callable[[], FollowerFilter]


class FilterPanel(QWidget):
    filterChanged = Signal(object)   # FollowerFilter, emitted only for valid filters
    filterInvalid = Signal(str)  # why the form is no filter, in words
    # True while the form is invalid: the results on screen follow the last valid filter, not the form. False
    # again once a valid filter is applied. Emitted on changes only.
    staleChanged = Signal(bool)
    # Once per panel, when the user first heads for the bio-words field (focus or an edit): the view can load the
    # word matching's library off the GUI thread before the filter needs it (followers.filters.prepare_word_matching).
    wordsFieldEntered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit)
        self._tier_boxes: dict[str, QCheckBox] = {}
        self._stale = False

        labels = FILTER_FIELD_LABELS  # the Settings dialog's words for the same fields
        self.joined_after = OptionalDateTimeEdit(labels["created_after"], local_time=True)
        self.joined_before = OptionalDateTimeEdit(labels["created_before"], local_time=True)
        self.min_followers, self.max_followers = OptionalIntSpin(), OptionalIntSpin()
        self.min_following, self.max_following = OptionalIntSpin(), OptionalIntSpin()
        for spin in (self.min_following, self.max_following):
            spin.setToolTip(FOLLOWING_TIP)
        self.min_tweets, self.max_tweets = OptionalIntSpin(), OptionalIntSpin()
        self.min_listed, self.max_listed = OptionalIntSpin(), OptionalIntSpin()
        for spin, tip in ((self.min_tweets, POSTS_TIP), (self.max_tweets, POSTS_TIP), (self.min_listed, LISTS_TIP),
                          (self.max_listed, LISTS_TIP)):
            spin.setToolTip(tip)
        self.inactive_days, self.posted_within_days = days_spin(INACTIVE_TIP), days_spin(POSTED_WITHIN_TIP)
        self.verified_only = QCheckBox(labels["verified_only"])
        self.words = QLineEdit(placeholderText="e.g. founder, newsletter")
        self.words_mode = QComboBox()
        self.words_mode.addItem("any word", "any")
        self.words_mode.addItem("all words", "all")
        self.location = QLineEdit(placeholderText="e.g. Berlin")
        self.exclude_protected = QCheckBox("Hide protected accounts")
        self.dm_able_only = QCheckBox("Only followers who accept DMs")
        self.dm_status = QComboBox()
        for value, label in DM_STATUS_CHOICES:
            self.dm_status.addItem(label, value)
        self.include_unfollowed = QCheckBox("Include followers who left")
        self.relationship = QComboBox()
        for value, label in RELATIONSHIP_LABELS:
            self.relationship.addItem(label, value)
        self.relationship.setEnabled(False)  # until the view says a following fetch completed
        self.relationship.setToolTip(NO_FOLLOWING_FETCH)
        self._relationship_wanted: Relationship = "any"  # what the user chose, kept while it cannot apply
        self._relationship_available = False
        self.tiers_box = QGroupBox("High-value tiers")
        self.tiers_layout = QVBoxLayout(self.tiers_box)

        # Each pair that can contradict itself has its sentence right under it (hidden while it is fine).
        self.joined_problem, self.followers_problem, self.following_problem = (
            _problem_label(), _problem_label(), _problem_label())
        self.tweets_problem, self.listed_problem, self.activity_problem = (
            _problem_label(), _problem_label(), _problem_label())
        self._groups = (
            _FieldGroup((self.joined_after.edit, self.joined_before.edit), self.joined_problem,
                        lambda: FollowerFilter(created_after=self.joined_after.epoch(),
                                               created_before=self.joined_before.epoch())),
            _FieldGroup((self.min_followers, self.max_followers), self.followers_problem,
                        lambda: FollowerFilter(min_followers=self.min_followers.optional_value(),
                                               max_followers=self.max_followers.optional_value())),
            _FieldGroup((self.min_following, self.max_following), self.following_problem,
                        lambda: FollowerFilter(min_following=self.min_following.optional_value(),
                                               max_following=self.max_following.optional_value())),
            _FieldGroup((self.min_tweets, self.max_tweets), self.tweets_problem,
                        lambda: FollowerFilter(min_tweets=self.min_tweets.optional_value(),
                                               max_tweets=self.max_tweets.optional_value())),
            _FieldGroup((self.min_listed, self.max_listed), self.listed_problem,
                        lambda: FollowerFilter(min_listed=self.min_listed.optional_value(),
                                               max_listed=self.max_listed.optional_value())),
            _FieldGroup((self.inactive_days, self.posted_within_days), self.activity_problem,
                        lambda: FollowerFilter(inactive_days=self.inactive_days.optional_value(),
                                               posted_within_days=self.posted_within_days.optional_value())),
        )
        form = QFormLayout()
        form.addRow(self.joined_after)
        form.addRow(self.joined_before)
        form.addRow(self.joined_problem)
        form.addRow(labels["min_followers"], self.min_followers)
        form.addRow(labels["max_followers"], self.max_followers)
        form.addRow(self.followers_problem)
        form.addRow(labels["min_following"], self.min_following)
        form.addRow(labels["max_following"], self.max_following)
        form.addRow(self.following_problem)
        form.addRow(labels["min_tweets"], self.min_tweets)
        form.addRow(labels["max_tweets"], self.max_tweets)
        form.addRow(self.tweets_problem)
        form.addRow(labels["min_listed"], self.min_listed)
        form.addRow(labels["max_listed"], self.max_listed)
        form.addRow(self.listed_problem)
        form.addRow(labels["inactive_days"], self.inactive_days)
        form.addRow(labels["posted_within_days"], self.posted_within_days)
        form.addRow(self.activity_problem)
        form.addRow(self.verified_only)
        words_row = QHBoxLayout()
        words_row.addWidget(self.words, 1)
        words_row.addWidget(self.words_mode)
        form.addRow("Bio contains", words_row)
        form.addRow("Location contains", self.location)
        form.addRow(self.exclude_protected)
        form.addRow(self.dm_able_only)
        form.addRow("DM status", self.dm_status)
        form.addRow("Relationship", self.relationship)
        form.addRow(self.include_unfollowed)

        self.reset_button = QPushButton("Clear filters")
        self.reset_button.clicked.connect(self.clear)
        self.error_label = _problem_label()  # a problem of no one pair (none today; the filter may grow rules)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.tiers_box)
        layout.addWidget(self.reset_button)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        for spin in (self.min_followers, self.max_followers, self.min_following, self.max_following, self.min_tweets,
                     self.max_tweets, self.min_listed, self.max_listed, self.inactive_days, self.posted_within_days):
            spin.valueChanged.connect(self._schedule)
        for edit in (self.joined_after, self.joined_before):
            edit.changed.connect(self._schedule)
        for box in (self.verified_only, self.exclude_protected, self.dm_able_only, self.include_unfollowed):
            box.toggled.connect(self._schedule)
        for combo in (self.words_mode, self.dm_status):
            combo.currentIndexChanged.connect(self._schedule)
        self.relationship.currentIndexChanged.connect(self._relationship_chosen)
        for line in (self.words, self.location):
            line.textChanged.connect(self._schedule)
        self._words_entered = False
        self.words.installEventFilter(self)
        self.words.textEdited.connect(self._words_field_entered)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.words and event.type() == QEvent.Type.FocusIn:
            self._words_field_entered()
        return super().eventFilter(watched, event)

    def _words_field_entered(self) -> None:
        if not self._words_entered:
            self._words_entered = True
            self.wordsFieldEntered.emit()

    def set_tiers(self, tiers: Sequence[TierSpec]) -> None:
        for box in self._tier_boxes.values():
            box.deleteLater()
        self._tier_boxes = {}
        for tier in tiers:
            box = QCheckBox(tier.name)
            box.toggled.connect(self._schedule)
            self.tiers_layout.addWidget(box)
            self._tier_boxes[tier.name] = box

    def set_filter(self, follower_filter: FollowerFilter) -> None:
        """Show `follower_filter` in the form (used for the profile's saved defaults)."""
        f = follower_filter
        self.joined_after.set_value(f.created_after)
        self.joined_before.set_value(f.created_before)
        self.min_followers.set_optional_value(f.min_followers)
        self.max_followers.set_optional_value(f.max_followers)
        self.min_following.set_optional_value(f.min_following)
        self.max_following.set_optional_value(f.max_following)
        self.min_tweets.set_optional_value(f.min_tweets)
        self.max_tweets.set_optional_value(f.max_tweets)
        self.min_listed.set_optional_value(f.min_listed)
        self.max_listed.set_optional_value(f.max_listed)
        self.inactive_days.set_optional_value(f.inactive_days)
        self.posted_within_days.set_optional_value(f.posted_within_days)
        self.verified_only.setChecked(f.verified_only)
        self.words.setText(f.description_words)
        self.words_mode.setCurrentIndex(self.words_mode.findData(f.description_mode))
        self.location.setText(f.location_contains)
        self.exclude_protected.setChecked(f.exclude_protected)
        self.dm_able_only.setChecked(f.dm_able_only)
        self.dm_status.setCurrentIndex(self.dm_status.findData(f.dm_status))
        self.include_unfollowed.setChecked(f.include_unfollowed)
        self._relationship_wanted = f.relationship
        self._show_relationship()
        for name, box in self._tier_boxes.items():
            box.setChecked(name in f.tiers)
        self._schedule()

    def clear(self) -> None:
        self.set_filter(FollowerFilter())

    def current_filter(self) -> FollowerFilter:
        """The form as a filter; raises InvalidFilter (a ValueError) with a sentence when it cannot match."""
        return FollowerFilter(
            created_after=self.joined_after.epoch(),
            created_before=self.joined_before.epoch(),
            min_followers=self.min_followers.optional_value(),
            max_followers=self.max_followers.optional_value(),
            min_following=self.min_following.optional_value(),
            max_following=self.max_following.optional_value(),
            min_tweets=self.min_tweets.optional_value(),
            max_tweets=self.max_tweets.optional_value(),
            min_listed=self.min_listed.optional_value(),
            max_listed=self.max_listed.optional_value(),
            inactive_days=self.inactive_days.optional_value(),
            posted_within_days=self.posted_within_days.optional_value(),
            verified_only=self.verified_only.isChecked(),
            description_words=self.words.text(),
            description_mode=self.words_mode.currentData(),
            location_contains=self.location.text(),
            exclude_protected=self.exclude_protected.isChecked(),
            dm_able_only=self.dm_able_only.isChecked(),
            dm_status=self.dm_status.currentData(),
            tiers=tuple(name for name, box in self._tier_boxes.items() if box.isChecked()),
            include_unfollowed=self.include_unfollowed.isChecked(),
            relationship=self.applied_relationship,
        )

    # -- relationship --------------------------------------------------------------------------------

    @property
    def applied_relationship(self) -> Relationship:
        """The relationship the filter applies: the one chosen, or "any" while no following fetch allows it."""
        return self._relationship_wanted if self._relationship_available else "any"

    def show_following_counts(self, counts: RelationshipCounts | None) -> None:
        """What the last following fetch found (`context.following.counts()`; None: there was none): the
        relationship applies once one has completed."""
        self.set_relationship_available(counts is not None and counts.following_fetched_at is not None)

    def set_relationship_available(self, available: bool, reason: str = NO_FOLLOWING_FETCH) -> None:
        """Whether a complete fetch of who the user follows exists, so the relationship can be judged; without
        one the field is disabled, `reason` is its tooltip, and the choice waits (kept, not applied)."""
        if available == self._relationship_available and (available or self.relationship.toolTip() == reason):
            return
        before = self.applied_relationship
        self._relationship_available = available
        self.relationship.setEnabled(available)
        self.relationship.setToolTip(RELATIONSHIP_TIP if available else reason)
        self._show_relationship()
        if self.applied_relationship != before:
            self._schedule()

    def _show_relationship(self) -> None:
        """The combo shows what applies: the choice, or "Any" while it cannot apply."""
        index = self.relationship.findData(self.applied_relationship)
        if index != self.relationship.currentIndex():
            self.relationship.blockSignals(True)  # showing is not choosing: the choice stays as kept
            self.relationship.setCurrentIndex(index)
            self.relationship.blockSignals(False)

    def _relationship_chosen(self, _index: int) -> None:
        self._relationship_wanted = self.relationship.currentData()
        self._schedule()

    def _schedule(self, *_args: object) -> None:
        self._debounce.start()

    def flush(self) -> None:
        """Apply a pending edit now (tests, and before exporting 'the current filter')."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._emit()

    @property
    def results_stale(self) -> bool:
        """Whether the form is invalid, so the results shown follow the last valid filter instead."""
        return self._stale

    def _pair_problems(self) -> dict[_FieldGroup, str]:
        """Each pair of fields that contradicts itself, with the filter's own sentence."""
        problems = {}
        for group in self._groups:
            try:
                group.as_filter()
            except InvalidFilter as exc:
                problems[group] = str(exc)
        return problems

    def _show_problems(self, problems: dict[_FieldGroup, str], other: str) -> None:
        for group in self._groups:
            problem = problems.get(group, "")
            group.problem_label.setText(problem)
            group.problem_label.setVisible(bool(problem))
            style = invalid_field_style() if problem else ""
            for field in group.fields:
                if field.styleSheet() != style:  # a new style sheet re-polishes the widget: only on a change
                    field.setStyleSheet(style)
        self.error_label.setText(other)
        self.error_label.setVisible(bool(other))

    def _set_stale(self, stale: bool) -> None:
        if stale != self._stale:
            self._stale = stale
            self.staleChanged.emit(stale)

    def _emit(self) -> None:
        try:
            follower_filter = self.current_filter()
        except ValueError as exc:
            problems = self._pair_problems()
            self._show_problems(problems, "" if problems else str(exc))
            self._set_stale(True)
            self.filterInvalid.emit(str(exc))
            return
        self._show_problems({}, "")
        self._set_stale(False)
        self.filterChanged.emit(follower_filter)


def invalid_field_style() -> str:
    """The frame of a field whose value makes the filter impossible (in the palette's problem colour now)."""
    return f"border: 1px solid {tone_colour(TextTone.PROBLEM)};"




def _problem_label() -> QLabel:
    """A sentence in the problem colour, hidden until there is one."""
    label = QLabel(wordWrap=True)
    label.setStyleSheet(tone_style(TextTone.PROBLEM))
    label.hide()
    return label
