"""Plans the Followers table's view (filter, search, sort) over a `FollowerSnapshot`, without Qt or threads.

A view is `order[mask[order]]`: a gather and a compaction, milliseconds at a million followers. What the arrays
cannot answer (loading the snapshot, bio/location/DM-status criteria, the search text, text sorts) are *pieces*
computed once per value with SQL and cached until the next `refresh()`. The planner knows which pieces the
current state still lacks (`missing()`), whether they are cheap enough to compute in the calling thread
(`INLINE_ROW_LIMIT`) or go to a background runner, takes their results in (`accept`), and composes the
view once every piece is at hand. The Qt table model is a thin adapter over it, and `compute_pieces` is what
both the inline path and the background runner (`services/followers_queries.py`) run.

Latest wins: results computed for an older data version (`generation`) are ignored, and a failing request
is not retried until the state changes or `refresh()` asks for new data.

While a fetch stores pages, `append_new_followers()` asks for the followers stored since the snapshot: a new
data version whose request carries the snapshot and its cached pieces (`AppendBase`), so the query thread
reads only the new rows and extends the pieces with theirs (milliseconds, not a reload). Page notifications
coalesce: one such request at a time, the next as soon as its answer is in.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Generic, TypeVar

import numpy as np

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.snapshot import (
    NUMERIC_SORT_KEYS,
    FollowerSnapshot,
    SqlCriteria,
    normalized_search,
    sql_criteria,
)
from twexport_qt.followers.tiers import DEFAULT_TIERS, TierSpec

log = logging.getLogger(__name__)

# Up to this many followers every piece is computed in the calling (GUI) thread: a snapshot load takes ~15 ms
# there, and a round trip through a thread would only add flicker.
INLINE_ROW_LIMIT = 20_000
# Derived arrays kept per snapshot (1 byte a follower per mask, 4 per order): ~50 MB at a million.
MAX_CACHED_MASKS = 8
MAX_CACHED_ORDERS = 6
DEFAULT_SORT_FIELD = "followers_count"

_generations = itertools.count(1)


def new_generation() -> int:
    """A process-wide unique data version: results for any older one are stale."""
    return next(_generations)


class PieceKind(StrEnum):
    CRITERIA = "criteria"  # the SQL-only part of the filter (`SqlCriteria`)
    SEARCH = "search"  # the search box text
    SORT = "sort"  # a sort key's ascending order


@dataclass(frozen=True)
class Piece:
    """One thing a query computes; a runner compares the running piece with a new request's to interrupt it."""

    kind: PieceKind
    value: Hashable


@dataclass(frozen=True, eq=False)
class AppendBase:
    """A snapshot to extend with the followers stored since (`FollowerSnapshot.appended`), and the pieces
    cached for it, which the extended snapshot's pieces start from. Compared by identity."""

    snapshot: FollowerSnapshot
    sql_masks: dict[SqlCriteria, np.ndarray]
    search_masks: dict[str, np.ndarray]
    orders: dict[str, np.ndarray]


@dataclass(frozen=True)
class QueryRequest:
    """What one view is missing. `snapshot` None means: load the followers of `owner_id` first, or, with
    `base`, extend that snapshot with the followers stored since."""

    generation: int
    owner_id: int
    tiers: tuple[TierSpec, ...]
    snapshot: FollowerSnapshot | None = None
    criteria: SqlCriteria | None = None
    search: str = ""
    sort_key: str | None = None
    base: AppendBase | None = None
    request_id: int = 0  # set by the runner that accepted it

    def pieces(self) -> set[Piece]:
        wanted: set[Piece] = set()
        if self.criteria is not None:
            wanted.add(Piece(PieceKind.CRITERIA, self.criteria))
        if self.search:
            wanted.add(Piece(PieceKind.SEARCH, self.search))
        if self.sort_key is not None:
            wanted.add(Piece(PieceKind.SORT, self.sort_key))
        return wanted

    def without_id(self) -> QueryRequest:
        return replace(self, request_id=0)


@dataclass
class QueryResult:
    """The pieces computed for `request` on `snapshot` (which may be newly loaded)."""

    request: QueryRequest
    snapshot: FollowerSnapshot | None = None
    sql_masks: dict[SqlCriteria, np.ndarray] = field(default_factory=dict)
    search_masks: dict[str, np.ndarray] = field(default_factory=dict)
    orders: dict[str, np.ndarray] = field(default_factory=dict)
    interrupted: bool = False  # superseded by a newer request before every piece was done
    error: str | None = None  # a sentence for the user; the traceback went to the log

    @property
    def loaded_snapshot(self) -> bool:
        """This result brought a snapshot it loaded itself (not one the request carried)."""
        return self.snapshot is not None and self.request.snapshot is None


