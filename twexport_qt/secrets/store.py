"""SecretStore: per-profile X API credentials on top of a SecretBackend."""

from __future__ import annotations

import keyring.backend

from twexport_qt.app_logging import register_secret
from twexport_qt.secrets.backends import SecretBackend, choose_backend
from twexport_qt.secrets.credentials import CREDENTIAL_FIELDS, Credentials

PROFILE_SEPARATOR = "/"


class SecretStore:
    """Reads and writes "<profile>/<field>" entries. Every value read or written is registered for log redaction."""

    def __init__(self, backend: SecretBackend) -> None:
        self._backend = backend

    @classmethod
    def open(cls, os_keyring: keyring.backend.KeyringBackend | None = None) -> SecretStore:
        """The store the app starts with: the OS keyring if usable, otherwise session-only memory."""
        return cls(choose_backend(os_keyring))

    @property
    def is_persistent(self) -> bool:
        return self._backend.is_persistent

    @property
    def backend_description(self) -> str:
        return self._backend.description

    def get(self, profile: str, field: str) -> str | None:
        value = self._backend.get(_key(profile, field))
        register_secret(value)
        return value

    def set(self, profile: str, field: str, value: str | None) -> None:
        """Store `value` stripped of surrounding whitespace (pasted keys often carry a newline); empty deletes."""
        key = _key(profile, field)
        cleaned = (value or "").strip()
        if not cleaned:
            self._backend.delete(key)
            return
        register_secret(cleaned)
        self._backend.set(key, cleaned)

    def delete_profile(self, profile: str) -> None:
        for field in CREDENTIAL_FIELDS:
            self._backend.delete(_key(profile, field))

    def credentials(self, profile: str) -> Credentials:
        return Credentials(**{field: self.get(profile, field) for field in CREDENTIAL_FIELDS})

    def set_credentials(self, profile: str, credentials: Credentials) -> None:
        """Replace all five fields; a None field is deleted."""
        for field in CREDENTIAL_FIELDS:
            self.set(profile, field, getattr(credentials, field))


def _key(profile: str, field: str) -> str:
    if field not in CREDENTIAL_FIELDS:
        raise ValueError(f"Unknown credential field {field!r}; expected one of {', '.join(CREDENTIAL_FIELDS)}")
    # A separator inside the name would let profile "a/b" read profile "a"'s entries.
    if not profile or PROFILE_SEPARATOR in profile:
        raise ValueError(f"Invalid profile name {profile!r} for the keyring: it must be non-empty and contain no '/'")
    return f"{profile}{PROFILE_SEPARATOR}{field}"
