"""Secret storage failures, phrased for the user."""

from __future__ import annotations

from twexport_qt.core.errors import TwExportError


class SecretStoreError(TwExportError):
    default_message = "The system keyring could not be used. Check that it is running and unlocked, then try again."


class KeyringLockedError(SecretStoreError):
    default_message = (
        "The system keyring is locked. Unlock it (GNOME Keyring, KWallet, macOS Keychain...) and try again."
    )

