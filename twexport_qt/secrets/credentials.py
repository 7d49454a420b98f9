"""The X API credentials of one profile, safe to print."""

from __future__ import annotations

from dataclasses import dataclass, fields

from twexport_qt.secrets.oauth2_token import OAuth2Token

CONSUMER_KEY = "consumer_key"
CONSUMER_SECRET = "consumer_secret"
ACCESS_TOKEN = "access_token"
ACCESS_TOKEN_SECRET = "access_token_secret"
BEARER_TOKEN = "bearer_token"

# The values a user pastes (OAuth 1.0a keys and the app-only Bearer token), one keyring entry each.
CREDENTIAL_FIELDS: tuple[str, ...] = (CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET, BEARER_TOKEN)
OAUTH1_FIELDS: tuple[str, ...] = (CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)


@dataclass(frozen=True, repr=False)
class Credentials:
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None
    bearer_token: str | None = None
    oauth2: OAuth2Token | None = None  # "Sign in with X": the OAuth 2.0 user token (secrets/oauth2_token.py)

    @property
    def has_user_context(self) -> bool:
        """All four OAuth 1.0a values are present: enough to act as the account (DMs, follower lists)."""
        return all((self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret))

    @property
    def has_oauth2_user_token(self) -> bool:
        """Signed in with X (OAuth 2.0 with PKCE): the token acts as the account, within its scopes."""
        return self.oauth2 is not None

    @property
    def acts_as_user(self) -> bool:
        """Either way of acting as the account: signed in with X, or the four OAuth 1.0a keys."""
        return self.has_oauth2_user_token or self.has_user_context

    @property
    def has_bearer(self) -> bool:
        """An app-only token is present: enough for read-only lookups."""
        return bool(self.bearer_token)

    @property
    def can_call_api(self) -> bool:
        """Enough to make any API call at all (the one rule for "this profile has X credentials")."""
        return self.acts_as_user or self.has_bearer

    @property
    def missing_oauth1_fields(self) -> tuple[str, ...]:
        """The OAuth 1.0a fields still empty when some are filled in (the four work only together); () when
        all four or none are set."""
        missing = tuple(name for name in OAUTH1_FIELDS if not getattr(self, name))
        return missing if len(missing) < len(OAUTH1_FIELDS) else ()

    def __repr__(self) -> str:
        # Objects end up in logs, tracebacks and debuggers: show which values exist, never the values.
        shown = ", ".join(f"{f.name}={'<set>' if getattr(self, f.name) else '<missing>'}" for f in fields(self))
        return f"Credentials({shown})"

    __str__ = __repr__
