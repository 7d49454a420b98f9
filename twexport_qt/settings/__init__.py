"""Settings JSON (never secrets), profiles, and the legacy Twitter Exporter config.json import."""

from twexport_qt.settings.legacy_config import ImportReport, LegacyImportError, import_legacy_config
from twexport_qt.settings.model import (
    SANDBOX_PROFILE_NAME,
    AppSettings,
    FilterDefaults,
    Profile,
    TierSpec,
    default_tiers,
)
from twexport_qt.settings.storage import LoadResult, SettingsInvalid, load_settings, save_settings
from twexport_qt.settings.validation import validate_settings

__all__ = [
    "SANDBOX_PROFILE_NAME",
    "AppSettings",
    "FilterDefaults",
    "ImportReport",
    "LegacyImportError",
    "LoadResult",
    "Profile",
    "SettingsInvalid",
    "TierSpec",
    "default_tiers",
    "import_legacy_config",
    "load_settings",
    "save_settings",
    "validate_settings",
]
