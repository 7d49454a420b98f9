"""May this retry go out? The campaign asks just before claiming each retry; a follower who replied gets none.

For each retry about to be sent (never for the others: each check is one paced, billed read of X's DM history),
`RetryGuard.check` reads the conversation since our first DM (`replies.py`) and:
- no reply: "send";
- a reply: records it in `dm_replies` (time and event id only, never the text), records the retry as skipped
  with reason `dm_repo.REPLIED_REASON`, and, when the reply opts out (`opt_out.py`), puts the follower on the
  do-not-contact list with reason "opted out: <phrase>", all in one transaction: "replied";
- the history could not be read: "held". The retry is not sent and nothing is written, so it stays due for the
  next run. Never sent blindly: a reply we could not see may be a "stop". After a few unreadable histories in a
  row X is failing, not the conversations, so the run's remaining retries are held without reading.

Test mode works the same with the test log: a test account that replied to its test first DM gets no test retry
(test the first message again to start over).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from enum import StrEnum

from twexport_qt.campaigns.replies import FirstDm, ReplyCheck, check_replies
from twexport_qt.core import errors
from twexport_qt.gateway.pacing import Pacer
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.store import dm_repo
from twexport_qt.store.dm_states import DmMode, DmState, DmStep

MAX_UNREADABLE_IN_A_ROW = 3


class RetryVerdict(StrEnum):
    SEND = "send"
    REPLIED = "replied"  # not sent: the follower answered the first DM
    HELD = "held"  # not sent this run: the DM history could not be read


class RetryGuard:
    def __init__(
        self,
        conn: sqlite3.Connection,
        gateway: XGateway,
        pacer: Pacer,
        owner_id: int,
        opt_out_words: Sequence[str],
        now: Callable[[], int],
    ) -> None:
        self.conn, self.gateway, self.pacer = conn, gateway, pacer
        self.owner_id = owner_id
        self.opt_out_words = tuple(opt_out_words)
        self._now = now
        self.replied = 0          # retries skipped because the follower replied
        self.opted_out = 0        # of which the reply opted out
        self.held = 0             # retries not sent this run: their DM history could not be read
        self.reads = 0            # DM-history pages asked for (each one a paced request, its events billed)
        self._problem = ""        # why the last history could not be read
        self._unreadable_in_a_row = 0
        self._holding = False     # X keeps failing: hold the remaining retries without reading

    def check(self, recipient_id: int, username: str, mode: DmMode) -> RetryVerdict:
        """The verdict on the retry to `recipient_id` (`mode` 'live' or 'test'), with its records written."""
        if self._holding:
            self.held += 1
            return RetryVerdict.HELD
        first = dm_repo.get(self.conn, self.owner_id, recipient_id, DmStep.FIRST, mode)
        if first is None or first.state != DmState.SENT:
            return RetryVerdict.SEND  # nothing to reply to: only a test of the retry text alone gets here
        try:
            found = check_replies(self.gateway, self.pacer, recipient_id, FirstDm(first.event_id, first.created_at),
                                  self.opt_out_words)
        except errors.Cancelled:
            raise
        except errors.TwExportError as exc:
            self.reads += 1
            self._unreadable(username, exc)
            return RetryVerdict.HELD
        self.reads += found.pages_read
        self._unreadable_in_a_row = 0
        if not found.replied:
            return RetryVerdict.SEND
        self._record(recipient_id, username, mode, found)
        return RetryVerdict.REPLIED

    def summary(self) -> str:
        """Sentences for the run's result: who was not retried and why; empty when nothing happened."""
        sentences = []
        if self.replied:
            text = f"{_retries(self.replied)} not sent because the follower replied to the first DM"
            if self.opted_out:
                text += (f"; {self.opted_out} of them asked to get no more DMs and "
                         f"{'is' if self.opted_out == 1 else 'are'} on the do-not-contact list now")
            sentences.append(text + ".")
        if self.held:
            stay = "it stays" if self.held == 1 else "they stay"
            sentences.append(
                f"{_retries(self.held)} not sent this run: X's DM history could not be read ({self._problem}), and "
                f"a retry goes out only after its history shows no reply; {stay} due for the next run.")
        return " ".join(sentences)

    def _unreadable(self, username: str, exc: errors.TwExportError) -> None:
        self.held += 1
        self._problem = f"with @{username}: {exc.user_message}"
        self._unreadable_in_a_row += 1
        # Credentials refused or the monthly cap reached are not about one conversation: no point reading on.
        if self._unreadable_in_a_row >= MAX_UNREADABLE_IN_A_ROW or isinstance(
                exc, (errors.AuthError, errors.UsageCapExceeded)):
            self._holding = True

    def _record(self, recipient_id: int, username: str, mode: DmMode, found: ReplyCheck) -> None:
        now = self._now()
        phrase = found.opt_out_phrase
        with self.conn:
            for reply in found.replies:
                dm_repo.record_reply(self.conn, self.owner_id, recipient_id, reply.event_id, reply.created_at,
                                     opt_out=reply.opt_out_phrase is not None, now=now)
            if phrase is not None:
                dm_repo.add_do_not_contact(self.conn, self.owner_id, recipient_id, dm_repo.opt_out_reason(phrase), now)
            dm_repo.mark_skipped(self.conn, self.owner_id, recipient_id, username, DmStep.RETRY, mode,
                                 reason=dm_repo.REPLIED_REASON, now=now)
        self.replied += 1
        self.opted_out += phrase is not None


def _retries(n: int) -> str:
    return f"{n} retr{'y' if n == 1 else 'ies'}"
