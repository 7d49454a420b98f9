"""Sign out: ask X to revoke the refresh and access tokens, then delete them from the keyring. Deleting happens
even when X cannot be reached (offline), and the sentence says so, with how to revoke by hand."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from twexport_qt.core.errors import TwExportError
from twexport_qt.secrets.errors import SecretStoreError
from twexport_qt.signin.token_keeper import UserTokenKeeper

log = logging.getLogger(__name__)

REVOKE_BY_HAND = ("To be sure, remove the app at x.com → Settings and privacy → Security and account access → Apps "
                  "and sessions → Connected apps.")


@dataclass(frozen=True)
class SignOutReport:
    revoked: bool  # X confirmed revoking every token
    was_signed_in: bool
    sentence: str


def sign_out(keeper: UserTokenKeeper) -> SignOutReport:
    """Revoke and delete `keeper`'s profile token, holding the token lock so no renewal stores one afterwards."""
    profile = keeper.profile
    with keeper.exclusive():
        try:
            token = keeper.stored()
        except SecretStoreError:  # a damaged entry: nothing to revoke, still something to delete
            log.warning("The stored sign-in of %r is unreadable; deleting it", profile, exc_info=True)
            token = None
        except TwExportError:  # not signed in
            return SignOutReport(True, False, f"Profile {profile!r} is not signed in with X; nothing to sign out.")
        failure: TwExportError | None = None
        if token is not None:
            failure = _revoke_all(keeper, token.client_id, [(token.refresh_token, "refresh_token"),
                                                            (token.access_token, "access_token")])
        keeper.forget()
    if token is None:
        return SignOutReport(False, True, f"Profile {profile!r}'s unreadable sign-in was deleted from the keyring. "
                                          f"{REVOKE_BY_HAND}")
    if failure is not None:
        return SignOutReport(False, True, f"Signed out of profile {profile!r} on this computer: the token was deleted "
                                          f"from the keyring, but X could not be told to revoke it: "
                                          f"{failure.user_message} The token stops working within two hours. "
                                          f"{REVOKE_BY_HAND}")
    return SignOutReport(True, True, f"Signed out of profile {profile!r}: X revoked the token and it was deleted "
                                     "from the keyring.")


def _revoke_all(keeper: UserTokenKeeper, client_id: str,
                tokens: list[tuple[str | None, str]]) -> TwExportError | None:
    """Revoke each token; the first failure, if any (the others are still tried)."""
    client = keeper.token_client(client_id)
    first_failure: TwExportError | None = None
    try:
        for value, hint in tokens:
            if not value:
                continue
            try:
                client.revoke(value, hint=hint)
            except TwExportError as error:
                log.warning("Revoking the %s failed", hint, exc_info=True)
                first_failure = first_failure or error
    finally:
        client.close()
    return first_failure
