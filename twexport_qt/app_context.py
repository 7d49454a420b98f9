"""Everything a session of the app needs, for the GUI and the CLI alike.

Holds the data dir, settings, secret store and clock; knows the active profile; starts the in-process
sandbox for the Sandbox profile; and hands out per-thread resources (a SQLite connection, an XGateway),
because neither sqlite3 connections nor tweepy sessions are shared across threads. A profile signed in with X has
its OAuth 2.0 token renewed (`signin/token_keeper.py`) when a gateway is built and by the gateway itself. Every
gateway it builds records what X bills into the spend ledger (`billing/ledger.py`), under the profile and the job's
name, and stops before a request that could pass the profile's budgets or the run's `max_cost` (`billing/guard.py`).
"""

from __future__ import annotations

import argparse
import copy
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from twexport_qt import paths
from twexport_qt.app_logging import configure_logging
from twexport_qt.core.clock import Clock, SystemClock
from twexport_qt.core.errors import ConfigError
from twexport_qt.gateway.routing import API_BASE_URL_ENV, checked_api_base_url
from twexport_qt.profile_mapping import known_owner_id
from twexport_qt.secrets.credentials import Credentials
from twexport_qt.secrets.store import SecretStore
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.settings.storage import load_settings, save_settings_changes
from twexport_qt.store.database import DatabaseDamaged as DatabaseDamaged  # re-exported: open_context raises it
from twexport_qt.store.database import open_database
from twexport_qt.store.job_locks import LOCKS_DIR_NAME, JobKind, JobLock

# What a job, an API call or a view's first read needs is imported then, not when the context is made: the desktop
# app makes it before its window shows, and a window that waits for the gateway, the billing and every service's
# domain modules (numpy among them) shows half a second later (issue 17).
if TYPE_CHECKING:
    from twexport_qt.billing.guard import SpendGuard, SpendLimits
    from twexport_qt.billing.ledger import SpendRecorder
    from twexport_qt.billing.prices import PriceTable
    from twexport_qt.core.cancel import CancelToken
    from twexport_qt.gateway.pacing import Pacer, WaitNotice
    from twexport_qt.gateway.rate_limits import RateLimitState
    from twexport_qt.gateway.x_gateway import XGateway
    from twexport_qt.sandbox.config import SandboxConfig
    from twexport_qt.sandbox.server import SandboxServer
    from twexport_qt.services.campaigns import CampaignService
    from twexport_qt.services.do_not_contact import DoNotContactService
    from twexport_qt.services.downloads import DownloadsService
    from twexport_qt.services.followers import FollowersService
    from twexport_qt.services.following import FollowingService
    from twexport_qt.services.history import HistoryService
    from twexport_qt.services.spend import SpendService
    from twexport_qt.signin.token_keeper import UserTokenKeeper
    from twexport_qt.store.repair import RepairReport
    from twexport_qt.store.spend_repo import SpendRow

log = logging.getLogger(__name__)

ServiceT = TypeVar("ServiceT")

# The embedded sandbox: big enough to make the plots interesting, small enough to fetch in seconds.
DEFAULT_SANDBOX_FOLLOWERS = 5_000
SETTINGS_LOCK_FILE_NAME = "settings.lock"  # in the locks folder: one settings save at a time, across processes
DEFAULT_SANDBOX_SEED = 2026


@dataclass(frozen=True)
class ApiSession:
    """What one job thread needs to talk to X: its own DB connection, gateway and pacer."""

    conn: sqlite3.Connection
    gateway: XGateway
    pacer: Pacer