PieceListener = Callable[[Piece | None], None]


def compute_pieces(
    request: QueryRequest,
    conn: sqlite3.Connection,
    *,
    loaded: FollowerSnapshot | None = None,
    on_piece: PieceListener | None = None,
) -> QueryResult:
    """Compute `request` with `conn` (in the connection's own thread). Never raises.

    `loaded` is a snapshot already loaded for the request's generation (reused instead of loading again);
    `on_piece` hears which piece runs now (None: nothing a newer request could make useless).
    """
    result = QueryResult(request)
    tell = on_piece or _ignore_piece
    try:
        snapshot = request.snapshot or loaded
        base = request.base
        if snapshot is None:
            if base is not None:
                snapshot = base.snapshot.appended(conn)
            else:
                snapshot = FollowerSnapshot.load(conn, request.owner_id, request.tiers, with_summary=True)
        result.snapshot = snapshot
        if base is not None and not snapshot.continues(base.snapshot):
            base = None  # a request that carries its snapshot: nothing to extend
        if request.criteria is not None or request.search or _is_text_sort(request.sort_key):
            # Idempotent: after a background load it is usually done already (see FollowersQueryRunner).
            snapshot.prepare_text(conn)
        if request.criteria is not None:
            tell(Piece(PieceKind.CRITERIA, request.criteria))
            criteria = request.criteria
            result.sql_masks[criteria] = _extended_mask(
                base.sql_masks.get(criteria) if base is not None else None,
                lambda first: snapshot.sql_mask(criteria, conn, first_position=first))
        if request.search:
            tell(Piece(PieceKind.SEARCH, request.search))
            search = request.search
            result.search_masks[search] = _extended_mask(
                base.search_masks.get(search) if base is not None else None,
                lambda first: snapshot.search_mask(search, conn, first_position=first))
        if request.sort_key is not None:
            tell(Piece(PieceKind.SORT, request.sort_key))
            key = request.sort_key
            prefix_order = base.orders.get(key) if base is not None else None
            if base is not None and prefix_order is not None:
                order = snapshot.appended_order(key, prefix_order, len(base.snapshot), conn)
            else:
                order = snapshot.ascending_order(key, conn)
            result.orders[key] = order
    except sqlite3.OperationalError as exc:
        if "interrupt" not in str(exc):
            log.error("Followers query failed", exc_info=True)
            result.error = _failure_sentence(exc)
        result.interrupted = True
    except Exception as exc:  # told to the view as a sentence (the log has why): a query never fails silently
        log.error("Followers query failed", exc_info=True)
        result.error = _failure_sentence(exc)
    finally:
        tell(None)
    return result


def _extended_mask(prefix: np.ndarray | None, for_positions_from: Callable[[int], np.ndarray]) -> np.ndarray:
    """A mask over a whole snapshot: `prefix` (the mask of the snapshot it continues) and the rest computed by
    `for_positions_from(len(prefix))`, or, without a prefix, all of it computed."""
    if prefix is None:
        return for_positions_from(0)
    return np.concatenate([prefix, for_positions_from(len(prefix))])


def _ignore_piece(_piece: Piece | None) -> None:
    """The `on_piece` of a caller that interrupts nothing."""


def _is_text_sort(sort_key: str | None) -> bool:
    return sort_key is not None and sort_key not in NUMERIC_SORT_KEYS


def _failure_sentence(exc: Exception) -> str:
    return (f"Reading followers from the database failed ({type(exc).__name__}: {exc}). "
            "Try View → Refresh; details are in the log file.")


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A small least-recently-used cache (masks, orders, table blocks)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()

    def items(self) -> list[tuple[K, V]]:
        """Every cached key and value, least recently used first (a copy)."""
        return list(self._items.items())

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class ViewState:
    """What the user chose a view by: filter, search text and sort."""

    follower_filter: FollowerFilter
    search: str
    sort_field: str
    descending: bool


