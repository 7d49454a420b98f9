"""The OAuth 2.0 user token of one profile ("Sign in with X"), kept whole in one keyring entry.

X rotates refresh tokens: each refresh spends the old one. The access token, the refresh token that goes with it,
the expiry and the granted scopes are therefore written together, in one entry, so no crash between two writes
can leave a new access token next to a spent refresh token. `repr` never shows a token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from twexport_qt.secrets.errors import SecretStoreError


@dataclass(frozen=True, repr=False)
class OAuth2Token:
    """What X's token endpoint granted, as TwExport keeps it.

    `client_id` is the developer app the token was issued to: only that app may refresh or revoke it, so it is
    kept with the token even if the profile's client id is later changed for the next sign-in.
    """

    access_token: str
    refresh_token: str | None  # None: `offline.access` was not granted, so the sign-in ends with the access token
    expires_at: float  # epoch seconds, on the app's clock
    scopes: tuple[str, ...]
    client_id: str

    def seconds_left(self, now: float) -> float:
        return self.expires_at - now

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def to_json(self) -> str:
        return json.dumps({"access_token": self.access_token, "refresh_token": self.refresh_token,
                           "expires_at": self.expires_at, "scopes": list(self.scopes), "client_id": self.client_id})

    @classmethod
    def from_json(cls, text: str) -> OAuth2Token:
        """The token stored by `to_json`; SecretStoreError (a sentence) if the entry was damaged."""
        try:
            data = json.loads(text)
            token = cls(access_token=str(data["access_token"]),
                        refresh_token=str(data["refresh_token"]) if data.get("refresh_token") else None,
                        expires_at=float(data["expires_at"]),
                        scopes=tuple(str(scope) for scope in data.get("scopes") or ()),
                        client_id=str(data.get("client_id") or ""))
        except (ValueError, TypeError, KeyError, AttributeError):
            raise SecretStoreError("The stored sign-in of this profile is damaged and cannot be used. Sign in "
                                   "with X again (Settings → X account).") from None
        if not token.access_token:
            raise SecretStoreError("The stored sign-in of this profile has no access token. Sign in with X again "
                                   "(Settings → X account).")
        return token

    def __repr__(self) -> str:
        # Tokens end up in logs, tracebacks and debuggers: show what the token is, never its values.
        refresh = "<set>" if self.refresh_token else "<missing>"
        return (f"OAuth2Token(access_token=<set>, refresh_token={refresh}, expires_at={self.expires_at:.0f}, "
                f"scopes={' '.join(self.scopes)!r}, client_id={self.client_id!r})")

    __str__ = __repr__
