"""The OAuth 2.0 user token in the keyring: one entry holds it whole (a rotated refresh token never apart from its
access token), registered for redaction, never printed, and never touched by a form of pasted keys."""

from __future__ import annotations

import pytest
from keyring_fixtures import MemoryKeyring

from twexport_qt import app_logging
from twexport_qt.secrets import Credentials, OAuth2Token, SecretStore, SecretStoreError
from twexport_qt.secrets.backends import SERVICE_NAME

TOKEN = OAuth2Token(access_token="at-oauth2-AAAAAAAAAAAAAAAA", refresh_token="rt-oauth2-BBBBBBBBBBBBBBBB",
                    expires_at=1_767_232_800.0, scopes=("tweet.read", "users.read", "offline.access"),
                    client_id="client-123")


def test_the_token_round_trips_in_one_entry(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore.open()
    store.set_oauth2_token("Work", TOKEN)
    assert list(memory_keyring.entries) == [(SERVICE_NAME, "Work/oauth2_token")]
    assert SecretStore.open().oauth2_token("Work") == TOKEN
    credentials = store.credentials("Work")
    assert credentials.oauth2 == TOKEN and credentials.has_oauth2_user_token and credentials.acts_as_user
    assert credentials.can_call_api and not credentials.has_user_context  # no OAuth 1.0a keys


def test_pasted_keys_never_sign_out_but_deleting_the_profile_does(memory_keyring: MemoryKeyring) -> None:
    store = SecretStore.open()
    store.set_oauth2_token("Work", TOKEN)
    store.set_credentials("Work", Credentials(consumer_key="ck-typed-value"))
    assert store.oauth2_token("Work") == TOKEN
    store.delete_oauth2_token("Work")
    assert store.oauth2_token("Work") is None and store.get("Work", "consumer_key") == "ck-typed-value"
    store.set_oauth2_token("Work", TOKEN)
    store.delete_profile("Work")
    assert memory_keyring.entries == {}


def test_repr_shows_no_token_value() -> None:
    for text in (repr(TOKEN), str(TOKEN), repr(Credentials(oauth2=TOKEN))):
        assert "AAAAAAAA" not in text and "BBBBBBBB" not in text
    assert "scopes='tweet.read users.read offline.access'" in repr(TOKEN)
    assert "oauth2=<set>" in repr(Credentials(oauth2=TOKEN))


def test_tokens_read_or_written_are_redacted_from_logs(memory_keyring: MemoryKeyring) -> None:
    SecretStore.open().set_oauth2_token("Work", TOKEN)
    line = f"refresh with {TOKEN.refresh_token} and bearer {TOKEN.access_token}"
    assert app_logging.redact(line) == "refresh with [REDACTED] and bearer [REDACTED]"


def test_a_damaged_entry_is_a_sentence(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.entries[(SERVICE_NAME, "Work/oauth2_token")] = "{not json"
    with pytest.raises(SecretStoreError, match="Sign in with X again"):
        SecretStore.open().oauth2_token("Work")


def test_missing_oauth1_fields_are_named_only_when_some_are_set() -> None:
    assert Credentials().missing_oauth1_fields == ()
    assert Credentials(bearer_token="bt-only-value").missing_oauth1_fields == ()
    partial = Credentials(consumer_key="a", consumer_secret="b", access_token="c")
    assert partial.missing_oauth1_fields == ("access_token_secret",)


