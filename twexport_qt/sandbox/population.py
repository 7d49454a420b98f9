"""The sandbox account, its followers (lazily generated), the accounts it follows (following.py) and a few
well-known accounts.

Follower #i (0 = the oldest follower) is a pure function of (seed, i), so any page of a 1,000,000-follower
account is generated on demand, vectorised with numpy, and holds nothing in memory between requests. Mutations
for refresh tests stay lazy too: unfollowing adds an index to a removed-set, new followers extend the count.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from twexport_qt.core.snowflake import SNOWFLAKE_DATES_FROM, TIMESTAMP_SHIFT, TWEPOCH_MS
from twexport_qt.sandbox import det_random as dr
from twexport_qt.sandbox import names
from twexport_qt.sandbox.following import FollowedAccounts
from twexport_qt.sandbox.wire import format_time

SANDBOX_USER_ID = 1_486_732_650_112_401_409
SANDBOX_USERNAME = "sandbox_creator"

FOLLOWER_ID_BASE = 100_000_000  # follower ids: BASE + index * ID_STRIDE + jitter, so they invert to an index
ID_STRIDE = 1000
# Accounts the sandbox account follows that never followed it (following.py): ids OTHER_ID_BASE + k * ID_STRIDE +
# jitter, below every follower id, usernames ending "_f<k in base 36>".
OTHER_ID_BASE = 10_000_000

X_LAUNCH = 1_142_899_200  # 2006-03-21T00:00:00Z
POPULATION_END = 1_767_225_600  # 2026-01-01T00:00:00Z

DEFAULT_USER_FIELDS = ("id", "name", "username")
# Ids X numbered one by one before snowflakes; the population's posts from those years get one of these, which
# (as on X) says nothing about when it was posted.
LAST_SEQUENTIAL_POST_ID = 29_000_000_000


@dataclass(slots=True)
class UserRecord:
    """A user as the sandbox knows it. Treat as immutable (not frozen only because frozen __init__ is ~2x slower
    and a 1000-follower page builds 1000 of these)."""

    id: int
    username: str
    name: str
    created_at: float
    description: str = ""
    location: str = ""
    url: str = ""
    verified: bool = False
    verified_type: str = "none"
    protected: bool = False
    receives_your_dm: bool = True
    followers_count: int = 0
    following_count: int = 0
    tweet_count: int = 0
    listed_count: int = 0
    suspended: bool = False
    # The id of their newest post (X's `most_recent_tweet_id`); None: they never posted, and X leaves it out.
    most_recent_tweet_id: int | None = None
    # When they posted it, epoch milliseconds: the truth tests compare the id's decoding with.
    last_posted_ms: int | None = None

    @property
    def profile_image_url(self) -> str:
        return f"https://pbs.twimg.com/profile_images/{self.id}/avatar_normal.jpg"

    def to_json(self, fields: Iterable[str]) -> dict[str, Any]:
        """The v2 user object restricted to `fields` (id, name and username are always present)."""
        wanted = set(fields) | set(DEFAULT_USER_FIELDS)
        everything: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "username": self.username,
            "created_at": format_time(self.created_at),
            "description": self.description,
            "location": self.location,
            "url": self.url,
            "profile_image_url": self.profile_image_url,
            "protected": self.protected,
            "verified": self.verified,
            "verified_type": self.verified_type,
            "receives_your_dm": self.receives_your_dm,
            "public_metrics": {
                "followers_count": self.followers_count,
                "following_count": self.following_count,
                "tweet_count": self.tweet_count,
                "listed_count": self.listed_count,
            },
        }
        if self.most_recent_tweet_id is not None:
            everything["most_recent_tweet_id"] = str(self.most_recent_tweet_id)
        return {key: value for key, value in everything.items() if key in wanted}


def _special(user_id: int, username: str, name: str, created: str, **kw: Any) -> UserRecord:
    epoch = dt.datetime.fromisoformat(created).replace(tzinfo=dt.UTC).timestamp()
    return UserRecord(id=user_id, username=username, name=name, created_at=epoch, **kw)


# Accounts with fixed ids, outside the follower id range. Tweet histories for them live in tweets_world.
WELL_KNOWN: tuple[UserRecord, ...] = (
    _special(SANDBOX_USER_ID, SANDBOX_USERNAME, "Sandbox Creator (simulated)", "2012-04-02T10:00:00",
             description="The simulated account of TwExport's sandbox. Nothing here is real.",
             following_count=321, tweet_count=1200, listed_count=12),
    _special(2_001, "alice_writes", "Alice Writes", "2010-05-14T08:30:00",
             description="writer & editor. essays on craft, coffee and AI ✍️", followers_count=48_210,
             following_count=812, tweet_count=4800, listed_count=640, verified=True, verified_type="blue"),
    _special(2_002, "bob_builds", "Bob Builds", "2013-09-01T12:00:00",
             description="engineer, founder of a tiny SaaS. <b>shipping</b> daily", followers_count=9_870,
             following_count=1_204, tweet_count=2100, listed_count=88),
    _special(2_003, "carol_codes", "Carol Codes", "2009-02-11T17:45:00", followers_count=120_400,
             following_count=300, tweet_count=400, listed_count=1500, verified=True, verified_type="business"),
    _special(2_004, "dave_designs", "Dave Designs", "2011-07-07T07:07:00", followers_count=3_300,
             following_count=2_900, tweet_count=400, listed_count=40),
    _special(2_005, "erin_edits", "Erin Edits", "2014-12-24T20:00:00", followers_count=760,
             following_count=510, tweet_count=400, listed_count=9),
    _special(2_006, "suspended_sam", "Sam (suspended)", "2015-03-03T03:03:00", suspended=True,
             followers_count=10, following_count=5000, tweet_count=300),
    _special(2_007, "private_pat", "Pat Private", "2016-06-16T16:16:00", protected=True,
             followers_count=150, following_count=140, tweet_count=400, listed_count=1),
    *(
        _special(3_000 + n, f"test_account_{n}", f"Test{n} Account", f"2020-01-0{n}T09:00:00",
                 description="TwExport DM test-mode recipient (sandbox)", followers_count=n, following_count=1)
        for n in range(1, 6)
    ),
)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(value: int) -> str:
    out = _DIGITS[value % 36]
    value //= 36
    while value:
        out = _DIGITS[value % 36] + out
        value //= 36
    return out


def _ascii_stem(first_name: str) -> str:
    stem = "".join(ch for ch in first_name.lower() if "a" <= ch <= "z")
    return (stem or "user")[:9]


@dataclass
class Population:
    """The world's users. Thread-safe: the HTTP server reads it from many threads while tests mutate it."""

    seed: int
    followers: int = 1000
    # The moment "recently posted" is measured back from: the population's end in tests (a fixed clock), the
    # sandbox's start in the app, so the simulated audience is as active today as it was on that date.
    activity_end: int = POPULATION_END
    _removed: set[int] = field(default_factory=set, repr=False)
    _total: int = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.followers <= 50_000_000:
            raise ValueError("followers must be between 0 and 50,000,000")
        self._total = self.followers
        self._by_id = {user.id: user for user in WELL_KNOWN}
        self._by_username = {user.username.lower(): user for user in WELL_KNOWN}
        self._keys = {name: dr.stream_key(self.seed, name) for name in _STREAMS}
        self._other_keys = {name: dr.stream_key(self.seed, f"followed:{name}") for name in _STREAMS}
        # Whom the sandbox account follows: some followers back, the named accounts, generated others.
        self.following = FollowedAccounts(self)

    # ----- the account itself and its follower list -------------------------------------------------------

    @property
    def me(self) -> UserRecord:
        return replace(self._by_id[SANDBOX_USER_ID], followers_count=self.follower_count,
                       following_count=self.following.count())

    @property
    def follower_count(self) -> int:
        with self._lock:
            return self._total - len(self._removed)

    @property
    def index_count(self) -> int:
        """Follower indices ever issued (current followers plus the unfollowed)."""
        with self._lock:
            return self._total

    def is_follower_index(self, index: int) -> bool:
        with self._lock:
            return 0 <= index < self._total and index not in self._removed

    def add_followers(self, count: int) -> list[int]:
        """`count` new followers, who appear at the top of the (newest-first) list. Returns their ids."""
        with self._lock:
            first = self._total
            self._total += count
        return [user.id for user in self.users_at(np.arange(first, first + count))]

    def unfollow(self, user_ids: Iterable[int]) -> None:
        for user_id in user_ids:
            index = self.follower_index_of(int(user_id))
            if index is None:
                raise KeyError(f"{user_id} is not a follower of the sandbox account")
            with self._lock:
                self._removed.add(index)

    def follower_ids(self) -> list[int]:
        """Every current follower's id, newest first, as X lists them: the truth that history tests check."""
        with self._lock:
            total, removed = self._total, set(self._removed)
        indices = np.array([index for index in range(total - 1, -1, -1) if index not in removed], dtype=np.int64)
        return [int(user_id) for user_id in FOLLOWER_ID_BASE + indices * ID_STRIDE + self._jitter(indices)]

    def follower_indices_desc(self, start: int, limit: int) -> list[int]:
        """Up to `limit` current-follower indices walking from `start` down to 0 (newest first)."""
        out: list[int] = []
        with self._lock:
            index = min(start, self._total - 1)
            removed = self._removed
            while index >= 0 and len(out) < limit:
                if index not in removed:
                    out.append(index)
                index -= 1
        return out

    def follower_indices_asc(self, start: int, limit: int) -> list[int]:
        """Up to `limit` current-follower indices walking from `start` upwards (for previous_token pages)."""
        out: list[int] = []
        with self._lock:
            index = max(start, 0)
            while index < self._total and len(out) < limit:
                if index not in self._removed:
                    out.append(index)
                index += 1
        return out

    # ----- lookups ----------------------------------------------------------------------------------------

    def by_id(self, user_id: int) -> UserRecord | None:
        if user_id in self._by_id:
            return self._by_id[user_id] if user_id != SANDBOX_USER_ID else self.me
        other = self.other_index_of(user_id)
        if other is not None:
            return self.others_at(np.array([other]))[0]
        index = self.follower_index_of(user_id, include_removed=True)
        return None if index is None else self.users_at(np.array([index]))[0]

    def by_username(self, username: str) -> UserRecord | None:
        key = username.lower()
        if key in self._by_username:
            return self.by_id(self._by_username[key].id)
        stem, _, suffix = key.rpartition("_")
        if suffix.startswith("f") and len(suffix) > 1:  # perhaps a followed account that is no follower
            try:
                other = int(suffix[1:], 36)
            except ValueError:
                other = -1
            if 0 <= other < self.following.others:
                found = self.others_at(np.array([other]))[0]
                if found.username.lower() == key:
                    return found
        try:
            index = int(suffix, 36)
        except ValueError:
            return None
        if not stem or not 0 <= index < self.index_count:
            return None
        user = self.users_at(np.array([index]))[0]
        return user if user.username.lower() == key else None

    def follower_index_of(self, user_id: int, *, include_removed: bool = False) -> int | None:
        index, jitter = divmod(user_id - FOLLOWER_ID_BASE, ID_STRIDE)
        if user_id < FOLLOWER_ID_BASE or not 0 <= index < self.index_count:
            return None
        if int(self._jitter(np.array([index]))[0]) != jitter:
            return None
        if not include_removed and not self.is_follower_index(index):
            return None
        return index

    def other_index_of(self, user_id: int) -> int | None:
        """The number of a generated followed account that is no follower, from its id (None: not one)."""
        other = (user_id - OTHER_ID_BASE) // ID_STRIDE
        if user_id < OTHER_ID_BASE or not 0 <= other < self.following.others:
            return None
        return other if int(self._other_ids(np.array([other]))[0]) == user_id else None

    # ----- generation -------------------------------------------------------------------------------------

    def _jitter(self, idx: np.ndarray) -> np.ndarray:
        return (dr.unit_array(self._keys["id"], idx) * ID_STRIDE).astype(np.int64)

    def follower_ids_at(self, idx: np.ndarray) -> np.ndarray:
        """The ids of followers number `idx` (current or not), without building their records."""
        return FOLLOWER_ID_BASE + idx * ID_STRIDE + self._jitter(idx)

    def other_ids_at(self, idx: np.ndarray) -> np.ndarray:
        """The ids of the generated followed accounts number `idx` (see following.py)."""
        return self._other_ids(np.asarray(idx, dtype=np.int64))

    def _other_ids(self, idx: np.ndarray) -> np.ndarray:
        return OTHER_ID_BASE + idx * ID_STRIDE + (dr.unit_array(self._other_keys["id"], idx) * ID_STRIDE).astype(
            np.int64)

    def users_at(self, indices: Iterable[int] | np.ndarray) -> list[UserRecord]:
        """Follower records for `indices`, every numeric attribute drawn in one vectorised pass."""
        idx = np.asarray(indices if isinstance(indices, np.ndarray) else list(indices), dtype=np.int64)
        return self._generate(idx, self._keys, FOLLOWER_ID_BASE + idx * ID_STRIDE + self._jitter(idx), "")

    def others_at(self, indices: Iterable[int] | np.ndarray) -> list[UserRecord]:
        """Records of the generated accounts the sandbox account follows that never followed it (numbers k)."""
        idx = np.asarray(indices if isinstance(indices, np.ndarray) else list(indices), dtype=np.int64)
        return self._generate(idx, self._other_keys, self._other_ids(idx), "f")

    def _generate(self, idx: np.ndarray, keys: dict[str, int], ids: np.ndarray,
                  username_mark: str) -> list[UserRecord]:
        """Records for numbers `idx` drawn from the streams `keys`, with ids `ids`; usernames end in
        `_<mark><number in base 36>`."""
        if idx.size == 0:
            return []
        u = {name: dr.unit_array(key, idx) for name, key in keys.items()}
        # Pareto tail (alpha ~1.05): median ~40 followers, a handful of millions in a 1M population.
        followers = np.minimum(np.floor(20.0 / np.power(1.0 - u["followers"], 1 / 1.05)) - 20, 150_000_000)
        noise = dr.normal_array(keys["following_noise"], idx)
        following = np.clip(np.exp(2.5 + 0.45 * np.log1p(followers) + 0.9 * noise), 0, 7_500).astype(np.int64)
        tweets = np.floor(np.exp(4.0 + 2.0 * dr.normal_array(keys["tweets"], idx))).clip(0, 2_000_000)
        listed = np.floor(followers * 0.01 * u["listed"]).astype(np.int64)
        created = X_LAUNCH + (POPULATION_END - X_LAUNCH) * np.power(u["created"], 0.7)
        verified = u["verified"] < 0.03
        protected = u["protected"] < 0.05
        dm_ok = u["dm"] >= 0.10
        posted_ms, post_ids = _last_posts(idx, created, tweets, u["posted"], self.activity_end)
        pick = {name: (u[name] * len(options)).astype(np.int64).tolist() for name, options in _CHOICES.items()}
        # Python-level work per record stays minimal: plain lists, cached strings (a 1000 page in a few ms).
        columns = zip(idx.tolist(), ids.tolist(), created.tolist(), followers.tolist(), following.tolist(),
                      tweets.tolist(), listed.tolist(), verified.tolist(), protected.tolist(), dm_ok.tolist(),
                      u["vtype"].tolist(), u["url"].tolist(), u["inject"].tolist(), u["emoji"].tolist(),
                      posted_ms.tolist(), post_ids.tolist())
        records = []
        for n, (index, user_id, joined, n_followers, n_following, n_tweets, n_listed, is_verified, is_protected,
                is_dm_ok, u_vtype, u_url, u_inject, u_emoji, last_ms, post_id) in enumerate(columns):
            first_i = pick["first"][n]
            records.append(UserRecord(
                id=user_id,
                username=f"{_STEMS[first_i]}_{username_mark}{_base36(index)}",
                name=_display_name(first_i, pick["last"][n], u_inject, u_emoji),
                created_at=float(int(joined)) + (index % 1000) / 1000,
                description=_description(pick["desc"][n], pick["role"][n], pick["topic"][n]),
                location=names.LOCATIONS[pick["loc"][n]],
                url=f"https://t.co/{_base36(user_id)}" if u_url < 0.3 else "",
                verified=is_verified,
                verified_type=_verified_type(u_vtype) if is_verified else "none",
                protected=is_protected,
                receives_your_dm=is_dm_ok,
                followers_count=int(n_followers),
                following_count=n_following,
                tweet_count=int(n_tweets),
                listed_count=n_listed,
                most_recent_tweet_id=post_id if post_id > 0 else None,
                last_posted_ms=last_ms if post_id > 0 else None,
            ))
        return records


