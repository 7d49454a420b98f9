"""The X API credentials of one profile, safe to print."""

from __future__ import annotations

from dataclasses import dataclass, fields

CONSUMER_KEY = "consumer_key"
CONSUMER_SECRET = "consumer_secret"
ACCESS_TOKEN = "access_token"
ACCESS_TOKEN_SECRET = "access_token_secret"
BEARER_TOKEN = "bearer_token"

CREDENTIAL_FIELDS: tuple[str, ...] = (CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET, BEARER_TOKEN)


@dataclass(frozen=True, repr=False)
class Credentials:
    consumer_key: str | None = None
    consumer_secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None
    bearer_token: str | None = None

    @property
    def has_user_context(self) -> bool:
        """All four OAuth 1.0a values are present: enough to act as the account (DMs, follower lists)."""
        return all((self.consumer_key, self.consumer_secret, self.access_token, self.access_token_secret))

    @property
    def has_bearer(self) -> bool:
        """An app-only token is present: enough for read-only lookups."""
        return bool(self.bearer_token)

    @property
    def can_call_api(self) -> bool:
        """Enough to make any API call at all (the one rule for "this profile has X credentials")."""
        return self.has_user_context or self.has_bearer

    def __repr__(self) -> str:
        # Objects end up in logs, tracebacks and debuggers: show which values exist, never the values.
        shown = ", ".join(f"{f.name}={'<set>' if getattr(self, f.name) else '<missing>'}" for f in fields(self))
        return f"Credentials({shown})"

    __str__ = __repr__
