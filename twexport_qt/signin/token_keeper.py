"""A profile's OAuth 2.0 user token, kept fresh: renewed before it expires and once after X refused it.

X rotates refresh tokens: a refresh spends the old one. Two refreshes with the same refresh token, by two job
threads or by the desktop app and a command on the same profile, would have the second refused, and whichever
stored its answer last could leave the keyring with a spent token. So a renewal holds a lock that serialises
threads (a threading lock) and processes (an OS file lock in `<data>/locks/`, through `filelock`, as job locks do),
and reads the keyring again once it holds it: if another thread or process renewed meanwhile, its token is used
and no request is made.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from twexport_qt.core import messages
from twexport_qt.core.clock import Clock
from twexport_qt.core.errors import TwExportError
from twexport_qt.secrets.oauth2_token import OAuth2Token
from twexport_qt.secrets.store import SecretStore
from twexport_qt.signin.errors import SIGN_IN_AGAIN, SignInError, SignInExpired
from twexport_qt.signin.token_client import TokenClient

log = logging.getLogger(__name__)

REFRESH_MARGIN_S = 300.0  # renew a token with less than five minutes left, before a request can meet its expiry
LOCK_TIMEOUT_S = 120.0  # a renewal is one request with a 60-second read timeout: two minutes means a stuck holder

TokenClientFactory = Callable[[str], TokenClient]  # client id -> a token client routed where the profile's API goes

_thread_locks: dict[Path, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def _thread_lock(path: Path) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(path, threading.Lock())


class UserTokenKeeper:
    """The token of `profile`, as `x_gateway.UserTokenSource`. Thread-safe; one per gateway or shared."""

    def __init__(self, secrets: SecretStore, profile: str, *, locks_dir: Path, clock: Clock,
                 token_client: TokenClientFactory, margin_s: float = REFRESH_MARGIN_S) -> None:
        self._secrets = secrets
        self.profile = profile
        self._clock = clock
        self.token_client = token_client
        self._margin_s = margin_s
        digest = hashlib.sha256(profile.encode("utf-8")).hexdigest()[:16]
        self._lock_path = Path(locks_dir) / f"oauth2-{digest}.lock"
        self._token: OAuth2Token | None = None  # the last token read or renewed, so a fresh one needs no keyring read
        self._cache_guard = threading.Lock()

    @property
    def lock_path(self) -> Path:
        """The OS file lock every process renewing this profile's token takes."""
        return self._lock_path

    def stored(self) -> OAuth2Token:
        """The token in the keyring now; SignInExpired if the profile is not (or no longer) signed in."""
        token = self._secrets.oauth2_token(self.profile)
        if token is None:
            raise SignInExpired(f"Profile {self.profile!r} is not signed in with X. {SIGN_IN_AGAIN}")
        self._remember(token)
        return token

    def fresh(self) -> OAuth2Token:
        """A token with more than the margin left: the known one, or one renewed now (by this or another
        process)."""
        with self._cache_guard:
            token = self._token
        if token is None:
            token = self.stored()
        if self._good_for_a_while(token):
            return token
        return self._renew(self._good_for_a_while)

    def forget(self) -> None:
        """Delete the token from the keyring (sign-out); hold `exclusive()` around it."""
        self._secrets.delete_oauth2_token(self.profile)
        with self._cache_guard:
            self._token = None

    # -- x_gateway.UserTokenSource ---------------------------------------------------------------------
    def access_token(self) -> str:
        return self.fresh().access_token

    def renewed_access_token(self, refused: str) -> str:
        """A token other than `refused` (which X answered with 401): another process's newer one, or a renewal."""
        return self._renew(lambda current: current.access_token != refused).access_token

    # -- the lock --------------------------------------------------------------------------------------
    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the profile's token lock (threads and processes): for a renewal, and for signing out, so no
        renewal stores a token after it was deleted."""
        self._lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        thread_lock = _thread_lock(self._lock_path)
        if not thread_lock.acquire(timeout=LOCK_TIMEOUT_S):
            raise _busy(self.profile)
        try:
            with FileLock(self._lock_path, timeout=LOCK_TIMEOUT_S):
                yield
        except Timeout:
            raise _busy(self.profile) from None
        finally:
            thread_lock.release()

    # -- internals -------------------------------------------------------------------------------------
    def _good_for_a_while(self, token: OAuth2Token) -> bool:
        return token.seconds_left(self._clock.now()) > self._margin_s

    def _remember(self, token: OAuth2Token) -> None:
        with self._cache_guard:
            self._token = token

    def _renew(self, still_good: Callable[[OAuth2Token], bool]) -> OAuth2Token:
        with self.exclusive():
            current = self.stored()  # read again under the lock: another thread or process may have renewed
            if still_good(current):
                log.info("The sign-in of profile %r was already renewed elsewhere; using that token", self.profile)
                return current
            client = self.token_client(current.client_id)
            try:
                renewed = client.refresh(current)
            finally:
                client.close()
            log.info("Renewed the sign-in of profile %r", self.profile)
            self._remember(renewed)
            try:
                self._secrets.set_oauth2_token(self.profile, renewed)
            except TwExportError as exc:
                # The old refresh token is spent: the new one lives only in this process now.
                log.warning("Could not store the renewed sign-in of profile %r", self.profile, exc_info=True)
                messages.warning(f"The renewed sign-in of profile {self.profile!r} could not be saved in the keyring "
                                 f"({exc.user_message}). This session keeps working; after it you will need to sign "
                                 "in again.")
            return renewed


def _busy(profile: str) -> SignInError:
    return SignInError(f"Another TwExport window or command has been renewing the sign-in of profile {profile!r} for "
                       f"{LOCK_TIMEOUT_S:.0f} seconds without finishing. Try again; if it persists, restart TwExport.")
