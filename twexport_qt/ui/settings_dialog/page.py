"""What every tab of the settings dialog is: a form for one profile that shows it (`load`) and writes it back
(`save`), in the manner of picard's option pages. The dialog owns the profiles, validation as a whole and saving."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QWidget

from twexport_qt.settings.model import Profile


class SettingsPage(QWidget):
    TITLE: ClassVar[str] = ""  # the tab's label ("&&" shows one "&")

    def load(self, profile: Profile) -> None:
        """Show `profile`'s values in the form."""
        raise NotImplementedError

    def save(self, profile: Profile) -> None:
        """Write the form back into `profile`, the dialog's draft: nothing reaches the disk or the keyring here."""
        raise NotImplementedError

    def problems(self, profile: Profile) -> list[str]:
        """What this page checks beyond `settings.validation` (which the dialog runs on the whole draft), each a
        sentence that names its field as the form labels it (`settings.validation.profile_field_words`: "Profile
        'Work', retry DM: ..."). `profile` may be one not shown now: its values were saved from the form when the
        user switched away from it."""
        return []