def _last_posts(idx: np.ndarray, created: np.ndarray, tweets: np.ndarray, u_posted: np.ndarray,
                end: int = POPULATION_END) -> tuple[np.ndarray, np.ndarray]:
    """When each follower last posted (epoch ms) and that post's id; id 0 for those who never posted.

    Most posted lately: the time since the last post is the account's age times u**4 (median a sixteenth of
    the age, about a third posted in the last month before `end`). Posts before snowflakes get a sequential id,
    which dates nothing."""
    age = end - np.floor(created)
    posted_ms = ((end - age * np.power(u_posted, 4)) * 1000).astype(np.int64)
    # Worker and sequence bits from the index, so two followers never share a post id.
    low_bits = ((512 + idx % 512) << 12) | ((idx // 512) & 0xFFF)
    snowflakes = ((posted_ms - TWEPOCH_MS) << TIMESTAMP_SHIFT) | low_bits
    before_snowflakes = posted_ms < SNOWFLAKE_DATES_FROM * 1000
    span = SNOWFLAKE_DATES_FROM - X_LAUNCH
    sequential = 20 + ((posted_ms // 1000 - X_LAUNCH) * (LAST_SEQUENTIAL_POST_ID // span)).clip(0)
    ids = np.where(before_snowflakes, sequential, snowflakes)
    return posted_ms, np.where(tweets > 0, ids, 0)


_CHOICES = {"first": names.FIRST_NAMES, "last": names.LAST_NAMES, "desc": names.DESCRIPTION_TEMPLATES,
            "role": names.ROLES, "topic": names.TOPICS, "loc": names.LOCATIONS}
_STEMS = tuple(_ascii_stem(first) for first in names.FIRST_NAMES)


def _display_name(first_i: int, last_i: int, u_inject: float, u_emoji: float) -> str:
    first, last = names.FIRST_NAMES[first_i], names.LAST_NAMES[last_i]
    if u_inject < 0.004:
        template = names.INJECTION_NAMES[int(u_inject / 0.001) % len(names.INJECTION_NAMES)]
        return template.format(first=first, last=last)
    if u_emoji < 0.12:
        return f"{first} {last} {names.EMOJI[int(u_emoji / 0.012) % len(names.EMOJI)]}"
    return f"{first} {last}"


@functools.cache
def _description(template_i: int, role_i: int, topic_i: int) -> str:
    roles, topics = names.ROLES, names.TOPICS
    return names.DESCRIPTION_TEMPLATES[template_i].format(
        role=roles[role_i], role2=roles[(role_i + 5) % len(roles)],
        topic=topics[topic_i], topic2=topics[(topic_i + 3) % len(topics)])


def _verified_type(u: float) -> str:
    if u < 0.85:
        return "blue"
    return "business" if u < 0.98 else "government"


# Uniform streams drawn for every follower (plus "id" for the id jitter and two normal streams).
_STREAMS = ("id", "followers", "following_noise", "tweets", "listed", "created", "verified", "vtype", "protected",
            "dm", "first", "last", "inject", "emoji", "desc", "role", "topic", "loc", "url", "posted")
