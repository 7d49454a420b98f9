"""Settings → Automation: fetching followers on a timer, sending due DMs without a click, and what they may spend.

Scheduled runs never ask about their price: the profile's daily and monthly budgets (empty: none) pause them
before they pass. So the page shows what each schedule is projected to cost per run and per month (the fetch
from the account's last known follower count, automatic sending from the daily cap), and refuses a schedule
whose projected month passes the monthly budget.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from twexport_qt.billing.prices import DEFAULT_PRICES, PriceTable
from twexport_qt.services.cost_estimates import (
    ScheduleCost,
    project_auto_campaign,
    project_auto_fetch,
    schedule_budget_problem,
)
from twexport_qt.settings.model import Profile
from twexport_qt.settings.validation import (
    MAX_AUTO_FETCH_MINUTES,
    PROFILE_FIELD_LABELS,
    parse_usd,
    profile_field_words,
    profile_words,
)
from twexport_qt.ui.palette import TextTone, tone_style
from twexport_qt.ui.settings_dialog.page import SettingsPage

FollowerCount = Callable[[Profile], int | None]  # the account's last known follower count; None: never fetched
BUDGET_FIELDS = ("daily_budget_usd", "monthly_budget_usd")
NO_FETCH_YET = "Fetch the followers once to see what a scheduled fetch costs."


class AutomationPage(SettingsPage):
    TITLE = "Automation"

    def __init__(self, parent: QWidget | None = None, *, follower_count: FollowerCount | None = None,
                 prices: PriceTable = DEFAULT_PRICES) -> None:
        super().__init__(parent)
        self._follower_count = follower_count or (lambda _profile: None)
        self._prices = prices
        self._shown: Profile | None = None  # the profile loaded: its daily cap and follower count price the schedules
        # Budget texts that are no amount, per (profile, field): the profile keeps no budget, `problems` names them.
        self._unreadable: dict[tuple[str, str], str] = {}
        form = QFormLayout(self)
        self.auto_fetch_spin = QSpinBox()
        self.auto_fetch_spin.setRange(0, MAX_AUTO_FETCH_MINUTES)
        self.auto_fetch_spin.setSpecialValueText("off")
        self.auto_fetch_spin.setSuffix(" min")
        self.fetch_cost_label = _note()
        self.auto_dm_box = QCheckBox("Send due first and retry DMs automatically (respects the master switch)")
        self.campaign_cost_label = _note()
        self.daily_budget_edit = QLineEdit(placeholderText="none")
        self.monthly_budget_edit = QLineEdit(placeholderText="none")
        for edit in (self.daily_budget_edit, self.monthly_budget_edit):
            edit.setToolTip("US dollars, like 5 or 2.50; empty for no budget. A job pauses before the request "
                            "that could pass it (days and months are X's billing days, UTC) and resumes on the "
                            "next run.")
        labels = PROFILE_FIELD_LABELS  # the words validation names these fields with
        form.addRow(labels["auto_fetch_minutes"], self.auto_fetch_spin)
        form.addRow(self.fetch_cost_label)
        form.addRow(self.auto_dm_box)
        form.addRow(self.campaign_cost_label)
        form.addRow(labels["daily_budget_usd"], self.daily_budget_edit)
        form.addRow(labels["monthly_budget_usd"], self.monthly_budget_edit)
        self.auto_fetch_spin.valueChanged.connect(self._show_projections)
        self.auto_dm_box.toggled.connect(self._show_projections)

    def _budget_edits(self) -> dict[str, QLineEdit]:
        return {"daily_budget_usd": self.daily_budget_edit, "monthly_budget_usd": self.monthly_budget_edit}

    def load(self, profile: Profile) -> None:
        self._shown = profile
        self.auto_fetch_spin.setValue(profile.auto_fetch_minutes)
        self.auto_dm_box.setChecked(profile.auto_dm)
        for field, edit in self._budget_edits().items():
            amount: Decimal | None = getattr(profile, field)
            edit.setText(self._unreadable.get((profile.name, field), "" if amount is None else str(amount)))
        self._show_projections()

    def save(self, profile: Profile) -> None:
        profile.auto_fetch_minutes = self.auto_fetch_spin.value()
        profile.auto_dm = self.auto_dm_box.isChecked()
        for field, edit in self._budget_edits().items():
            text = edit.text().strip()
            self._unreadable.pop((profile.name, field), None)
            try:
                amount = parse_usd(text) if text else None
            except ValueError:
                self._unreadable[(profile.name, field)] = text
                amount = None
            setattr(profile, field, amount)  # settings validation names an amount out of range

    def problems(self, profile: Profile) -> list[str]:
        """Budget texts that are no dollar amount, and a schedule whose projected month passes the monthly budget,
        in the form's words."""
        found = []
        for field in BUDGET_FIELDS:
            text = self._unreadable.get((profile.name, field))
            if text is not None:
                try:
                    parse_usd(text)
                except ValueError as exc:
                    found.append(f"{profile_field_words(profile.name, field)}: {exc}, or empty for no budget")
        fetch, campaign = self._projections(profile)
        over = schedule_budget_problem(profile_words(profile.name), profile.monthly_budget_usd, fetch,
                                       campaign if profile.dm_enabled else None)  # off: automatic sends nothing
        if over:
            found.append(over)
        return found

    def _projections(self, profile: Profile, *, auto_fetch_minutes: int | None = None,
                     auto_dm: bool | None = None) -> tuple[ScheduleCost | None, ScheduleCost | None]:
        """What `profile`'s schedules cost (the form's values where given); None: no such schedule, or no count."""
        minutes = profile.auto_fetch_minutes if auto_fetch_minutes is None else auto_fetch_minutes
        sends = profile.auto_dm if auto_dm is None else auto_dm
        fetch = None
        if minutes:
            count = self._follower_count(profile)
            fetch = project_auto_fetch(count, minutes, self._prices) if count is not None else None
        campaign = project_auto_campaign(profile.daily_cap, self._prices) if sends else None
        return fetch, campaign

    def _show_projections(self, *_args: object) -> None:
        profile = self._shown
        minutes = self.auto_fetch_spin.value()
        if profile is None:
            fetch = campaign = None
        else:
            fetch, campaign = self._projections(profile, auto_fetch_minutes=minutes,
                                                auto_dm=self.auto_dm_box.isChecked())
        if not minutes:
            self.fetch_cost_label.setText("")
        else:
            self.fetch_cost_label.setText(fetch.sentence if fetch is not None else NO_FETCH_YET)
        self.campaign_cost_label.setText(campaign.sentence if campaign is not None else "")


def _note() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(tone_style(TextTone.QUIET))
    return label
