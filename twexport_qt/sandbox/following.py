"""Whom the sandbox account follows: a deterministic list that moves with its followers over simulated time.

The list, as `GET /2/users/:id/following` serves it newest first, is made of
* followers it followed back: follower #i with a draw below `follow_back_share` (about 1,500 at most, however
  large the population), followed right after they followed (so they interleave with the followers' order);
* the named sandbox accounts (alice_writes, private_pat, the DM test accounts...), followed before anyone else;
* generated accounts that never followed it (`Population.others_at`), spread over the same span of time;
* accounts tests follow (`follow`), newest of all, and minus those tests unfollow (`unfollow`).

A follower who leaves stays followed (people rarely unfollow back), so churn turns mutuals into accounts that
don't follow back; new followers are followed back with the same share. Each entry has an integer order key
(larger = followed later), which the pagination token carries: a page is the entries below the previous one's
last key, so a list that changes between pages neither repeats nor skips the entries that stayed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from twexport_qt.sandbox import det_random as dr

if TYPE_CHECKING:  # the population builds its followed accounts: importing it at run time would be circular
    from twexport_qt.sandbox.population import Population, UserRecord

FOLLOW_BACK_BUDGET = 1_500   # followers followed back, about, whatever the population's size
MAX_FOLLOW_BACK_SHARE = 0.3  # ...and at most this share of them (a 1,000-follower account: ~300 mutuals)
MAX_OTHERS = 600             # generated followed accounts that are no followers
# Order keys: follower #i's follow-back at i * _STEP + _FOLLOWER_SLOT, generated others at multiples of _STEP +
# _OTHER_SLOT, tests' follows after the newest follower's, from _SCRIPTED_SLOT up.
_STEP = 1 << 20
_OTHER_SLOT, _FOLLOWER_SLOT, _SCRIPTED_SLOT = 1 << 18, 1 << 19, 3 << 18
# The named accounts the sandbox account follows (ids of population.WELL_KNOWN; not the suspended one: X lists
# no suspended account), oldest first.
NAMED_FOLLOWED: tuple[int, ...] = (2_001, 2_002, 2_003, 2_004, 2_005, 2_007, 3_001, 3_002, 3_003, 3_004, 3_005)


@dataclass(frozen=True)
class FollowedEntry:
    """One account in the following list: its order key, and how to build it (a follower index, a generated
    other's number, or a user id)."""

    key: int
    follower_index: int | None = None
    other: int | None = None
    user_id: int | None = None


class FollowedAccounts:
    """The sandbox account's following list. Thread-safe: the server reads it while tests change it."""

    def __init__(self, population: Population) -> None:
        self._population = population
        base = max(population.followers, 1)
        self.follow_back_share = min(MAX_FOLLOW_BACK_SHARE, FOLLOW_BACK_BUDGET / base)
        self.others = min(MAX_OTHERS, max(20, population.followers // 10))
        self._follow_back_key = dr.stream_key(population.seed, "follow_back")
        self._lock = threading.Lock()
        self._followed_back = np.empty(0, dtype=np.int64)  # follower indices below `_decided_up_to` followed back
        self._decided_up_to = 0
        self._scripted: list[tuple[int, int]] = []  # (order key, user id) followed by tests
        self._unfollowed: set[int] = set()
        span = base * _STEP
        self._other_keys = (np.arange(self.others, dtype=np.int64) * span // max(self.others, 1)) // _STEP * _STEP \
            + _OTHER_SLOT
        self._named_keys = np.arange(-len(NAMED_FOLLOWED), 0, dtype=np.int64) * _STEP

    # -- what X serves ---------------------------------------------------------------------------------------

    def entries(self) -> list[FollowedEntry]:
        """Every account followed now, newest first."""
        population = self._population
        total = population.index_count
        with self._lock:
            if self._decided_up_to < total:
                fresh = np.arange(self._decided_up_to, total, dtype=np.int64)
                chosen = fresh[dr.unit_array(self._follow_back_key, fresh) < self.follow_back_share]
                self._followed_back = np.concatenate([self._followed_back, chosen])
                self._decided_up_to = total
            followed_back = self._followed_back
            scripted = list(self._scripted)
            unfollowed = set(self._unfollowed)
        if unfollowed:  # ids computed in bulk, not a record per entry
            gone = np.array(sorted(unfollowed), dtype=np.int64)
            followed_back = followed_back[~np.isin(population.follower_ids_at(followed_back), gone)]
            other_numbers = np.flatnonzero(~np.isin(population.other_ids_at(np.arange(self.others)), gone))
        else:
            other_numbers = np.arange(self.others)
        found: list[FollowedEntry] = [FollowedEntry(int(index) * _STEP + _FOLLOWER_SLOT, follower_index=int(index))
                                      for index in followed_back.tolist()]
        found += [FollowedEntry(int(self._other_keys[number]), other=int(number)) for number in other_numbers.tolist()]
        found += [FollowedEntry(int(key), user_id=user_id) for key, user_id in zip(self._named_keys.tolist(),
                                                                                    NAMED_FOLLOWED)
                  if user_id not in unfollowed]
        found += [FollowedEntry(key, user_id=user_id) for key, user_id in scripted if user_id not in unfollowed]
        found.sort(key=lambda entry: entry.key, reverse=True)
        return found

    def count(self) -> int:
        return len(self.entries())

    def page(self, below_key: int | None, limit: int) -> tuple[list[FollowedEntry], bool]:
        """Up to `limit` entries with a key below `below_key` (None: from the newest), and whether more follow."""
        listed = [entry for entry in self.entries() if below_key is None or entry.key < below_key]
        return listed[:limit], len(listed) > limit

    def page_above(self, above_key: int, limit: int) -> tuple[list[FollowedEntry], bool]:
        """For a previous_token: up to `limit` entries just above `above_key`, newest first, and whether more
        newer ones exist."""
        newer = [entry for entry in self.entries() if entry.key > above_key][::-1]  # oldest first
        chosen = newer[:limit]
        return chosen[::-1], len(newer) > limit

    def users(self, entries: Iterable[FollowedEntry]) -> list[UserRecord]:
        """The user records of `entries`, in their order (followers and others generated in one pass each)."""
        entries = list(entries)
        population = self._population
        indices = [entry.follower_index for entry in entries if entry.follower_index is not None]
        others = [entry.other for entry in entries if entry.other is not None]
        by_index = dict(zip(indices, population.users_at(np.array(indices, dtype=np.int64))))
        by_other = dict(zip(others, population.others_at(np.array(others, dtype=np.int64))))
        records: list[UserRecord] = []
        for entry in entries:
            if entry.follower_index is not None:
                records.append(by_index[entry.follower_index])
            elif entry.other is not None:
                records.append(by_other[entry.other])
            else:
                assert entry.user_id is not None  # every entry names its account one way
                user = population.by_id(entry.user_id)
                if user is not None:
                    records.append(user)
        return records

    def ids(self) -> list[int]:
        """Every followed account's id, newest first: the truth tests compare with."""
        population = self._population
        entries = self.entries()
        indices = np.array([e.follower_index for e in entries if e.follower_index is not None], dtype=np.int64)
        others = np.array([e.other for e in entries if e.other is not None], dtype=np.int64)
        follower_ids = iter(population.follower_ids_at(indices).tolist())
        other_ids = iter(population.other_ids_at(others).tolist())
        out = []
        for entry in entries:
            if entry.follower_index is not None:
                out.append(next(follower_ids))
            elif entry.other is not None:
                out.append(next(other_ids))
            else:
                assert entry.user_id is not None  # every entry names its account one way
                out.append(entry.user_id)
        return out

    # -- what tests script -----------------------------------------------------------------------------------

    def follow(self, user_ids: Iterable[int]) -> None:
        """The sandbox account follows `user_ids` now (newest of all, in the order given: the last is newest)."""
        total = self._population.index_count
        already = set(self.ids())
        with self._lock:
            for user_id in user_ids:
                if int(user_id) in already:
                    continue
                self._unfollowed.discard(int(user_id))
                slot = _SCRIPTED_SLOT + sum(1 for key, _ in self._scripted if key // _STEP == total - 1)
                if slot >= _STEP:
                    raise ValueError("Too many follows scripted at once: add a follower in between.")
                self._scripted = [(key, uid) for key, uid in self._scripted if uid != int(user_id)]
                self._scripted.append(((total - 1) * _STEP + slot, int(user_id)))

    def unfollow(self, user_ids: Iterable[int]) -> None:
        """The sandbox account stops following `user_ids`."""
        with self._lock:
            self._unfollowed.update(int(user_id) for user_id in user_ids)