@dataclass(frozen=True, eq=False)
class ComposedView:
    """Rows on screen: snapshot positions in display order, and the filter (search aside) they came from."""

    snapshot: FollowerSnapshot
    positions: np.ndarray  # int positions into the snapshot's arrays, in display order
    filter_mask: np.ndarray  # per snapshot position: passes the filter (search aside); read-only
    shown_mask: np.ndarray  # per snapshot position: on screen (filter and search); read-only
    state: ViewState
    snapshot_is_new: bool  # the first view composed on this snapshot

    @property
    def follower_filter(self) -> FollowerFilter:
        return self.state.follower_filter

    @property
    def matching_count(self) -> int:
        return int(np.count_nonzero(self.filter_mask))

    def __len__(self) -> int:
        return len(self.positions)

    def follower_id_at(self, row: int) -> int | None:
        if not 0 <= row < len(self):
            return None
        return int(self.snapshot.user_id[self.positions[row]])

    def row_of_follower(self, user_id: int) -> int | None:
        """Display row of follower `user_id`, or None if unknown or hidden by the filter or search."""
        position = self.snapshot.position_of_user(user_id)
        if position is None or not self.shown_mask[position]:
            return None
        rows = np.flatnonzero(self.positions == position)  # ~1 ms over a million positions
        return int(rows[0]) if rows.size else None

    def rowids(self, start: int, stop: int) -> np.ndarray:
        """Rowids of display rows start..stop-1 (what the table reads cells by)."""
        return self.snapshot.rowid[self.positions[start:stop]]

    def with_rows_of(self, newer: ComposedView) -> ComposedView | None:
        """This view's rows in their order, then the rows `newer` adds (in newer's order): the step between the
        two when `newer` only adds rows to these (the same filter, search and sort over a snapshot continuing
        this one, as while a fetch appends followers); None when it does more than add."""
        old_size = len(self.snapshot)
        if newer.state != self.state or not newer.snapshot.continues(self.snapshot):
            return None
        older_rows = newer.positions < old_size
        if np.count_nonzero(older_rows) != len(self.positions):
            return None
        # Updated rows may fall out or come in where a mask was computed afresh: every old row must be kept.
        kept = np.zeros(old_size, dtype=bool)
        kept[newer.positions[older_rows]] = True
        if not kept[self.positions].all():
            return None
        added = newer.positions[~older_rows]
        positions = np.concatenate([self.positions, added]).astype(newer.positions.dtype)
        return replace(newer, positions=positions)


@dataclass(frozen=True)
class PlanOutcome:
    """What `update` decided: a view to show now (None: keep the rows on screen) and an inline failure."""

    view: ComposedView | None = None
    error: str | None = None


@dataclass(frozen=True)
class Acceptance:
    """What a background result meant: `relevant` False for an old data version (nothing to do)."""

    relevant: bool
    error: str | None = None


@dataclass(frozen=True)
class PieceWork:
    """How the planner gets pieces: `compute` in the calling thread, `count_up_to` to size an account before
    its first load, and `submit` to a background runner (None: everything inline)."""

    compute: Callable[[QueryRequest], QueryResult]
    count_up_to: Callable[[int, int], int]  # (owner_id, limit) -> min(followers, limit)
    submit: Callable[[QueryRequest], QueryRequest] | None = None


