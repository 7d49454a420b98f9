from __future__ import annotations

import pytest
from keyring.backends import chainer, null
from keyring_fixtures import MemoryKeyring

from twexport_qt import app_logging
from twexport_qt.core.errors import TwExportError
from twexport_qt.secrets import (
    KeyringBackend,
    KeyringLockedError,
    SecretStore,
    SecretStoreError,
    SessionOnlyBackend,
    choose_backend,
)
from twexport_qt.secrets.backends import SERVICE_NAME, is_usable_keyring


def test_round_trip_through_the_os_keyring(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore.open()

    store.set("Work", "consumer_key", "ck-1234567890")
    store.set("Work", "bearer_token", "AAAA-bearer-0987")

    assert store.is_persistent
    assert "system keyring" in store.backend_description
    assert memory_keyring.entries[(SERVICE_NAME, "Work/consumer_key")] == "ck-1234567890"
    assert store.get("Work", "consumer_key") == "ck-1234567890"
    # a second store over the same keyring (next app start) sees the same values
    assert SecretStore.open().get("Work", "bearer_token") == "AAAA-bearer-0987"


def test_profiles_are_kept_apart_and_delete_profile_removes_only_its_own(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore.open()
    for field in ("consumer_key", "consumer_secret", "access_token", "access_token_secret", "bearer_token"):
        store.set("A", field, f"a-{field}-value")
    store.set("B", "consumer_key", "b-consumer-key")

    store.delete_profile("A")
    store.delete_profile("never-existed")  # missing entries are not an error

    assert store.credentials("A") == store.credentials("never-existed")
    assert not store.credentials("A").has_bearer
    assert store.get("B", "consumer_key") == "b-consumer-key"
    assert list(memory_keyring.entries) == [(SERVICE_NAME, "B/consumer_key")]


def test_set_strips_pasted_whitespace_and_empty_deletes(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore.open()
    store.set("A", "access_token", "  token-with-newline\n")
    assert store.get("A", "access_token") == "token-with-newline"

    store.set("A", "access_token", "   ")
    assert store.get("A", "access_token") is None
    assert memory_keyring.entries == {}


def test_credentials_collects_all_fields(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore.open()
    for field in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
        store.set("A", field, f"{field}-secret-value")

    credentials = store.credentials("A")

    assert credentials.has_user_context
    assert not credentials.has_bearer
    assert credentials.access_token_secret == "access_token_secret-secret-value"


def test_no_keyring_means_session_only_and_says_so(no_keyring) -> None:
    store = SecretStore.open()

    assert isinstance(choose_backend(), SessionOnlyBackend)
    assert store.is_persistent is False
    assert store.backend_description.startswith("Secrets are kept for this session only: no system keyring")
    assert "GNOME Keyring" in store.backend_description
    store.set("A", "consumer_key", "session-value-123")
    assert store.get("A", "consumer_key") == "session-value-123"
    assert SecretStore.open().get("A", "consumer_key") is None  # a new session starts empty


@pytest.mark.parametrize("placeholder", [null.Keyring(), chainer.ChainerBackend()])
def test_null_and_empty_chainer_are_not_usable(placeholder, monkeypatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    assert not is_usable_keyring(placeholder)
    assert isinstance(choose_backend(placeholder), SessionOnlyBackend)


def test_chainer_with_a_real_backend_is_usable(monkeypatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring()])
    assert isinstance(choose_backend(chainer.ChainerBackend()), KeyringBackend)


def test_locked_keyring_becomes_a_user_facing_error(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore.open()
    memory_keyring.locked = True

    with pytest.raises(KeyringLockedError) as raised:
        store.get("A", "consumer_key")

    assert isinstance(raised.value, TwExportError)
    assert "locked" in str(raised.value) and "Unlock it" in str(raised.value)
    with pytest.raises(SecretStoreError):
        store.set("A", "consumer_key", "value-123456")


def test_other_keyring_errors_name_the_action(memory_keyring: MemoryKeyring, monkeypatch) -> None:
    import keyring.errors

    def refuse(*args):
        raise keyring.errors.PasswordSetError("D-Bus said no")

    monkeypatch.setattr(memory_keyring, "set_password", refuse)
    with pytest.raises(SecretStoreError, match=r"Could not save a secret in the system keyring \(D-Bus said no\)"):
        SecretStore.open().set("A", "consumer_key", "value-123456")


@pytest.mark.parametrize(("profile", "field"), [("A", "password"), ("a/b", "consumer_key"), ("", "consumer_key")])
def test_bad_keys_are_rejected(profile: str, field: str) -> None:
    with pytest.raises(ValueError):
        SecretStore(SessionOnlyBackend()).get(profile, field)


def test_values_read_and_written_are_registered_for_log_redaction(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.entries[(SERVICE_NAME, "A/consumer_secret")] = "stored-by-a-previous-run"
    store = SecretStore.open()

    store.set("A", "access_token", "written-this-run-42")
    store.get("A", "consumer_secret")

    line = app_logging.redact("token=written-this-run-42 secret=stored-by-a-previous-run")
    assert line == "token=[REDACTED] secret=[REDACTED]"


@pytest.mark.parametrize(("module", "class_name", "words"), [
    ("keyring.backends.SecretService", "Keyring", "GNOME Keyring or another Secret Service"),
    ("keyring.backends.Windows", "WinVaultKeyring", "Windows Credential Locker (Credential Manager)"),
    ("keyring.backends.macOS", "Keyring", "macOS Keychain"),
    ("keyring.backends.kwallet", "DBusKeyring", "KDE Wallet"),
])
def test_the_keyring_is_named_as_users_know_it_on_each_platform(module, class_name, words):
    import importlib

    from twexport_qt.secrets.backends import keyring_in_words

    backend_class = getattr(importlib.import_module(module), class_name)
    assert keyring_in_words(backend_class.__new__(backend_class)) == words  # no OS call: only its kind matters
