"""The do-not-contact list: its entries with their followers, adding by username, removing.

Each change is its own transaction here, so the list's dialog holds no connection and runs no SQL; the list is
read in one query (at a million followers, one look-up per entry froze the dialog for seconds).
"""

from __future__ import annotations

from collections.abc import Iterable

from twexport_qt.core.clock import Clock
from twexport_qt.core.errors import TwExportError
from twexport_qt.core.usernames import normalize_username
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.store.dm_repo import DoNotContactEntry


class UnknownFollower(TwExportError):
    """What was typed names no fetched follower: nothing was added."""


class DoNotContactService:
    def __init__(self, db: ThreadConnections, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def entries(self, owner_id: int) -> list[DoNotContactEntry]:
        """The list, oldest entry first, each with the follower's @handle ("" when not among the fetched)."""
        return dm_repo.do_not_contact_entries(self._db.get(), owner_id)

    def add(self, owner_id: int, who: str, reason: str = "") -> int:
        """Put the follower `who` names on the list (a numeric id, or a @username or profile link of a fetched
        follower, in any case); returns their id. Adding someone already there updates the reason.

        Raises UnknownFollower, with a sentence saying what to do, when `who` names nobody fetched.
        """
        text = who.strip()
        if not normalize_username(text):
            raise UnknownFollower("Type a @username or an id.")
        conn = self._db.get()
        if text.isdigit():  # bare digits are an id; "@123" is the username 123
            user_id = int(text)
        else:
            record = followers_repo.find_by_username(conn, owner_id, normalize_username(text))
            if record is None:
                raise UnknownFollower(f"No fetched follower is called {text!r}: check the spelling, or fetch "
                                      "followers first.")
            user_id = record.user_id
        with conn:
            dm_repo.add_do_not_contact(conn, owner_id, user_id, reason.strip(), int(self._clock.now()))
        return user_id

    def remove(self, owner_id: int, user_ids: Iterable[int]) -> int:
        """Take these followers off the list (campaigns may message them again); returns how many were on it."""
        conn = self._db.get()
        with conn:
            return sum(dm_repo.remove_do_not_contact(conn, owner_id, user_id) for user_id in user_ids)