class FollowersViewPlanner:
    """The table's wished state (filter, search, sort), the pieces cached for it, and the composed view."""

    def __init__(
        self,
        owner_id: int,
        tiers: Sequence[TierSpec] = DEFAULT_TIERS,
        *,
        follower_filter: FollowerFilter | None = None,
        inline_row_limit: int | None = None,  # default: INLINE_ROW_LIMIT
    ) -> None:
        self.owner_id = owner_id
        self.tiers = tuple(tiers)
        self._inline_row_limit = INLINE_ROW_LIMIT if inline_row_limit is None else inline_row_limit
        self._filter = follower_filter or FollowerFilter()
        self._search_text = ""
        self._sort_field = DEFAULT_SORT_FIELD
        self._descending = True

        self._generation = new_generation()  # the data version wanted; refresh() moves it on
        self._snapshot: FollowerSnapshot | None = None  # the newest loaded, maybe not yet on screen
        self._snapshot_generation = 0
        self._sql_masks: Lru[SqlCriteria, np.ndarray] = Lru(MAX_CACHED_MASKS)
        self._search_masks: Lru[str, np.ndarray] = Lru(MAX_CACHED_MASKS)
        self._orders: Lru[str, np.ndarray] = Lru(MAX_CACHED_ORDERS)
        self._view: ComposedView | None = None

        self._latest_request: QueryRequest | None = None  # unanswered background request
        self._failed: QueryRequest | None = None  # not retried by itself
        self._append_wanted = False  # followers were stored since the snapshot: append them when free
        self._append_base: AppendBase | None = None  # what the current data version extends (None: a load)

    # -- the wished state --------------------------------------------------------------------------

    @property
    def follower_filter(self) -> FollowerFilter:
        return self._filter

    @property
    def search_text(self) -> str:
        return self._search_text

    @property
    def sort_field(self) -> str:
        return self._sort_field

    @property
    def descending(self) -> bool:
        return self._descending

    def set_filter(self, follower_filter: FollowerFilter) -> None:
        self._filter = follower_filter

    def set_search_text(self, text: str) -> bool:
        """Keep followers whose username, name or bio contains `text`; False if that is the current search."""
        text = normalized_search(text)
        if text == self._search_text:
            return False
        self._search_text = text
        return True

    def set_sort(self, sort_field: str, descending: bool) -> None:
        self._sort_field = sort_field
        self._descending = descending

    def refresh(self) -> None:
        """Ask for the data again (after a job wrote followers); the current rows stay until it is in."""
        self._generation = new_generation()
        self._failed = None
        self._append_wanted = False  # a load reads them too
        self._append_base = None

    def append_new_followers(self) -> None:
        """Followers were stored since the snapshot (a fetch committed a page): append them to it at the next
        `update`, or once the data version under way is in. Calls in between coalesce into one."""
        self._append_wanted = True

    # -- the view ----------------------------------------------------------------------------------

    @property
    def view(self) -> ComposedView | None:
        """The rows on screen (None until the first view is composed)."""
        return self._view

    @property
    def is_busy(self) -> bool:
        """Background work for the current filter, search, sort or data is still running."""
        return self._latest_request is not None

    def follower_id_at(self, row: int) -> int | None:
        return self._view.follower_id_at(row) if self._view is not None else None

    def row_of_follower(self, user_id: int) -> int | None:
        """Display row of follower `user_id`, or None if unknown or hidden by the filter or search."""
        return self._view.row_of_follower(user_id) if self._view is not None else None

    def rowids(self, start: int, stop: int) -> np.ndarray:
        """Rowids of display rows start..stop-1 (what the table reads cells by)."""
        return self._view.rowids(start, stop) if self._view is not None else np.empty(0, dtype=np.int64)

    # -- planning ----------------------------------------------------------------------------------

    def update(self, work: PieceWork) -> PlanOutcome:
        """Compose the current state if every piece is at hand; otherwise compute or submit the missing ones."""
        self._start_append_if_due()
        request = self.missing()
        if request is not None and request == self._failed:
            return PlanOutcome()  # the same work just failed; wait for a state change or refresh()
        if request is not None and self._runs_inline(request, work):
            result = work.compute(request)
            if result.error is not None:
                self._failed = request
                return PlanOutcome(error=result.error)
            self._merge(result)
            request = self.missing()
        if request is None:
            self._latest_request = None
            return PlanOutcome(view=self._compose())
        # Until the background pieces arrive, show whatever the cached pieces allow (or keep the old view).
        view = self._compose() if request.snapshot is None and self._snapshot is not None else None
        if work.submit is not None and (self._latest_request is None
                                        or self._latest_request.without_id() != request):
            self._latest_request = work.submit(request)
        return PlanOutcome(view=view)

    def accept(self, result: QueryResult) -> Acceptance:
        """Take a background result in; call `update` next when it is `relevant`."""
        if result.request.generation != self._generation:
            return Acceptance(relevant=False)  # older data, or another planner's (generations are process-wide)
        error = None
        latest = self._latest_request
        if latest is not None and result.request.request_id == latest.request_id:
            self._latest_request = None
            if result.error is not None:
                self._failed = result.request.without_id()
                error = result.error
        self._merge(result)
        return Acceptance(relevant=True, error=error)

    def missing(self) -> QueryRequest | None:
        """A request for what the current state needs and the caches lack, or None if nothing is missing."""
        loading = self._snapshot is None or self._snapshot_generation != self._generation
        criteria = sql_criteria(self._filter)
        if criteria is not None and not loading and self._sql_masks.get(criteria) is not None:
            criteria = None
        search = self._search_text
        if search and not loading and self._search_masks.get(search) is not None:
            search = ""
        sort_key: str | None = self._sort_field
        if not loading and self._orders.get(self._sort_field) is not None:
            sort_key = None
        if not loading and criteria is None and not search and sort_key is None:
            return None
        return QueryRequest(
            generation=self._generation, owner_id=self.owner_id, tiers=self.tiers,
            snapshot=None if loading else self._snapshot, criteria=criteria, search=search, sort_key=sort_key,
            base=self._append_base if loading else None,
        )

    def _start_append_if_due(self) -> None:
        """Make appending the followers stored since the snapshot the data version wanted, unless another
        version is still on its way (one at a time: page notifications coalesce while it runs)."""
        snapshot = self._snapshot
        if not self._append_wanted or snapshot is None or self._latest_request is not None:
            return
        if self._snapshot_generation != self._generation and self._failed is None:
            return  # a load is under way (it will hold these followers too, or the next append will)
        self._append_wanted = False
        self._generation = new_generation()
        self._failed = None
        self._append_base = AppendBase(
            snapshot, sql_masks=dict(self._sql_masks.items()), search_masks=dict(self._search_masks.items()),
            orders=dict(self._orders.items()),
        )

    def _runs_inline(self, request: QueryRequest, work: PieceWork) -> bool:
        if work.submit is None:
            return True
        if request.snapshot is not None:
            return len(request.snapshot) <= self._inline_row_limit
        # Loading: the previous size can mislead (a first fetch of a big account), so ask the store, at a cost
        # bounded by the limit itself.
        return work.count_up_to(self.owner_id, self._inline_row_limit + 1) <= self._inline_row_limit

    def _merge(self, result: QueryResult) -> None:
        """Take the pieces of `result` into the caches, installing its snapshot if it is a newer load."""
        if result.request.generation != self._generation or result.snapshot is None:
            return  # computed on data that has been replaced since
        if result.snapshot is not self._snapshot:
            if result.request.snapshot is not None:
                return  # pieces of a snapshot that is no longer the newest
            self._snapshot = result.snapshot
            self._sql_masks.clear()
            self._search_masks.clear()
            self._orders.clear()
        if result.request.snapshot is None:
            # Loaded for this version (an append that found nothing new hands back the same snapshot).
            self._snapshot_generation = result.request.generation
            self._append_base = None
        for criteria, mask in result.sql_masks.items():
            self._sql_masks.put(criteria, mask)
        for text, mask in result.search_masks.items():
            self._search_masks.put(text, mask)
        for key, order in result.orders.items():
            self._orders.put(key, order)

    def _compose(self) -> ComposedView | None:
        """The view of the current state from the cached pieces, or None if the snapshot lacks one of them."""
        snapshot = self._snapshot
        if snapshot is None:
            return None
        criteria = sql_criteria(self._filter)
        sql_mask = self._sql_masks.get(criteria) if criteria is not None else None
        search_mask = self._search_masks.get(self._search_text) if self._search_text else None
        order = self._orders.get(self._sort_field)
        if order is None or (criteria is not None and sql_mask is None) or (self._search_text and search_mask is None):
            return None
        before = self._view
        state = ViewState(self._filter, self._search_text, self._sort_field, self._descending)
        same_filter = before is not None and before.snapshot is snapshot and before.follower_filter == self._filter
        if before is not None and same_filter:
            filter_mask = before.filter_mask  # a sort or search change: the very same array (plots skip work)
        else:
            filter_mask = snapshot.numeric_mask(self._filter)
            if sql_mask is not None:
                filter_mask &= sql_mask
            filter_mask.flags.writeable = False
        if before is not None and same_filter and before.state.search == self._search_text:
            shown = before.shown_mask  # a sort change: the same followers are shown
        elif search_mask is not None:
            shown = filter_mask & search_mask
            shown.flags.writeable = False
        else:
            shown = filter_mask
        positions = order[shown[order]]
        if self._descending:
            positions = positions[::-1]  # ids_sorted's DESC order is the exact reverse (rowid breaks ties)
        self._view = ComposedView(
            snapshot=snapshot, positions=positions, filter_mask=filter_mask, shown_mask=shown, state=state,
            snapshot_is_new=before is None or before.snapshot is not snapshot,
        )
        return self._view
