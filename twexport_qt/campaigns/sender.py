"""Run a DM campaign: every planned DM reaches its recipient exactly once, whatever happens to the app.

The protocol, per DM:
  0. retries only: read the conversation for a reply since the first DM (`retry_guard.py`); a reply skips the
     retry (an opt-out also adds the follower to do-not-contact), an unreadable history leaves it due, unsent;
  1. claim: commit a 'sending' row (dm_log's UNIQUE key refuses a second claim of the same step);
  2. send: one HTTP request, never retried blindly (see `_send_once`);
  3. commit how it ended: 'sent' with X's event id, 'skipped' (X refused this person), or 'failed'; or leave
     it 'sending' when the outcome is unknown (timeout, reset, 5xx, a 2xx without an event id).
A run starts by reconciling 'sending' rows left by a crash or an unknown outcome (see `reconcile.py`), so such
a DM is either confirmed from X's DM history or, once X has had time to process it, sent: never twice.
Runs that may send hold the profile's campaign lock (`store/job_locks.py`, taken by the CLI command and the
GUI job), so a 'sending' row met by a run always belongs to a run that is over.

Safety switches come first: with the master switch off nothing is sent (dry runs still work, they only write
the log), test mode only ever reaches the test accounts, and a daily cap keeps a margin under X's 24 h limit.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from twexport_qt.campaigns import live_gate, reconcile
from twexport_qt.campaigns.planner import NOT_ACCEPTING_REASON, CampaignPlan, PlannedDM, plan_campaign
from twexport_qt.campaigns.retry_guard import RetryGuard, RetryVerdict
from twexport_qt.campaigns.settings import CampaignSettings, InvalidCampaignSettings
from twexport_qt.campaigns.test_accounts import resolve_test_accounts
from twexport_qt.core import errors
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.core.progress import Progress, ProgressCallback
from twexport_qt.core.timefmt import format_datetime
from twexport_qt.gateway.pacing import ENDPOINT_DM_SEND, ENDPOINT_ME, Pacer, WaitNotice
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.store import dm_repo
from twexport_qt.store.dm_repo import DmRow
from twexport_qt.store.dm_states import DmMode, DmStep

log = logging.getLogger(__name__)



class RunMode(StrEnum):
    """What a run did: the DM log it wrote (the values of `DmMode`), or OFF when a switch stopped it first."""

    LIVE = DmMode.LIVE.value
    TEST = DmMode.TEST.value
    DRY_RUN = DmMode.DRY_RUN.value
    OFF = "off"


class StopReason(StrEnum):
    DONE = "done"
    MASTER_SWITCH_OFF = "master_switch_off"
    NOT_CONFIRMED = "not_confirmed"
    INVALID_SETTINGS = "invalid_settings"
    DAILY_CAP = "daily_cap"
    ERROR = "error"  # X refused or failed: what is due stays due for a later run

CrashHook = Callable[[str], None]

# Stages at which `crash_hook` is called, in order, for every DM sent.
BEFORE_SEND = "before_send"
AFTER_SEND_BEFORE_COMMIT = "after_send_before_commit"
AFTER_COMMIT = "after_commit"

MAX_CONSECUTIVE_FAILURES = 3
# X's 403 on a DM normally means "this person does not accept your DMs", but missing DM permission on the
# access token is also a bare 403. That many refusals in a row point at the token, not at the people.
MAX_CONSECUTIVE_REFUSALS = 5

MASTER_SWITCH_OFF = "DM sending is switched off: turn on 'Enable DMs' in Settings to send. Nothing was sent."


class DeliveryUnknown(errors.TwExportError):
    """The send request may or may not have reached X (connection dropped, 5xx)."""

    default_message = "The connection dropped while sending a DM; X may or may not have delivered it."


@dataclass
class CampaignResult:
    mode: RunMode
    stop_reason: StopReason = StopReason.DONE
    message: str = ""
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    dry_run: int = 0           # DMs a dry run recorded as "would send"
    confirmed: int = 0         # interrupted DMs that X's history showed as delivered
    unconfirmed: int = 0       # DMs still 'sending' at the end: checked on the next run
    resume_at: float | None = None  # daily cap: when the next DM may go out
    recheck_at: float | None = None  # when unconfirmed DMs can be told apart from ones never sent
    # What a dry run measured its "would be sent" against, so the summary can say why not all that is due fits.
    due_first: int = 0
    due_retry: int = 0
    daily_cap: int | None = None
    sent_last_24h: int = 0
    # Test sends: the accounts left out because they already got exactly this text, of how many, for which step.
    already_tested: tuple[str, ...] = ()
    test_accounts: int = 0
    test_step: DmStep = DmStep.FIRST
    # Retries checked against the follower's reply just before their claim (campaigns/retry_guard.py).
    replied: int = 0           # not sent: the follower replied to the first DM (counted in `skipped` too)
    opted_out: int = 0         # of which the reply opted out: now on the do-not-contact list
    retries_held: int = 0      # not sent this run: the DM history could not be read; due again next run

    def summary(self) -> str:
        if self.mode == RunMode.DRY_RUN:
            counts = "" if self.stop_reason == StopReason.INVALID_SETTINGS else self._dry_run_counts()
            return f"{counts} {self.message}".strip()
        if self.mode == RunMode.TEST and self.already_tested and not (self.sent or self.skipped or self.failed
                                                                or self.confirmed or self.unconfirmed):
            return f"0 sent: {self._already_tested()}. {self.message}".strip()
        parts = [f"{self.sent} sent", f"{self.skipped} skipped", f"{self.failed} failed"]
        if self.already_tested:
            parts.append(f"not sent again: {self._already_tested()}")
        if self.confirmed:
            parts.append(f"{self.confirmed} confirmed after an interruption")
        if self.unconfirmed:
            when = f", checked with X again from {format_datetime(self.recheck_at)}" if self.recheck_at else ""
            parts.append(f"{self.unconfirmed} unconfirmed (never sent again before X's history is checked{when})")
        text = ", ".join(parts) + "."
        return f"{text} {self.message}".strip()

    def _dry_run_counts(self) -> str:
        """'400 due; 400 would be sent today (daily cap 400, 0 sent in the last 24 hours); 0 skipped because ...'"""
        due = self.due_first + self.due_retry
        split = f" ({self.due_first:,} first DMs, {self.due_retry:,} retries)" if self.due_retry else ""
        cap = (f" (daily cap {self.daily_cap:,}, {self.sent_last_24h:,} sent in the last 24 hours)"
               if self.daily_cap is not None else "")
        parts = [f"{due:,} due{split}", f"{self.dry_run:,} would be sent today{cap}",
                 f"{self.skipped:,} skipped because they don't accept DMs"]
        if due > self.dry_run:
            parts.append(f"{due - self.dry_run:,} wait for the following days (the plan shows when)")
        return "; ".join(parts) + "."

    def _already_tested(self) -> str:
        """'both test accounts already got this exact text; change the message to test it again'"""
        n, total = len(self.already_tested), self.test_accounts
        if n == total == 1:
            who = f"the test account @{self.already_tested[0]}"
        elif n == total == 2:
            who = "both test accounts"
        elif n == total:
            who = f"all {n} test accounts"
        else:
            who = " and ".join(f"@{name}" for name in self.already_tested)
        text, message = ("retry text", "retry message") if self.test_step == DmStep.RETRY else ("text", "message")
        return f"{who} already got this exact {text}; change the {message} to test it again"

    def explain_test_plan(self, plan: CampaignPlan, test_accounts: int, step: DmStep) -> None:
        """Remember who a test send leaves out and why, for the summary."""
        self.already_tested = tuple(plan.already_tested)
        self.test_accounts, self.test_step = test_accounts, step


def run_campaign(
    conn: sqlite3.Connection,
    gateway: XGateway,
    pacer: Pacer,
    clock: Clock,
    settings: CampaignSettings,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    on_wait: Callable[[WaitNotice], None] | None = None,
    crash_hook: CrashHook | None = None,
) -> CampaignResult:
    """Send (or dry-run) the DMs due now. Raises Cancelled when `cancel` is set; problems that stop the run
    (bad settings, daily cap, X refusing) are reported in the result with counts of what was done.

    `on_wait` is told when the daily cap stops the run, with the time the next DM may go out, so automatic
    mode can show a countdown. `crash_hook(stage)` lets tests simulate a crash at each stage of a send.
    """
    if not settings.dry_run and not settings.dm_enabled:
        return CampaignResult(RunMode.OFF, StopReason.MASTER_SWITCH_OFF, MASTER_SWITCH_OFF)
    if settings.sends_live and not settings.live_confirmed:
        return CampaignResult(RunMode.OFF, StopReason.NOT_CONFIRMED, live_gate.NOT_CONFIRMED)
    mode = DmMode.DRY_RUN if settings.dry_run else (DmMode.TEST if settings.test_mode else DmMode.LIVE)
    owner_id = int(pacer.call(ENDPOINT_ME, gateway.me)["id"])
    run = _CampaignRun(conn, gateway, pacer, clock, owner_id, CampaignResult(RunMode(mode)), progress, cancel,
                       crash_hook, opt_out_words=settings.opt_out_words)
    try:
        settings.check_templates()
        test_recipients = (resolve_test_accounts(gateway, pacer, settings.test_accounts, settings.tiers)
                           if settings.test_mode else None)
        if mode == DmMode.DRY_RUN:
            plan = plan_campaign(conn, owner_id, settings, run.now(), test_recipients=test_recipients,
                                 limit=run.capacity_left(settings.daily_cap))
            return run.record_dry_run(plan, settings.daily_cap)
        run.reconcile_unconfirmed()
        if run.result.stop_reason != StopReason.DONE:
            return run.result
        plan = plan_campaign(conn, owner_id, settings, run.now(), test_recipients=test_recipients,
                             limit=run.capacity_left(settings.daily_cap))
    except InvalidCampaignSettings as exc:
        run.stop(StopReason.INVALID_SETTINGS, exc.user_message)
        return run.result
    if test_recipients is not None:  # a test send that sends nothing says why
        tested_step = DmStep.RETRY if settings.test_retry_message else DmStep.FIRST
        run.result.explain_test_plan(plan, len(test_recipients), tested_step)
    run.send_plan(plan, settings.daily_cap, on_wait)
    run.report_replies()
    return run.result


def next_due_time(conn: sqlite3.Connection, owner_id: int, settings: CampaignSettings, now: int) -> float | None:
    """When automatic mode should run the campaign next: `now` if DMs are due, the time the earliest retry
    falls due, pushed back while the daily cap is full; None when nothing is pending or sending is off.

    Test mode is never scheduled: test sends are started by hand; nor is live sending nobody confirmed.
    """
    if not settings.dm_enabled or settings.test_mode or not settings.live_confirmed:
        return None
    plan = plan_campaign(conn, owner_id, settings, now, limit=0)
    dues: list[float] = []
    if plan.counts.first or plan.counts.retry:
        dues.append(now)
    elif settings.retry_enabled and (retry_due := dm_repo.earliest_retry_due(
            conn, owner_id, settings.retry_after_seconds)) is not None:
        dues.append(retry_due)
    unconfirmed = dm_repo.unconfirmed(conn, owner_id)
    if unconfirmed:  # not before X's history can tell: an earlier run would only find them "too young" again
        dues.append(min(row.created_at for row in unconfirmed) + reconcile.RECONCILE_GRACE_S)
    if not dues:
        return None
    due = min(dues)
    frees_at = dm_repo.slot_frees_at(conn, owner_id, now, settings.daily_cap)
    return max(due, frees_at) if frees_at is not None else due


@dataclass(frozen=True)
class _Target:
    """One DM being delivered: a fresh claim or an interrupted one being finished."""

    recipient_id: int
    username: str
    step: DmStep
    mode: DmMode
    text: str


class _CampaignRun:
    def __init__(
        self,
        conn: sqlite3.Connection,
        gateway: XGateway,
        pacer: Pacer,
        clock: Clock,
        owner_id: int,
        result: CampaignResult,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
        crash_hook: CrashHook | None,
        *,
        opt_out_words: Sequence[str] = (),
    ) -> None:
        self.conn, self.gateway, self.pacer, self.clock = conn, gateway, pacer, clock
        self.owner_id = owner_id
        self.result = result
        self._progress = progress
        self._cancel = cancel
        self._crash_hook = crash_hook or (lambda stage: None)
        self._consecutive_failures = 0
        self._refusals: list[_Target] = []  # consecutive 403s, reopened if they turn out to be the token's fault
        self._done = 0
        self._total = 0
        self.retry_guard = RetryGuard(conn, gateway, pacer, owner_id, opt_out_words, self.now)

    def now(self) -> int:
        return int(self.clock.now())

    def capacity_left(self, daily_cap: int) -> int:
        return max(0, daily_cap - dm_repo.sent_in_last_24h(self.conn, self.owner_id, self.now()))

    def stop(self, reason: StopReason, message: str) -> None:
        self.result.stop_reason, self.result.message = reason, message

    # -- dry run -------------------------------------------------------------------------------------
    def record_dry_run(self, plan: CampaignPlan, daily_cap: int | None = None) -> CampaignResult:
        now = self.now()
        with self.conn:  # a dry run shows what the next run would do: it replaces the previous dry run
            dm_repo.clear_mode(self.conn, self.owner_id, DmMode.DRY_RUN)
            for dm in plan.sends:
                dm_repo.record_dry_run(self.conn, self.owner_id, dm.recipient.user_id, dm.recipient.username,
                                       dm.step, dm.text, now)
            for dm in plan.skips:
                dm_repo.record_dry_run(self.conn, self.owner_id, dm.recipient.user_id, dm.recipient.username,
                                       dm.step, dm.text, now, reason=NOT_ACCEPTING_REASON)
        # The counts are exact (the lists stop at what fits today), so the summary names what is due in all.
        self.result.dry_run, self.result.skipped = len(plan.sends), plan.counts.skipped
        self.result.due_first, self.result.due_retry = plan.counts.first, plan.counts.retry
        self.result.daily_cap = daily_cap
        self.result.sent_last_24h = dm_repo.sent_in_last_24h(self.conn, self.owner_id, now)
        self.result.message = "Only recorded, nothing was sent."
        return self.result

    # -- interrupted sends -----------------------------------------------------------------------------
    def reconcile_unconfirmed(self) -> None:
        rows = dm_repo.unconfirmed(self.conn, self.owner_id)
        if rows:
            log.info("Reconciling %d interrupted DM(s)", len(rows))
        self._total += len(rows)
        for row in rows:
            try:
                delivery = reconcile.check_delivery(
                    self.gateway, self.pacer, row,
                    dm_repo.event_ids_for(self.conn, self.owner_id, row.recipient_id))
            except errors.Cancelled:
                raise
            except errors.TwExportError as exc:
                self.result.unconfirmed = len(dm_repo.unconfirmed(self.conn, self.owner_id))
                self.stop(StopReason.ERROR, f"Could not check interrupted DMs with X ({exc.user_message}) so "
                                            "nothing new was sent; they are checked again on the next run.")
                return
            if delivery.delivered:
                with self.conn:
                    dm_repo.mark_sent(self.conn, self.owner_id, row.recipient_id, row.step, row.mode,
                                      event_id=delivery.event_id, now=self.now())
                self.result.confirmed += 1
            elif self.now() < row.created_at + reconcile.RECONCILE_GRACE_S:
                # Not in the history yet, but X may still be processing it: leave the claim, check again later.
                self._leave_unconfirmed(row.created_at + reconcile.RECONCILE_GRACE_S)
            elif dm_repo.is_do_not_contact(self.conn, self.owner_id, row.recipient_id):
                with self.conn:
                    dm_repo.release_claim(self.conn, self.owner_id, row.recipient_id, row.step, row.mode)
            else:
                self._deliver(_target_of(row))
            self._advance()
            if self.result.stop_reason != StopReason.DONE:
                return

    def _leave_unconfirmed(self, recheck_at: float) -> None:
        self.result.unconfirmed += 1
        self.result.recheck_at = min(recheck_at, self.result.recheck_at or recheck_at)

    # -- new sends -------------------------------------------------------------------------------------
    def send_plan(self, plan: CampaignPlan, daily_cap: int, on_wait: Callable[[WaitNotice], None] | None) -> None:
        mode = plan.mode
        with self.conn:
            for dm in plan.skips:
                if dm_repo.mark_skipped(self.conn, self.owner_id, dm.recipient.user_id, dm.recipient.username,
                                        dm.step, mode, reason=NOT_ACCEPTING_REASON, now=self.now()):
                    self.result.skipped += 1
        sends = plan.sends
        self._total += len(sends)
        for dm in sends:
            if self._cancel is not None:
                self._cancel.raise_if_cancelled()
            if self.capacity_left(daily_cap) == 0:
                self._stop_for_daily_cap(daily_cap, on_wait)
                return
            self._send_new(dm, mode)
            self._advance()
            if self.result.stop_reason != StopReason.DONE:
                return
        if plan.counts.first + plan.counts.retry > len(sends) and self.capacity_left(daily_cap) == 0:
            self._stop_for_daily_cap(daily_cap, on_wait)

    def _send_new(self, dm: PlannedDM, mode: DmMode) -> None:
        if dm.step == DmStep.RETRY and not self._retry_may_go(dm, mode):
            return
        target = _Target(dm.recipient.user_id, dm.recipient.username, dm.step, mode, dm.text)
        with self.conn:
            claimed = dm_repo.claim(self.conn, self.owner_id, target.recipient_id, target.username, dm.step,
                                    mode, target.text, self.now())
        if not claimed:  # another run (another window, the CLI) took this step meanwhile
            return
        self._deliver(target)

    def _deliver(self, target: _Target) -> None:
        """Send a claimed DM and commit how it ended. The claim is already committed."""
        key = (self.conn, self.owner_id, target.recipient_id, target.step, target.mode)
        self._crash_hook(BEFORE_SEND)
        try:
            response = self.pacer.call(ENDPOINT_DM_SEND,
                                       lambda: _send_once(self.gateway, target.recipient_id, target.text))
        except errors.Cancelled:
            # The pacer raises Cancelled only before a request or after a 429: the DM did not leave.
            with self.conn:
                dm_repo.release_claim(*key)
            raise
        except DeliveryUnknown as exc:
            self._unknown_outcome(target, exc.user_message)
            return
        except errors.ForbiddenError as exc:
            self._refused(target, exc)
            return
        except (errors.AuthError, errors.UsageCapExceeded) as exc:
            self._failed(target, exc.user_message)
            self.stop(StopReason.ERROR, exc.user_message)
            return
        except errors.ApiError as exc:
            self._failed(target, exc.user_message)
            if self._consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
                self.stop(StopReason.ERROR, f"X refused {self._consecutive_failures} DMs in a row, the last "
                                            f"with: {exc.user_message} Check the message and try again.")
            return
        event_id = _event_id(response)
        if event_id is None:
            self._unknown_outcome(target, "X accepted the DM without the event id that proves it was sent.")
            return
        self._crash_hook(AFTER_SEND_BEFORE_COMMIT)
        with self.conn:
            dm_repo.mark_sent(*key, event_id=event_id, now=self.now())
        self._crash_hook(AFTER_COMMIT)
        self.result.sent += 1
        self._consecutive_failures = 0
        self._refusals.clear()

    def _unknown_outcome(self, target: _Target, why: str) -> None:
        """Neither sent nor refused for sure: the claim stays 'sending' and is reconciled like a crash leftover,
        never sent again blindly. The run stops: X is not answering as it should."""
        self._leave_unconfirmed(self.now() + reconcile.RECONCILE_GRACE_S)
        self.stop(StopReason.ERROR, f"{why} The DM to @{target.username} is checked with X's DM history before it "
                                    "could ever be sent again; run the campaign again later.")

    def _refused(self, target: _Target, exc: errors.ForbiddenError) -> None:
        reason = "; ".join(exc.api_messages) or exc.user_message
        if "Unsupported Authentication" in exc.user_message:
            self._failed(target, exc.user_message)
            self.stop(StopReason.ERROR, exc.user_message)
            return
        with self.conn:
            dm_repo.mark_skipped(self.conn, self.owner_id, target.recipient_id, target.username, target.step,
                                 target.mode, reason=reason, now=self.now())
        self.result.skipped += 1
        self._refusals.append(target)
        if len(self._refusals) >= MAX_CONSECUTIVE_REFUSALS:
            self._reopen_refusals()

    def _reopen_refusals(self) -> None:
        """Too many 403s in a row: un-skip them (due again next run) and stop; the token is the suspect."""
        reason = "X refused several DMs in a row; will try again"
        with self.conn:
            for target in self._refusals:
                dm_repo.reopen_skipped(self.conn, self.owner_id, target.recipient_id, target.step, target.mode,
                                       reason=reason, now=self.now())
        self.result.skipped -= len(self._refusals)
        self.result.failed += len(self._refusals)
        self.stop(StopReason.ERROR, f"X refused {len(self._refusals)} DMs in a row (403). Check that the access token "
                                    "has Read, Write and Direct Messages permission, then run the campaign again.")
        self._refusals.clear()

    def _failed(self, target: _Target, reason: str) -> None:
        with self.conn:
            dm_repo.mark_failed(self.conn, self.owner_id, target.recipient_id, target.step, target.mode,
                                reason=reason, now=self.now())
        self.result.failed += 1
        self._consecutive_failures += 1

    # -- replies before a retry (campaigns/retry_guard.py) ---------------------------------------------------
    def _retry_may_go(self, dm: PlannedDM, mode: DmMode) -> bool:
        """Read this follower's DM history just before the retry's claim: no retry after a reply, and none while
        the history cannot be read (it stays due)."""
        verdict = self.retry_guard.check(dm.recipient.user_id, dm.recipient.username, mode)
        if verdict == RetryVerdict.REPLIED:
            self.result.skipped += 1
        guard, result = self.retry_guard, self.result
        result.replied, result.opted_out, result.retries_held = guard.replied, guard.opted_out, guard.held
        return verdict == RetryVerdict.SEND

    def report_replies(self) -> None:
        """Say in the result who was not retried and why. Held retries make the run end in "error", as any run
        that left due DMs unsent because X could not answer."""
        sentences = self.retry_guard.summary()
        if sentences:
            self.result.message = f"{self.result.message} {sentences}".strip()
        if self.retry_guard.held and self.result.stop_reason == StopReason.DONE:
            self.result.stop_reason = StopReason.ERROR

    def _stop_for_daily_cap(self, daily_cap: int, on_wait: Callable[[WaitNotice], None] | None) -> None:
        resume_at = dm_repo.slot_frees_at(self.conn, self.owner_id, self.now(), daily_cap)
        self.result.resume_at = resume_at
        when = format_datetime(resume_at) if resume_at is not None else "later"
        self.stop(StopReason.DAILY_CAP,
                  f"The daily cap of {daily_cap} DMs is reached; the next DM can go out at {when}.")
        if on_wait is not None and resume_at is not None:
            on_wait(WaitNotice("daily_cap", ENDPOINT_DM_SEND, resume_at, self.result.message))

    def _advance(self) -> None:
        self._done += 1
        if self._progress is not None:
            r = self.result
            self._progress(Progress(self._done, self._total,
                                    f"{r.sent} sent, {r.skipped} skipped, {r.failed} failed"))


def _send_once(gateway: XGateway, recipient_id: int, text: str) -> dict[str, Any]:
    """One send attempt. The pacer retries 5xx and network errors for reads; for a DM that could deliver it
    twice (the request may have reached X before the answer was lost), so those become DeliveryUnknown,
    which the pacer does not retry. 429s stay retryable: X refused them before doing anything."""
    try:
        return gateway.send_dm(recipient_id, text)
    except (errors.ServerError, errors.NetworkError) as exc:
        raise DeliveryUnknown() from exc


def _event_id(response: dict[str, Any]) -> str | None:
    event_id = response.get("dm_event_id")
    return None if event_id in (None, "") else str(event_id)


def _target_of(row: DmRow) -> _Target:
    return _Target(row.recipient_id, row.recipient_username, row.step, row.mode, row.text)
