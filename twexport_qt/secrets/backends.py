"""Where secrets live: the OS keyring, or this process's memory when there is no usable keyring.

There is deliberately no file-based fallback: API keys in a plain file next to the database would be copied by
every backup tool. Without a keyring, the user re-enters keys each session and the UI says why.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from twexport_qt.secrets.errors import KeyringLockedError, SecretStoreError

# keyring is imported when a keyring is first used: finding its backends imports every platform's (the macOS one
# too, on Linux), a tenth of a second the desktop app would otherwise spend before its window shows (issue 17).
if TYPE_CHECKING:
    import keyring.backend

log = logging.getLogger(__name__)

SERVICE_NAME = "TwExport"

SESSION_ONLY_DESCRIPTION = (
    "Secrets are kept for this session only: no system keyring is available "
    "(install/unlock GNOME Keyring, KWallet or another Secret Service provider to keep them between runs)."
)


class SecretBackend(ABC):
    """A flat key → secret map. Keys are opaque strings chosen by SecretStore."""

    @property
    @abstractmethod
    def is_persistent(self) -> bool:
        """True if secrets survive a restart of the app."""

    @property
    @abstractmethod
    def description(self) -> str:
        """One sentence for the UI saying where secrets are kept."""

    @abstractmethod
    def get(self, key: str) -> str | None: ...

    @abstractmethod
    def set(self, key: str, value: str) -> None: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove `key`; a missing key is not an error."""


class KeyringBackend(SecretBackend):
    """The OS keyring through the `keyring` package, under service "TwExport"."""

    def __init__(self, os_keyring: keyring.backend.KeyringBackend, service: str = SERVICE_NAME) -> None:
        self._keyring = os_keyring
        self._service = service

    @property
    def is_persistent(self) -> bool:
        return True

    @property
    def description(self) -> str:
        return f"Secrets are stored in the system keyring ({keyring_in_words(self._keyring)})."

    def get(self, key: str) -> str | None:
        with _translated_keyring_errors("read"):
            return self._keyring.get_password(self._service, key)

    def set(self, key: str, value: str) -> None:
        with _translated_keyring_errors("save"):
            self._keyring.set_password(self._service, key, value)

    def delete(self, key: str) -> None:
        import keyring.errors

        with _translated_keyring_errors("delete"):
            try:
                self._keyring.delete_password(self._service, key)
            except keyring.errors.PasswordDeleteError:
                pass  # backends raise this when nothing is stored under the key


# keyring's own names ("SecretService Keyring", "WinVaultKeyring") are class names; users know the product.
_KEYRING_PRODUCTS = {
    "keyring.backends.SecretService.Keyring": "GNOME Keyring or another Secret Service",
    "keyring.backends.libsecret.Keyring": "GNOME Keyring or another Secret Service, through libsecret",
    "keyring.backends.kwallet.DBusKeyring": "KDE Wallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KDE Wallet 4",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Locker (Credential Manager)",
}


def keyring_in_words(os_keyring: keyring.backend.KeyringBackend) -> str:
    """The product a keyring backend stores into, as users call it (keyring's own name for unknown backends)."""
    kind = type(os_keyring)
    return _KEYRING_PRODUCTS.get(f"{kind.__module__}.{kind.__qualname__}", os_keyring.name)


class SessionOnlyBackend(SecretBackend):
    """Secrets in memory, gone when the app exits."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    @property
    def is_persistent(self) -> bool:
        return False

    @property
    def description(self) -> str:
        return SESSION_ONLY_DESCRIPTION

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        self._values[key] = value

    def delete(self, key: str) -> None:
        self._values.pop(key, None)


class ChosenOnFirstUse(SecretBackend):
    """The backend `choose` returns, chosen when a secret or the backend's nature is first asked for (from any
    thread: the choice is made once)."""

    def __init__(self, choose: Callable[[], SecretBackend]) -> None:
        self._choose: Callable[[], SecretBackend] | None = choose
        self._chosen: SecretBackend | None = None
        self._lock = threading.Lock()

    @property
    def is_chosen(self) -> bool:
        return self._chosen is not None

    @property
    def chosen(self) -> SecretBackend:
        with self._lock:
            if self._chosen is None:
                assert self._choose is not None
                self._chosen, self._choose = self._choose(), None
            return self._chosen

    @property
    def is_persistent(self) -> bool:
        return self.chosen.is_persistent

    @property
    def description(self) -> str:
        return self.chosen.description

    def get(self, key: str) -> str | None:
        return self.chosen.get(key)

    def set(self, key: str, value: str) -> None:
        self.chosen.set(key, value)

    def delete(self, key: str) -> None:
        self.chosen.delete(key)


def choose_backend(os_keyring: keyring.backend.KeyringBackend | None = None) -> SecretBackend:
    """The OS keyring if one is usable, else session-only memory. `os_keyring` defaults to keyring's active one."""
    import keyring
    import keyring.errors

    if os_keyring is None:
        try:
            os_keyring = keyring.get_keyring()
        except keyring.errors.KeyringError:  # e.g. a broken keyringrc.cfg naming a missing backend
            log.warning("Could not load the configured keyring backend", exc_info=True)
            return SessionOnlyBackend()
    if not is_usable_keyring(os_keyring):
        log.info("No usable system keyring (%s); secrets are kept for this session only", os_keyring)
        return SessionOnlyBackend()
    return KeyringBackend(os_keyring)


def is_usable_keyring(os_keyring: keyring.backend.KeyringBackend) -> bool:
    """False for keyring's placeholders: `fail` (no backend found), `null`, or a chainer with nothing to chain."""
    from keyring.backends import chainer, fail, null

    if isinstance(os_keyring, (fail.Keyring, null.Keyring)):
        return False
    if isinstance(os_keyring, chainer.ChainerBackend):
        return bool(os_keyring.backends)
    return True


@contextmanager
def _translated_keyring_errors(action: str) -> Iterator[None]:
    """Turn keyring's exceptions into SecretStoreError with a sentence; keep the original as __cause__."""
    import keyring.errors

    try:
        yield
    except keyring.errors.KeyringLocked as exc:
        log.warning("Keyring %s failed: locked", action, exc_info=True)
        raise KeyringLockedError() from exc
    except keyring.errors.KeyringError as exc:
        log.warning("Keyring %s failed", action, exc_info=True)
        raise SecretStoreError(
            f"Could not {action} a secret in the system keyring ({exc}). "
            "Check that the keyring is running and unlocked, then try again."
        ) from exc