class AppContext:
    def __init__(
        self,
        data_dir: Path,
        *,
        settings: AppSettings,
        secrets: SecretStore,
        clock: Clock | None = None,
        sandbox_config: SandboxConfig | None = None,
        startup_problems: list[str] | None = None,
        configure_log: bool = True,
        api_base_url: str | None = None,
        holder: str = "command line",
        settings_as_read: AppSettings | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.settings_file = data_dir / paths.SETTINGS_FILE_NAME
        self.database_file = data_dir / paths.DATABASE_FILE_NAME
        self.log_file = data_dir / paths.LOG_FILE_NAME
        self.settings = settings
        # The settings file as this process last read or wrote it: a save writes only the changes made since
        # (`save_settings`). `open_context` passes what it read, with a `--profile` choice in it already, so that
        # choice is never saved as the active profile; without it, all of `settings` counts as this process's.
        self._settings_as_read = settings_as_read if settings_as_read is not None else AppSettings()
        self.secrets = secrets
        self.clock: Clock = clock or SystemClock()
        self.startup_problems = list(startup_problems or [])
        self.holder = holder  # who takes job locks: "command line" or "desktop app"
        self._api_base_override = checked_api_base_url(api_base_url) if api_base_url else None
        self.repair_report: RepairReport | None = None
        self.rate_limit_listener: Callable[[RateLimitState], None] | None = None
        # Hears of every ledger row written (in the job's thread), e.g. for today's spend in the status bar.
        self.spend_listener: Callable[[list[SpendRow]], None] | None = None
        self._sandbox_config = sandbox_config  # None: the default one, made when the sandbox starts
        self._sandbox: SandboxServer | None = None
        self._sandbox_lock = threading.Lock()
        self._owner_ids: dict[str, int] = {}
        self._services: dict[str, object] = {}  # made on first use: see _service
        self._services_lock = threading.RLock()  # re-entrant: a service being made may ask for another
        if configure_log:
            configure_logging(self.log_file)
        # Create/migrate the database now, so a file written by a newer version fails at start, with a message.
        open_database(self.database_file).close()
        self._sweep_exports_folder()
        # What views read and write through (they hold no connection of their own); closed by close().
        self._service_connections = ThreadConnections(
            lambda: open_database(self.database_file, check_same_thread=False))
        # The ledger's own connection per thread: its rows commit apart from a job's page transaction.
        self._spend_connections = ThreadConnections(
            lambda: open_database(self.database_file, check_same_thread=False))

    def _sweep_exports_folder(self) -> None:
        """Temporary files of exports killed mid-write into the default exports folder (see atomic_file.py)."""
        folder = self.data_dir / paths.EXPORTS_DIR_NAME
        if not folder.is_dir():
            return
        from twexport_qt.exports.atomic_file import remove_stale_parts

        try:
            remove_stale_parts(folder)
        except OSError:
            log.warning("Could not sweep %s", folder, exc_info=True)

    # -- services: each made (and its modules imported) when first used ---------------------------------
    def _service(self, name: str, make: Callable[[], ServiceT]) -> ServiceT:
        """The service called `name`, made by `make` when first asked for; once, whichever threads ask."""
        with self._services_lock:
            if name not in self._services:
                self._services[name] = make()
            return cast(ServiceT, self._services[name])

    @property
    def followers(self) -> FollowersService:
        from twexport_qt.services.followers import FollowersService

        return self._service("followers", lambda: FollowersService(self._service_connections, self.clock))

    @property
    def campaigns(self) -> CampaignService:
        from twexport_qt.services.campaigns import CampaignService

        return self._service("campaigns", lambda: CampaignService(self._service_connections, self.clock))

    @property
    def do_not_contact(self) -> DoNotContactService:
        from twexport_qt.services.do_not_contact import DoNotContactService

        return self._service("do_not_contact", lambda: DoNotContactService(self._service_connections, self.clock))

    @property
    def downloads(self) -> DownloadsService:
        from twexport_qt.services.downloads import DownloadsService

        # The active profile decides, at each call, whether the Sandbox's tweets and downloads or real ones are used.
        return self._service("downloads", lambda: DownloadsService(self._service_connections, self.clock,
                                                                   simulated=lambda: self.is_sandbox))

    @property
    def spend(self) -> SpendService:
        from twexport_qt.services.spend import SpendService

        return self._service("spend", lambda: SpendService(self._service_connections, self.clock))

    @property
    def history(self) -> HistoryService:
        from twexport_qt.services.history import HistoryService

        return self._service("history", lambda: HistoryService(self._service_connections, self.clock))

    @property
    def following(self) -> FollowingService:
        from twexport_qt.services.following import FollowingService

        return self._service("following", lambda: FollowingService(self, self._service_connections, self.clock))

    # -- profile ---------------------------------------------------------------------------------------
    @property
    def profile(self) -> Profile:
        return self.settings.active

    @property
    def is_sandbox(self) -> bool:
        return self.profile.kind == "sandbox"

    @property
    def prices(self) -> PriceTable:
        """X's prices the ledger bills at and estimates use: TwExport's table with the user's changes from
        Settings → Prices (app-wide), read anew each time, so a saved change applies to the next job."""
        return self.settings.prices.table()

    def switch_profile(self, name: str) -> None:
        if name not in self.settings.profiles:
            raise ConfigError(f"There is no profile named {name!r}.")
        self.settings.active_profile = name
        self.save_settings()

    def save_settings(self) -> None:
        """Save what this process changed in the settings since it last read or wrote them, over the file as it
        is now: what another process saved meanwhile (the app, a command-line job, the other way round) is kept,
        so a job that ran for hours never turns back a switch the user turned since (`settings.merge`)."""
        self.replace_settings(self.settings)

    def replace_settings(self, edited: AppSettings) -> None:
        """Make `edited` (an edited copy, such as the Settings dialog's) the context's settings, saved as
        `save_settings` saves. Afterwards the context holds what was saved, both processes' changes, with its
        own active profile kept (another process's choice of profile never switches this one's), and the same
        `Profile` objects where a profile is still there."""
        saved = save_settings_changes(edited, self._settings_as_read, self.settings_file,
                                      self.data_dir / LOCKS_DIR_NAME / SETTINGS_LOCK_FILE_NAME)
        own_active = edited.active_profile
        current = self.settings
        profiles: dict[str, Profile] = {}
        for name, profile in saved.profiles.items():
            kept = current.profiles.get(name)
            if kept is not None and kept is not profile:
                for item in fields(Profile):
                    setattr(kept, item.name, getattr(profile, item.name))
                profile = kept
            profiles[name] = profile
        if edited is not current:
            current = self.settings = edited
        for item in fields(AppSettings):
            setattr(current, item.name, getattr(saved, item.name))
        current.profiles = profiles
        if own_active in profiles:
            current.active_profile = own_active
        self._settings_as_read = copy.deepcopy(saved)

    # -- per-thread resources --------------------------------------------------------------------------
    def connect(self) -> sqlite3.Connection:
        """A new connection for the calling thread."""
        return open_database(self.database_file)

    def credentials(self) -> Credentials:
        return self.credentials_of(self.profile)

    def credentials_of(self, profile: Profile) -> Credentials:
        """`profile`'s credentials: the Sandbox's built-in ones, or what the keyring holds for it."""
        if profile.kind == "sandbox":
            return sandbox_credentials()
        return self.secrets.credentials(profile.name)

    def user_token_keeper(self, profile: Profile) -> UserTokenKeeper:
        """`profile`'s OAuth 2.0 user token ("Sign in with X"), renewed through the token endpoint of wherever its
        API traffic goes, serialised with every other thread and process on this data folder."""
        from twexport_qt.signin.token_client import TokenClient
        from twexport_qt.signin.token_keeper import UserTokenKeeper

        base_url = self.api_base_url_for(profile)
        return UserTokenKeeper(self.secrets, profile.name, locks_dir=self.data_dir / LOCKS_DIR_NAME, clock=self.clock,
                               token_client=lambda client_id: TokenClient(client_id, base_url=base_url,
                                                                          clock=self.clock))

    @property
    def sandbox(self) -> SandboxServer | None:
        return self._sandbox

    def api_base_url(self) -> str | None:
        """Where tweepy's requests go for the active profile (see `api_base_url_for`)."""
        return self.api_base_url_for(self.profile)

    def api_base_url_for(self, profile: Profile) -> str | None:
        """Where `profile`'s requests go: the `--api-base-url` override if given (any profile), else the
        in-process sandbox for the Sandbox profile, and X otherwise. Thread-safe; changes no setting."""
        if self._api_base_override is not None:
            return self._api_base_override
        if profile.kind != "sandbox":
            return None
        with self._sandbox_lock:
            if self._sandbox is None:
                from twexport_qt.sandbox.config import SandboxConfig
                from twexport_qt.sandbox.server import SandboxServer

                config = self._sandbox_config or SandboxConfig(followers=DEFAULT_SANDBOX_FOLLOWERS,
                                                               seed=DEFAULT_SANDBOX_SEED)
                self._sandbox = SandboxServer(config, clock=self.clock)
                self._sandbox.start()
            return self._sandbox.base_url

    def new_gateway(self, *, job: str | None = None, recorder: SpendRecorder | None = None,
                    max_cost: Decimal | None = None) -> XGateway:
        """A gateway for the calling thread whose answers are billed into the ledger under `job` (or `recorder`'s),
        and which stops (SpendLimitReached) before a request that could pass the active profile's daily or
        monthly budget, or take this gateway's own spend past `max_cost`.

        A profile signed in with X has its token renewed here when less than five minutes are left (and later by
        the gateway itself, before a request and once after a 401); a sign-in that cannot be renewed raises
        SignInExpired, whose sentence says to sign in again."""
        from twexport_qt.gateway.x_gateway import XGateway

        credentials = self.credentials()
        if not credentials.can_call_api:
            raise ConfigError(f"Profile {self.profile.name!r} has no X credentials yet: sign in with X in "
                              "File → Settings → X account (or use the Sandbox profile to try the app).")
        user_token = None
        if credentials.has_oauth2_user_token:
            user_token = self.user_token_keeper(self.profile)
            user_token.fresh()
        recorder = recorder or self.spend_recorder(job)
        guard = self.spend_guard(recorder, max_cost)
        return XGateway(credentials, base_url=self.api_base_url(), on_rate_limit=self.notify_rate_limit,
                        on_answer=recorder.record, signed_in_id=self.known_owner_id(),
                        before_request=guard.before_request if guard is not None else None, user_token=user_token)

    def spend_limits(self, max_cost: Decimal | None = None, *, profile: Profile | None = None) -> SpendLimits:
        """The limits a job of `profile` (default: the active one) runs under: its budgets, and `max_cost` for the
        run."""
        from twexport_qt.billing.guard import SpendLimits

        profile = profile or self.profile
        return SpendLimits(max_cost=max_cost, daily_budget=profile.daily_budget_usd,
                           monthly_budget=profile.monthly_budget_usd)

    def spend_guard(self, recorder: SpendRecorder, max_cost: Decimal | None = None, *,
                    profile: Profile | None = None) -> SpendGuard | None:
        """The guard of the run `recorder` records, reading the ledger on the calling thread's ledger connection;
        None when no limit of `profile` (default: the active one) applies (no budget, no max_cost): then nothing
        is checked."""
        from twexport_qt.billing.guard import SpendGuard

        limits = self.spend_limits(max_cost, profile=profile)
        if not limits.any:
            return None
        return SpendGuard(recorder, self._spend_connections.get, self.clock, limits)

    def spend_recorder(self, job: str | None = None, *, busy: Callable[[], bool] | None = None,
                       profile: Profile | None = None) -> SpendRecorder:
        """Records the billed answers of `profile` (default: the active one) under `job`, on the calling thread's
        ledger connection."""
        from twexport_qt.billing.ledger import SpendRecorder

        return SpendRecorder(self._spend_connections.get, self.prices, self.clock,
                             profile=(profile or self.profile).name, job=job, busy=busy,
                             on_recorded=self._notify_spend)

    @contextmanager
    def billing(self, job: str, profile: Profile) -> Iterator[tuple[SpendRecorder, SpendGuard | None]]:
        """The recorder and budget guard of a few requests made for `profile` (saved or not yet, active or not)
        outside a job's `api_session`, e.g. a connection test: on leaving, what is pending is written and the
        calling thread's ledger connection released."""
        recorder = self.spend_recorder(job, profile=profile)
        try:
            yield recorder, self.spend_guard(recorder, profile=profile)
        finally:
            try:
                recorder.flush()  # normally a no-op: each answer is written as it arrives
            finally:
                self._spend_connections.release()

    def new_pacer(self, gateway: XGateway, cancel: CancelToken | None = None,
                  on_wait: Callable[[WaitNotice], None] | None = None) -> Pacer:
        from twexport_qt.gateway.pacing import Pacer

        return Pacer(gateway.rate_limits, self.clock, cancel, on_wait)

    @contextmanager
    def api_session(self, cancel: CancelToken | None = None, on_wait: Callable[[WaitNotice], None] | None = None,
                    *, job: str | None = None, max_cost: Decimal | None = None) -> Iterator[ApiSession]:
        """Per-thread connection, gateway and pacer for a job; the connection is closed when the job ends.

        What X bills is recorded under `job` as each answer arrives; an answer that arrives while the job's own
        connection holds a write open is recorded once it is committed or rolled back (at the latest here). The
        job stops before a request that could pass the profile's budgets or its own `max_cost` (dollars).
        """
        conn = self.connect()
        recorder = self.spend_recorder(job, busy=lambda: _holds_write(conn))
        try:
            gateway = self.new_gateway(recorder=recorder, max_cost=max_cost)
            yield ApiSession(conn, gateway, self.new_pacer(gateway, cancel, on_wait))
        finally:
            conn.close()
            recorder.flush()
            self._spend_connections.release()

    def job_lock(self, kind: JobKind, scope: str | None = None, scope_label: str | None = None, *,
                 job_title: str | None = None) -> JobLock:
        """The cross-process lock of a job of `kind` for the active profile (or for `scope`, e.g. an output file),
        its owner note naming the job by `job_title` (see JobLock). Take it in the thread that runs the job:
        `with context.job_lock(JobKind.FOLLOWERS_FETCH): ...`."""
        name = self.profile.name
        return JobLock(self.data_dir, kind, scope or f"profile:{name}", holder=self.holder,
                       scope_label=scope_label or f"profile {name!r}", job_title=job_title)

    def download_lock(self, output: Path) -> JobLock:
        """One tweet download per output file at a time: two runs of one download would both append to it."""
        return self.job_lock(JobKind.TWEETS_DOWNLOAD, scope=f"output:{output}", scope_label=str(output))

    def owner_id(self, gateway: XGateway | None = None, pacer: Pacer | None = None) -> int:
        """The signed-in account's id, asked of X once per profile and session (/2/users/me)."""
        from twexport_qt.gateway.pacing import ENDPOINT_ME

        name = self.profile.name
        if name not in self._owner_ids:
            gateway = gateway or self.new_gateway()
            pacer = pacer or self.new_pacer(gateway)
            self._owner_ids[name] = int(pacer.call(ENDPOINT_ME, gateway.me)["id"])
        return self._owner_ids[name]

    def known_owner_id(self) -> int | None:
        """The account id if already known, from this session or the last fetch; no network."""
        if self.profile.name in self._owner_ids:
            return self._owner_ids[self.profile.name]
        return known_owner_id(self.profile)

    def remember_owner(self, owner_id: int, profile_name: str | None = None) -> None:
        """`owner_id` is the X account of `profile_name` (default: the active profile), as a job learnt it: a job
        names the profile it started on, which the user may have switched away from since."""
        name = profile_name or self.profile.name
        self._owner_ids[name] = owner_id
        profile = self.settings.profiles.get(name)
        if profile is not None and profile.kind != "sandbox" and profile.account_id != owner_id:
            profile.account_id = owner_id
            self.save_settings()

    def notify_rate_limit(self, state: RateLimitState) -> None:
        """Tell the window (its `rate_limit_listener`) what X's rate-limit headers said: every gateway's hook."""
        if self.rate_limit_listener is not None:
            self.rate_limit_listener(state)

    def _notify_spend(self, rows: list[SpendRow]) -> None:
        if self.spend_listener is not None:
            self.spend_listener(rows)

    def close(self) -> None:
        self._service_connections.close()
        self._spend_connections.close()
        with self._sandbox_lock:
            if self._sandbox is not None:
                self._sandbox.stop()
                self._sandbox = None


def _holds_write(conn: sqlite3.Connection) -> bool:
    """Whether `conn` has a write open that another connection of this thread would wait on forever."""
    try:
        return conn.in_transaction
    except sqlite3.ProgrammingError:  # closed: nothing to wait for
        return False


def sandbox_credentials() -> Credentials:
    """The simulated account's fixed, public credentials (they open nothing but the local sandbox)."""
    from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN, SANDBOX_CREDENTIALS

    c = SANDBOX_CREDENTIALS
    return Credentials(consumer_key=c.consumer_key, consumer_secret=c.consumer_secret, access_token=c.access_token,
                       access_token_secret=c.access_token_secret, bearer_token=SANDBOX_BEARER_TOKEN)


def open_context(args: argparse.Namespace, *, clock: Clock | None = None, holder: str = "command line",
                 repair: bool | None = None) -> AppContext:
    """Build the context from the command line (`--data-dir`, `--profile`, `--api-base-url`, `--repair`).

    A damaged database raises DatabaseDamaged unless `repair` (default: `--repair`) is set; then it is moved
    aside and replaced, and `context.repair_report` says what was saved.
    """
    data_dir = paths.data_dir(getattr(args, "data_dir", None))
    result = load_settings(data_dir / paths.SETTINGS_FILE_NAME)
    problems = list(result.problems)
    settings = result.settings
    as_read = copy.deepcopy(settings)
    problems += settings.ensure_invariants()
    wanted = getattr(args, "profile", None)
    if wanted:
        if wanted not in settings.profiles:
            known = ", ".join(sorted(settings.profiles))
            raise ConfigError(f"There is no profile named {wanted!r}. Profiles: {known}.")
        settings.active_profile = as_read.active_profile = wanted  # this process's choice, never saved
    base_url = getattr(args, "api_base_url", None) or os.environ.get(API_BASE_URL_ENV) or None
    if repair is None:
        repair = bool(getattr(args, "repair", False))
    secrets = SecretStore.open()

    def build() -> AppContext:
        return AppContext(data_dir, settings=settings, secrets=secrets, clock=clock, startup_problems=problems,
                          api_base_url=base_url, holder=holder, settings_as_read=as_read)

    try:
        return build()
    except DatabaseDamaged as damaged:
        if not repair:
            raise
        from twexport_qt.store.repair import repair_database

        report = repair_database(damaged.path)
    context = build()
    context.repair_report = report
    return context
