"""File → Settings: the shell around the settings pages. It owns the profile chooser (new, delete, "use this
profile"), validation of the whole draft, the confirmation of profiles going live, and saving.

Edits are made on a copy of the settings, one profile shown at a time: switching profiles saves the pages into
the draft (`SettingsPage.save`) and shows the next one (`load`). The whole draft is validated before anything is
written, so an invalid field is named and nothing is half-saved. Credentials go to the keyring, never into the
settings file.
"""

from __future__ import annotations

import copy
import logging

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.app_context import AppContext
from twexport_qt.core import messages
from twexport_qt.core.errors import TwExportError
from twexport_qt.profile_mapping import campaign_settings, known_owner_id
from twexport_qt.settings.model import SANDBOX_PROFILE_NAME, AppSettings, Profile
from twexport_qt.settings.storage import SettingsInvalid
from twexport_qt.settings.validation import profile_name_problem, validate_settings
from twexport_qt.ui.live_confirmation import confirm_live_sending
from twexport_qt.ui.palette import TextTone, tone_style
from twexport_qt.ui.settings_dialog.account_page import AccountPage
from twexport_qt.ui.settings_dialog.automation_page import AutomationPage
from twexport_qt.ui.settings_dialog.campaign_page import CampaignPage
from twexport_qt.ui.settings_dialog.filters_page import FiltersPage
from twexport_qt.ui.settings_dialog.page import SettingsPage
from twexport_qt.ui.settings_dialog.prices_page import PricesPage
from twexport_qt.workers.tasks import TaskRunner

log = logging.getLogger(__name__)

NOT_CONFIRMED = ("Nothing was saved: live sending was not confirmed. Turn test mode on or the master switch off to "
                 "save without sending live DMs.")


def please_fix(problems: list[str]) -> str:
    """The problems under the form, one a line: each names its field as the form labels it."""
    return "Please fix:\n" + "\n".join(f"• {problem}" for problem in problems)


# Why the profile in use can be neither switched nor deleted while a job runs (see SettingsDialog).
JOBS_RUNNING_TIP = "Finish or cancel the running jobs first: they write to the profile in use."


class SettingsDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None, *, tasks: TaskRunner | None = None,
                 jobs_running: bool = False) -> None:
        """`tasks` runs the account page's sign-in and connection test off the GUI thread (the window's runner;
        without one, a runner of this dialog's own). While `jobs_running`, the profile in use can be edited but
        not switched nor deleted: a running job writes to it, and would write under the profile switched to."""
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(640)
        self.context = context
        self._profile_in_use = context.settings.active_profile if jobs_running else None
        self.draft: AppSettings = copy.deepcopy(context.settings)
        self._shown = self.draft.active_profile  # the profile whose values the pages hold
        self._switching = False

        self.profile_combo = QComboBox()
        self.profile_combo.currentTextChanged.connect(self._on_profile_selected)
        self.new_profile_button = QPushButton("New profile…")
        self.new_profile_button.clicked.connect(self._new_profile)
        self.delete_button = QPushButton("Delete profile")
        self.delete_button.clicked.connect(self._delete_profile)
        self.active_box = QCheckBox("Use this profile")
        top = QHBoxLayout()
        top.addWidget(QLabel("Profile:"))
        top.addWidget(self.profile_combo, 1)
        top.addWidget(self.active_box)
        top.addWidget(self.new_profile_button)
        top.addWidget(self.delete_button)

        self.account_page = AccountPage(context.secrets, context=context, tasks=tasks or TaskRunner(self))
        self.finished.connect(self.account_page.cancel_sign_in)  # closing the dialog ends a sign-in's wait
        self.campaign_page = CampaignPage()
        self.filters_page = FiltersPage()
        # The follower count a schedule is priced from: one read of the fetch runs, no scan of the followers.
        followers = context.followers
        self.automation_page = AutomationPage(
            follower_count=lambda profile: followers.last_known_count(known_owner_id(profile)),
            prices=context.prices)
        self.pages: tuple[SettingsPage, ...] = (
            self.account_page, self.campaign_page, self.filters_page, self.automation_page)
        self.tabs = QTabWidget()
        for page in self.pages:
            self.tabs.addTab(page, page.TITLE)
        # App-wide, unlike the profile pages: loaded once from the draft, saved into it on Save.
        self.prices_page = PricesPage()
        self.prices_page.load(self.draft)
        self.tabs.addTab(self.prices_page, self.prices_page.TITLE)

        # Everything the user must fix or know before saving is said here, in the dialog they are looking at.
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet(tone_style(TextTone.PROBLEM))
        self.account_page.readFailed.connect(self.problems_label.setText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs)
        layout.addWidget(self.problems_label)
        layout.addWidget(buttons)
        self._fill_profile_combo(self.draft.active_profile)

    # -- the profile chooser -----------------------------------------------------------------------------
    def _fill_profile_combo(self, select: str) -> None:
        self._switching = True  # the combo's own signals would save the pages into the wrong profile
        self._shown = select
        self.profile_combo.clear()
        self.profile_combo.addItems(sorted(self.draft.profiles))
        self.profile_combo.setCurrentText(select)
        self._switching = False
        self._load(self.draft.profiles[select])

    def _on_profile_selected(self, name: str) -> None:
        if self._switching or not name or name == self._shown:
            return
        self._save(self.draft.profiles[self._shown])
        self._shown = name
        self._load(self.draft.profiles[name])

    def _load(self, profile: Profile) -> None:
        in_use = self._profile_in_use is not None
        self.delete_button.setEnabled(profile.kind != "sandbox" and profile.name != self._profile_in_use)
        self.active_box.setChecked(self.draft.active_profile == profile.name)
        self.active_box.setEnabled(not in_use)
        why = JOBS_RUNNING_TIP if in_use else ""
        self.active_box.setToolTip(why)
        self.delete_button.setToolTip(why if profile.name == self._profile_in_use else "")
        for page in self.pages:
            page.load(profile)

    def _save(self, profile: Profile) -> None:
        """The pages -> `profile` in the draft; credentials wait in the account page until the dialog is saved."""
        if self.active_box.isChecked():
            self.draft.active_profile = profile.name
        for page in self.pages:
            page.save(profile)

    def _new_profile(self) -> None:
        name, ok = QInputDialog.getText(self, "New profile", "Name of the X account profile:")
        if not ok:
            return
        problem = profile_name_problem(name) or (f"A profile named {name!r} exists." if name in self.draft.profiles
                                                 else None)
        if problem:
            self.problems_label.setText(problem)  # shown under the form, where the user is looking
            return
        self.problems_label.clear()
        self._save(self.draft.profiles[self._shown])
        self.draft.profiles[name] = Profile(name=name, kind="x")
        self._fill_profile_combo(name)

    def _delete_profile(self) -> None:
        name = self._shown
        if name in (SANDBOX_PROFILE_NAME, self._profile_in_use):
            return
        if QMessageBox.question(self, "Delete profile", f"Delete profile {name!r} and its stored credentials?") \
                != QMessageBox.StandardButton.Yes:
            return
        del self.draft.profiles[name]
        self.account_page.forget(name)
        if self.draft.active_profile == name:
            self.draft.active_profile = SANDBOX_PROFILE_NAME
        self._fill_profile_combo(SANDBOX_PROFILE_NAME)

    # -- saving --------------------------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Every reason the draft cannot be saved: the settings file's own rules, then each page's checks."""
        problems = validate_settings(self.draft)
        for profile in self.draft.profiles.values():
            for page in self.pages:
                problems += page.problems(profile)
        return problems + self.prices_page.problems()

    def accept(self) -> None:
        self._save(self.draft.profiles[self._shown])
        self.prices_page.save(self.draft)
        problems = self.problems()
        if problems:
            self.problems_label.setText(please_fix(problems))
            return
        if not self._confirm_profiles_going_live():
            self.problems_label.setText(NOT_CONFIRMED)
            return
        try:
            self.account_page.store_credentials()
            # Only this dialog's changes are written: what a command-line job saved meanwhile is kept.
            self.context.replace_settings(self.draft)
        except SettingsInvalid as exc:
            self.problems_label.setText(please_fix(exc.problems))
            return
        except TwExportError as exc:
            # The keyring or the disk refused: nothing to fix in the form. The dialog stays open with the edits,
            # so the user can save again once the keyring is unlocked or the disk has room.
            log.warning("Saving the settings failed", exc_info=True)
            self.problems_label.clear()
            messages.error(exc.user_message, title="Saving settings")
            return
        super().accept()

    def _confirm_profiles_going_live(self) -> bool:
        """Every profile this dialog turns live needs the same confirmation as the DM tab's switches."""
        now = int(self.context.clock.now())
        for profile in self.draft.profiles.values():
            before = self.context.settings.profiles.get(profile.name)
            if not profile.sends_live or (before is not None and before.sends_live):
                continue
            # A question answered now, so the count is read now (a modal wait); the DM tab shows the same count.
            audience = self.context.campaigns.live_audience(known_owner_id(profile), campaign_settings(profile))
            if not confirm_live_sending(self, audience, what=f"Turn live sending on for {profile.name!r}"):
                return False
            profile.live_confirmed_at = now
        return True
