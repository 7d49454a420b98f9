"""Keyring abstraction: X API credentials per profile, never in a plain file."""

from twexport_qt.secrets.backends import KeyringBackend, SecretBackend, SessionOnlyBackend, choose_backend
from twexport_qt.secrets.credentials import CREDENTIAL_FIELDS, Credentials
from twexport_qt.secrets.errors import KeyringLockedError, SecretStoreError
from twexport_qt.secrets.oauth2_token import OAuth2Token
from twexport_qt.secrets.store import SecretStore

__all__ = [
    "CREDENTIAL_FIELDS",
    "Credentials",
    "KeyringBackend",
    "KeyringLockedError",
    "OAuth2Token",
    "SecretBackend",
    "SecretStore",
    "SecretStoreError",
    "SessionOnlyBackend",
    "choose_backend",
]
