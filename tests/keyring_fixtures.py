"""In-memory keyring for tests: nothing touches the developer's real keyring.

The root conftest lists this module in ``pytest_plugins``, so every test can request the ``memory_keyring`` and
``no_keyring`` fixtures by name; import only the other names (e.g. ``MemoryKeyring``), never the fixtures themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A dict-backed keyring. Set `locked = True` to make every call fail like a locked Secret Service."""

    priority = 100  # type: ignore[assignment]  # above every real backend, so it wins if ever auto-selected

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.locked = False

    def get_password(self, service: str, username: str) -> str | None:
        self._raise_if_locked()
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._raise_if_locked()
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._raise_if_locked()
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(f"{service}/{username} not found") from None

    def _raise_if_locked(self) -> None:
        if self.locked:
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Install a fresh MemoryKeyring as keyring's active backend; restore the previous one afterwards."""
    yield from _installed(MemoryKeyring())


@pytest.fixture
def no_keyring() -> Iterator[fail.Keyring]:
    """Simulate a headless machine without any keyring (keyring's `fail` backend)."""
    yield from _installed(fail.Keyring())


def _installed(backend: keyring.backend.KeyringBackend) -> Iterator[keyring.backend.KeyringBackend]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
