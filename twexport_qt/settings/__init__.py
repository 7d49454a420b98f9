"""Settings JSON (never secrets), profiles, and the legacy Twitter Exporter config.json import."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from twexport_qt.settings.legacy_config import ImportReport, LegacyImportError, import_legacy_config

# The legacy import is imported when first asked for: every start reads the settings through this package, and the
# desktop app's window need not wait for the import's modules (issue 17).
_LEGACY_CONFIG_NAMES = frozenset({"ImportReport", "LegacyImportError", "import_legacy_config"})


def __getattr__(name: str) -> Any:
    if name in _LEGACY_CONFIG_NAMES:
        from twexport_qt.settings import legacy_config

        return getattr(legacy_config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
