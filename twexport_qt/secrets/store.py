"""SecretStore: per-profile X API credentials on top of a SecretBackend."""

from __future__ import annotations

from typing import TYPE_CHECKING

from twexport_qt.app_logging import register_secret
from twexport_qt.secrets.backends import ChosenOnFirstUse, SecretBackend, choose_backend
from twexport_qt.secrets.credentials import CREDENTIAL_FIELDS, Credentials
from twexport_qt.secrets.oauth2_token import OAuth2Token

if TYPE_CHECKING:
    import keyring.backend

PROFILE_SEPARATOR = "/"
# The OAuth 2.0 user token's one entry (access token, refresh token, expiry, scopes: see oauth2_token.py).
OAUTH2_TOKEN_ENTRY = "oauth2_token"
ENTRY_NAMES: tuple[str, ...] = (*CREDENTIAL_FIELDS, OAUTH2_TOKEN_ENTRY)


class SecretStore:
    """Reads and writes "<profile>/<field>" entries. Every value read or written is registered for log redaction."""

    def __init__(self, backend: SecretBackend) -> None:
        self._backend = backend

    @classmethod
    def open(cls, os_keyring: keyring.backend.KeyringBackend | None = None) -> SecretStore:
        """The store the app starts with: the OS keyring if usable, otherwise session-only memory; chosen when
        first used, since finding the keyring's backends takes a while that the app's start need not wait for."""
        return cls(ChosenOnFirstUse(lambda: choose_backend(os_keyring)))

    @property
    def is_chosen(self) -> bool:
        """Whether the backend is known without asking the system (False until an opened store is first used)."""
        return not isinstance(self._backend, ChosenOnFirstUse) or self._backend.is_chosen

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
        for name in ENTRY_NAMES:
            self._backend.delete(_key(profile, name))

    def credentials(self, profile: str) -> Credentials:
        return Credentials(**{field: self.get(profile, field) for field in CREDENTIAL_FIELDS},
                           oauth2=self.oauth2_token(profile))

    def set_credentials(self, profile: str, credentials: Credentials) -> None:
        """Replace the five pasted fields (a None field is deleted). The OAuth 2.0 token is written only if
        `credentials` carries one: a form of pasted keys must never sign the profile out."""
        for field in CREDENTIAL_FIELDS:
            self.set(profile, field, getattr(credentials, field))
        if credentials.oauth2 is not None:
            self.set_oauth2_token(profile, credentials.oauth2)

    # -- the OAuth 2.0 user token ----------------------------------------------------------------------
    def oauth2_token(self, profile: str) -> OAuth2Token | None:
        """The profile's "Sign in with X" token, or None when it is not signed in."""
        text = self._backend.get(_key(profile, OAUTH2_TOKEN_ENTRY))
        if not text:
            return None
        token = OAuth2Token.from_json(text)
        register_secret(token.access_token)
        register_secret(token.refresh_token)
        return token

    def set_oauth2_token(self, profile: str, token: OAuth2Token) -> None:
        """Write the token whole, in one entry: a rotated refresh token is never stored apart from its access
        token, and never lost to a half-done write."""
        register_secret(token.access_token)
        register_secret(token.refresh_token)
        self._backend.set(_key(profile, OAUTH2_TOKEN_ENTRY), token.to_json())

    def delete_oauth2_token(self, profile: str) -> None:
        self._backend.delete(_key(profile, OAUTH2_TOKEN_ENTRY))


def _key(profile: str, field: str) -> str:
    if field not in ENTRY_NAMES:
        raise ValueError(f"Unknown credential field {field!r}; expected one of {', '.join(ENTRY_NAMES)}")
    # A separator inside the name would let profile "a/b" read profile "a"'s entries.
    if not profile or PROFILE_SEPARATOR in profile:
        raise ValueError(f"Invalid profile name {profile!r} for the keyring: it must be non-empty and contain no '/'")
    return f"{profile}{PROFILE_SEPARATOR}{field}"
