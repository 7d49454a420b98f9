"""File → Settings: a shell dialog (`SettingsDialog`) with one page per tab, each page in its own module with
`load(profile)` / `save(profile)` (account, campaign, filters and tiers, automation)."""

from twexport_qt.ui.settings_dialog.dialog import SettingsDialog

__all__ = ["SettingsDialog"]
