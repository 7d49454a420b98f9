"""Deterministic, lazily generated tweet histories for the well-known sandbox accounts.

Tweet k of an author (0 = oldest) is a pure function of (seed, author, k): its time is spread evenly over the
author's active years, its id is a snowflake built from that time (so ids sort like X's), and its kind (original,
retweet, reply to someone else, self-reply continuing a thread, quote) is drawn per k. The timeline serves the
tweets whose time has come on the sandbox clock, so an account's timeline grows as a test's clock moves through
its active years: an update (`since_id`) then finds exactly the tweets posted meanwhile. Replies point at real
tweets of other accounts, some protected and some deliberately deleted, so lookups and expansions have both
data and errors to return. Nothing is stored: a tweet id decodes back to (author, k).

A share of the posts are long posts (300 to 4,000 characters), served as X serves them (XAPI_FACTS §9.2): `text`
holds a preview cut at a word near 270 characters, usually ending in "…" and sometimes not (X's exact cut is
unverified; samples#202 shows none), and the whole post comes in `note_tweet` only when `tweet.fields` asks for
it. As in X's archives, the note does not repeat the "@name " X puts before a reply's `text`.

Dataset hygiene material is planted in a few accounts (`PLANTED_ACCOUNTS`), among their short original posts
only, so a dataset's de-duplication and scrubbing have something to find, and tests something to count: echo
pairs (a post and, right after it, the same post with a link added, a hashtag added or its last word changed:
an exact duplicate once links are cleaned, or a near duplicate), and posts that give an e-mail address or a
phone number. Which posts is a pure function of (seed, author, k) like the rest; counts and ids do not change.

Most posts are English, and `lang` says "en" when `tweet.fields` asks for it, as X does. A few accounts
(`MULTILINGUAL_ACCOUNTS`) also post, among their short original posts that carry nothing planted, some in Spanish,
German and Japanese ("es", "de", "ja"), some that are only emoji ("und": X could not tell), only a media link
("zxx": no linguistic content) or only hashtags ("qht"), so a dataset's language filter has something to remove.
A retweet has its original's `lang`; replies, quotes and long posts are English. Again counts and ids stay.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from twexport_qt.sandbox import det_random as dr
from twexport_qt.sandbox.population import SANDBOX_USER_ID, WELL_KNOWN
from twexport_qt.sandbox.wire import format_time

TWEPOCH_MS = 1_288_834_974_657  # X's snowflake epoch
DELETED_SLOT = 1023  # snowflake worker id no author uses: ids built with it never resolve

ORIGINAL, RETWEET, REPLY, SELF_REPLY, QUOTE = "original", "retweet", "reply", "self_reply", "quote"
DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")
NOTE_TWEET_FIELD = "note_tweet"

# Long posts: shares of each author's posts (retweets never: their text is a quote of someone else's).
LONG_SHARE_RICH, LONG_SHARE_OTHERS = 0.12, 0.10  # the others' posts are what replies point at
LONG_MIN_CHARS, LONG_MAX_CHARS = 300, 4000
PREVIEW_CHARS = 270  # a long post's `text` is cut at the last word boundary at or before this
PREVIEW_WITHOUT_ELLIPSIS = 0.25  # share of previews cut with no "…", as X was seen to do


@dataclass(frozen=True)
class History:
    """How many tweets an author has and over which period (epoch seconds)."""

    slot: int
    count: int
    start: float
    end: float
    rich: bool  # rich authors retweet, reply and quote; the others only post originals


_USERS = {user.username: user for user in WELL_KNOWN}
HISTORIES: dict[int, History] = {
    SANDBOX_USER_ID: History(1, 1200, 1_336_000_000, 1_766_000_000, rich=True),
    _USERS["alice_writes"].id: History(2, 4800, 1_293_840_000, 1_766_100_000, rich=True),  # > 3,200: capped
    _USERS["bob_builds"].id: History(3, 2100, 1_388_534_400, 1_766_200_000, rich=True),
    _USERS["carol_codes"].id: History(4, 400, 1_291_000_000, 1_766_150_000, rich=False),
    _USERS["dave_designs"].id: History(5, 400, 1_291_000_000, 1_766_150_000, rich=False),
    _USERS["erin_edits"].id: History(6, 400, 1_291_000_000, 1_766_150_000, rich=False),
    _USERS["suspended_sam"].id: History(7, 300, 1_420_000_000, 1_600_000_000, rich=False),
    _USERS["private_pat"].id: History(8, 400, 1_291_000_000, 1_766_150_000, rich=False),
}
@dataclass(frozen=True)
class SandboxTweetAccount:
    """A simulated account whose tweets can be downloaded (named to users: the population's followers post nothing)."""

    username: str
    tweet_count: int


def accounts_with_tweets() -> tuple[SandboxTweetAccount, ...]:
    """The sandbox accounts a tweet download returns tweets for, most tweets first. Suspended and protected
    accounts are left out: they exist to show X's refusals, not to give tweets."""
    readable = (user for user in WELL_KNOWN if user.id in HISTORIES and user.username not in ("suspended_sam",
                                                                                                 "private_pat"))
    return tuple(sorted((SandboxTweetAccount(user.username, HISTORIES[user.id].count) for user in readable),
                        key=lambda account: (-account.tweet_count, account.username)))


_AUTHOR_BY_SLOT = {history.slot: author_id for author_id, history in HISTORIES.items()}
_PARENT_AUTHORS = tuple(_USERS[name].id for name in ("carol_codes", "dave_designs", "erin_edits"))
_PRIVATE_PARENT = _USERS["private_pat"].id
_USERNAMES = {user.id: user.username for user in WELL_KNOWN}

_WORDS = ("shipping", "reading", "drafting", "rewriting", "testing", "sketching", "debugging", "publishing")
_THINGS = ("a new essay", "the onboarding flow", "chapter three", "our pricing page", "a tiny CLI", "the newsletter",
           "a thread on editing", "the release notes", "a data pipeline", "my morning pages")
_CLOSERS = ("Thoughts?", "More soon.", "Feels good.", "Not easy.", "Worth it.", "Who else?", "🧵", "Onwards.")
_TAGS = ("#writing", "#buildinpublic", "#AI", "#Python", "#indiehackers", "#amwriting", "#design")
_EMOJI = ("🚀", "✍️", "☕", "🔥", "🙏", "😅", "🎉", "💡")
# Planting (see the module docstring): shares of a planted account's short original posts.
PLANTED_ACCOUNTS = ("bob_builds", "carol_codes", "dave_designs")
ECHO_SHARE = 0.04  # posts that repeat the post before them, changed a little
CONTACT_SHARE = 0.03  # posts that give an e-mail address or a phone number
ECHO_LINK, ECHO_HASHTAG, ECHO_LAST_WORD = 0, 1, 2  # how an echo differs from the post it repeats
_ECHO_ENDINGS = ("out.", "now.")  # an echo with its last word changed ends with the second
_PLANTED_IDS = frozenset(_USERS[name].id for name in PLANTED_ACCOUNTS)
_LESSONS = ("patience", "to cut scope early", "that drafts are cheap", "to write things down first",
            "more than any course did", "to ask for feedback sooner", "that small steps add up",
            "why naming things is hard", "to sleep on big decisions")
_OPENERS = ("Here is what I learned.", "A longer note on this one.", "Some context first.",
            "I keep coming back to this.", "Quick recap for anyone new here.", "Honest update, long one.")
_CASHTAGS = ("$AAPL", "$TSLA", "$NVDA", "$BTC")
# Languages (see the module docstring): X's `lang` code and its share of a multilingual account's plain posts.
ENGLISH = "en"
MULTILINGUAL_ACCOUNTS = ("dave_designs", "erin_edits")
LANGUAGE_SHARES = (("es", 0.06), ("de", 0.04), ("ja", 0.03), ("und", 0.03), ("zxx", 0.02), ("qht", 0.02))
_MULTILINGUAL_IDS = frozenset(_USERS[name].id for name in MULTILINGUAL_ACCOUNTS)


@dataclass(frozen=True)
class _Phrasebook:
    """How a post in one language is made: `template` with {verb}, {thing} and {closer} drawn from the lists."""

    template: str
    verbs: tuple[str, ...]
    things: tuple[str, ...]
    closers: tuple[str, ...]


_PHRASEBOOKS = {
    "es": _Phrasebook("Hoy estoy {verb} {thing}. {closer}",
                      ("terminando", "revisando", "escribiendo", "probando", "publicando"),
                      ("un ensayo nuevo", "la página de precios", "el capítulo tres", "las notas de la versión",
                       "mi boletín de la semana", "una herramienta pequeña"),
                      ("¿Qué opináis?", "Poco a poco.", "¡Qué alegría!", "Seguimos mañana.", "Vale la pena.")),
    "de": _Phrasebook("Heute bin ich am {verb} von {thing}. {closer}",
                      ("Überarbeiten", "Testen", "Schreiben", "Skizzieren", "Veröffentlichen"),
                      ("meinem neuen Essay", "unserer Preisseite", "Kapitel drei", "den Versionshinweisen",
                       "meinem Newsletter", "einem kleinen Werkzeug"),
                      ("Was meint ihr?", "Schritt für Schritt.", "Es lohnt sich.", "Bald mehr dazu.")),
    "ja": _Phrasebook("今日は{thing}を{verb}。{closer}",
                      ("書いています", "見直しています", "テストしています", "公開しました", "作っています"),
                      ("新しいエッセイ", "料金ページ", "第三章", "リリースノート", "ニュースレター"),
                      ("どう思いますか？", "少しずつ進めます。", "楽しい！", "また明日。")),
}


@dataclass(frozen=True)
class TweetRecord:
    id: int
    author_id: int
    created_at: float
    text: str
    kind: str
    conversation_id: int
    in_reply_to_user_id: int | None = None
    referenced: tuple[tuple[str, int], ...] = ()  # (type, tweet id): replied_to | quoted | retweeted
    metrics: dict[str, int] = field(default_factory=dict)
    note_text: str | None = None  # a long post's whole text (`text` is then its preview)
    lang: str = ENGLISH  # X's `lang` code, sent only when `tweet.fields` asks for it

    @property
    def is_reply(self) -> bool:
        return self.kind in (REPLY, SELF_REPLY)

    @property
    def is_long(self) -> bool:
        return self.note_text is not None

    def to_json(self, fields: Iterable[str]) -> dict[str, Any]:
        wanted = set(fields) | set(DEFAULT_TWEET_FIELDS)
        out: dict[str, Any] = {"id": str(self.id), "text": self.text, "edit_history_tweet_ids": [str(self.id)]}
        if "author_id" in wanted:
            out["author_id"] = str(self.author_id)
        if "created_at" in wanted:
            out["created_at"] = format_time(self.created_at)
        if "conversation_id" in wanted:
            out["conversation_id"] = str(self.conversation_id)
        if "in_reply_to_user_id" in wanted and self.in_reply_to_user_id is not None:
            out["in_reply_to_user_id"] = str(self.in_reply_to_user_id)
        if "referenced_tweets" in wanted and self.referenced:
            out["referenced_tweets"] = [{"type": kind, "id": str(tid)} for kind, tid in self.referenced]
        if "public_metrics" in wanted:
            out["public_metrics"] = dict(self.metrics)
        if "entities" in wanted:
            entities = extract_entities(self.text)
            if entities:
                out["entities"] = entities
        if "lang" in wanted:
            out["lang"] = self.lang
        if NOTE_TWEET_FIELD in wanted and self.note_text is not None:
            note: dict[str, Any] = {"text": self.note_text}
            entities = extract_entities(self.note_text)
            if entities:
                note["entities"] = entities
            out[NOTE_TWEET_FIELD] = note
        return out


def extract_entities(text: str) -> dict[str, list[dict[str, Any]]]:
    """v2 `entities` (hashtags, cashtags, mentions, urls) with code-point offsets, as X computes them."""
    entities: dict[str, list[dict[str, Any]]] = {}
    for match in re.finditer(r"(?<!\w)#(\w+)", text):
        entities.setdefault("hashtags", []).append({"start": match.start(), "end": match.end(), "tag": match[1]})
    for match in re.finditer(r"(?<![\w$])\$([A-Za-z]{1,6})(?!\w)", text):
        entities.setdefault("cashtags", []).append({"start": match.start(), "end": match.end(), "tag": match[1]})
    for match in re.finditer(r"(?<!\w)@(\w{1,15})", text):
        mention: dict[str, Any] = {"start": match.start(), "end": match.end(), "username": match[1]}
        user = _USERS.get(match[1])
        if user:
            mention["id"] = str(user.id)
        entities.setdefault("mentions", []).append(mention)
    for match in re.finditer(r"https://t\.co/(\w+)", text):
        entities.setdefault("urls", []).append({
            "start": match.start(), "end": match.end(), "url": match[0],
            "expanded_url": f"https://example.com/post/{match[1]}", "display_url": f"example.com/post/{match[1]}",
        })
    return entities


def snowflake(epoch_seconds: float, slot: int, sequence: int) -> int:
    ms = int(epoch_seconds * 1000)
    return ((ms - TWEPOCH_MS) << 22) | (slot << 12) | (sequence & 0xFFF)


class TweetsWorld:
    """All tweets of the sandbox. Stateless apart from the seed: safe to share between server threads."""

    # `tweet(author_id, k)`: the author's tweet number k, built by `_build_tweet` and memoised per instance.
    tweet: Callable[[int, int], TweetRecord]

    def __init__(self, seed: int) -> None:
        self._key_time = dr.stream_key(seed, "tweet_time")
        self._key_kind = dr.stream_key(seed, "tweet_kind")
        self._key_parent = dr.stream_key(seed, "tweet_parent")
        self._key_text = dr.stream_key(seed, "tweet_text")
        self._key_metrics = dr.stream_key(seed, "tweet_metrics")
        self._key_long = dr.stream_key(seed, "tweet_long")
        self._key_long_text = dr.stream_key(seed, "tweet_long_text")
        self._key_planted = dr.stream_key(seed, "tweet_planted")
        self._key_language = dr.stream_key(seed, "tweet_language")
        # Threads and retweets make tweet k depend on k-1 and on parents: memoise (values never change).
        self.tweet = functools.lru_cache(maxsize=65_536)(self._build_tweet)

    # ----- positions and ids ------------------------------------------------------------------------------

    @staticmethod
    def has_history(author_id: int) -> bool:
        return author_id in HISTORIES

    @staticmethod
    def count(author_id: int) -> int:
        return HISTORIES[author_id].count

    def time_of(self, author_id: int, k: int) -> float:
        history = HISTORIES[author_id]
        step = (history.end - history.start) / history.count
        # Jitter stays inside the slot, so times (and snowflake ids) strictly increase with k.
        jitter = 0.1 + 0.8 * dr.unit(self._key_time ^ history.slot, k)
        return round(history.start + (k + jitter) * step, 3)

    def id_of(self, author_id: int, k: int) -> int:
        return snowflake(self.time_of(author_id, k), HISTORIES[author_id].slot, k)

    def last_index_at_or_before(self, author_id: int, epoch: float) -> int:
        """Largest k whose time <= epoch (-1 if none). O(1): tweet k lies inside slot k of the even spread."""
        history = HISTORIES[author_id]
        k = math.floor((epoch - history.start) / ((history.end - history.start) / history.count))
        k = min(k, history.count - 1)
        if k < 0:
            return -1
        return k if self.time_of(author_id, k) <= epoch else k - 1

    def first_index_at_or_after(self, author_id: int, epoch: float) -> int:
        """Smallest k whose time >= epoch (count if none)."""
        k = self.last_index_at_or_before(author_id, epoch)
        return k if k >= 0 and self.time_of(author_id, k) == epoch else k + 1

    def last_index_with_id_below(self, author_id: int, tweet_id: int) -> int:
        return bisect.bisect_left(_Lazy(lambda k: self.id_of(author_id, k), self.count(author_id)), tweet_id) - 1

    def first_index_with_id_above(self, author_id: int, tweet_id: int) -> int:
        return bisect.bisect_right(_Lazy(lambda k: self.id_of(author_id, k), self.count(author_id)), tweet_id)

    def locate(self, tweet_id: int) -> tuple[int, int] | None:
        """(author id, k) of an existing tweet id, or None (deleted or never existed)."""
        author_id = _AUTHOR_BY_SLOT.get((tweet_id >> 12) & 0x3FF)
        if author_id is None:
            return None
        epoch = ((tweet_id >> 22) + TWEPOCH_MS) / 1000
        history = HISTORIES[author_id]
        estimate = int((epoch - history.start) / ((history.end - history.start) / history.count))
        for k in (estimate - 1, estimate, estimate + 1):
            if 0 <= k < history.count and self.id_of(author_id, k) == tweet_id:
                return author_id, k
        return None

    # ----- content ----------------------------------------------------------------------------------------

    def kind_of(self, author_id: int, k: int) -> str:
        if not HISTORIES[author_id].rich:
            return ORIGINAL
        u = dr.unit(self._key_kind ^ HISTORIES[author_id].slot, k)
        if u < 0.10:
            return RETWEET if self._parent_of(author_id, k, allow_hidden=False) is not None else ORIGINAL
        if u < 0.25:
            return REPLY if self._parent_of(author_id, k) is not None else ORIGINAL
        if u < 0.37:
            return SELF_REPLY if k > 0 and self.kind_of(author_id, k - 1) != RETWEET else ORIGINAL
        return QUOTE if u < 0.44 and self._parent_of(author_id, k, allow_hidden=False) is not None else ORIGINAL

    def _build_tweet(self, author_id: int, k: int) -> TweetRecord:
        tweet_id, created = self.id_of(author_id, k), self.time_of(author_id, k)
        kind = self.kind_of(author_id, k)
        metrics = self._metrics(author_id, k, kind)
        if kind == RETWEET:
            parent = self._parent_of(author_id, k, allow_hidden=False)
            if parent is None:
                kind = ORIGINAL
            else:
                original = self.tweet(parent[0], parent[1])
                body = original.text if len(original.text) <= 110 else original.text[:109] + "…"
                return TweetRecord(tweet_id, author_id, created, f"RT @{_USERNAMES[parent[0]]}: {body}", RETWEET,
                                   tweet_id, referenced=(("retweeted", original.id),), metrics=metrics,
                                   lang=original.lang)
        if kind == REPLY:
            parent_author, parent_id = self._reply_target(author_id, k)
            text, note = self._post(author_id, k, reply_prefix=f"@{_USERNAMES[parent_author]} ")
            return TweetRecord(tweet_id, author_id, created, text, REPLY, parent_id, parent_author,
                               (("replied_to", parent_id),), metrics, note)
        if kind == SELF_REPLY:
            previous = self.tweet(author_id, k - 1)
            text, note = self._post(author_id, k)
            return TweetRecord(tweet_id, author_id, created, text, SELF_REPLY,
                               previous.conversation_id, author_id, (("replied_to", previous.id),), metrics, note)
        if kind == QUOTE:
            parent = self._parent_of(author_id, k, allow_hidden=False)
            if parent is not None:
                quoted = self.id_of(*parent)
                text, note = self._post(author_id, k, suffix=f" https://t.co/q{quoted % 10**8:x}")
                return TweetRecord(tweet_id, author_id, created, text, QUOTE, tweet_id,
                                   referenced=(("quoted", quoted),), metrics=metrics, note_text=note)
        language = self.language_of(author_id, k)
        if language != ENGLISH:
            return TweetRecord(tweet_id, author_id, created, self._other_language_text(author_id, k, language),
                               ORIGINAL, tweet_id, metrics=metrics, lang=language)
        text, note = self._post(author_id, k)
        return TweetRecord(tweet_id, author_id, created, text, ORIGINAL, tweet_id, metrics=metrics, note_text=note)

    def by_id(self, tweet_id: int) -> TweetRecord | None:
        located = self.locate(tweet_id)
        return None if located is None else self.tweet(*located)

    def _parent_of(self, author_id: int, k: int, allow_hidden: bool = True) -> tuple[int, int] | None:
        """(author, k) of an earlier tweet by another account this tweet can point at, or None if too early."""
        u = dr.unit(self._key_parent ^ HISTORIES[author_id].slot, k)
        if allow_hidden and u < 0.16:
            parent_author = _PRIVATE_PARENT
        else:
            parent_author = _PARENT_AUTHORS[int(u * 1000) % len(_PARENT_AUTHORS)]
        created = self.time_of(author_id, k)
        parent_k = self.last_index_at_or_before(parent_author, created - 1) - int(u * 7919) % 4
        return (parent_author, parent_k) if parent_k >= 0 else None

    def _reply_target(self, author_id: int, k: int) -> tuple[int, int]:
        """(parent author, parent tweet id) of a reply; ~8% point at a deleted tweet (an id that never resolves)."""
        parent = self._parent_of(author_id, k)
        assert parent is not None  # kind_of makes a reply only where a parent exists
        parent_author, parent_k = parent
        parent_id = self.id_of(parent_author, parent_k)
        if dr.unit(self._key_parent ^ HISTORIES[author_id].slot, k) < 0.08:
            parent_id = snowflake(self.time_of(parent_author, parent_k), DELETED_SLOT, parent_k)
        return parent_author, parent_id

    def _body(self, author_id: int, k: int) -> str:
        key = self._key_text ^ HISTORIES[author_id].slot

        def pick(options: Sequence[str], salt: int) -> str:
            return options[dr.below(key ^ salt, k, len(options))]

        text = f"{pick(_WORDS, 1).capitalize()} {pick(_THINGS, 2)} today. {pick(_CLOSERS, 3)}"
        features = dr.unit(key ^ 4, k)
        if features < 0.15:
            text += f" {pick(_TAGS, 5)}"
        if 0.10 <= features < 0.25:
            text += f" https://t.co/{k:x}{dr.below(key ^ 6, k, 10**6):x}"
        if 0.25 <= features < 0.32:
            text += f" pic.twitter.com/{dr.below(key ^ 7, k, 36**6):x}"
        if 0.32 <= features < 0.42:
            text = text.replace(" today.", " today &amp; tomorrow &lt;3 &gt;")
        if 0.42 <= features < 0.55:
            text += f" {pick(_EMOJI, 8)}"
        if 0.55 <= features < 0.62:
            text += "\n\nSecond paragraph: notes below.\n- one\n- two"
        if 0.62 <= features < 0.68:
            text += f" cc @{_USERNAMES[_PARENT_AUTHORS[k % len(_PARENT_AUTHORS)]]}"
        return text

    # ----- planted duplicates and contact details ---------------------------------------------------------

    def _plain_original(self, author_id: int, k: int) -> bool:
        """A short original post: the only kind planting touches (replies, quotes and long posts keep theirs)."""
        return 0 <= k < HISTORIES[author_id].count and self.kind_of(author_id, k) == ORIGINAL \
            and not self.is_long(author_id, k)

    def echo_kind(self, author_id: int, k: int) -> int | None:
        """How post k repeats post k-1 (ECHO_LINK, ECHO_HASHTAG, ECHO_LAST_WORD), or None when it does not."""
        if author_id not in _PLANTED_IDS or k < 2:
            return None
        key = self._key_planted ^ HISTORIES[author_id].slot
        if dr.unit(key, k) >= ECHO_SHARE or not self._plain_original(author_id, k) \
                or not self._plain_original(author_id, k - 1) or self.echo_kind(author_id, k - 1) is not None:
            return None
        return dr.below(key ^ 1, k, 3)

    def has_contact(self, author_id: int, k: int) -> bool:
        """Whether post k gives an e-mail address or a phone number (never an echo pair's post)."""
        if author_id not in _PLANTED_IDS or not self._plain_original(author_id, k):
            return False
        key = self._key_planted ^ HISTORIES[author_id].slot
        return ECHO_SHARE <= dr.unit(key, k) < ECHO_SHARE + CONTACT_SHARE \
            and self.echo_kind(author_id, k + 1) is None

    def _echo_source_text(self, author_id: int, k: int) -> str:
        """The text of the first post of an echo pair: long enough (about 30 words) for shingles to compare."""
        key = self._key_planted ^ HISTORIES[author_id].slot
        lesson = _LESSONS[dr.below(key ^ 2, k, len(_LESSONS))]
        return (f"{self._body(author_id, k)} I wrote up how I learned {lesson} over the years, step by "
                f"step, with notes and examples for anyone who is just starting {_ECHO_ENDINGS[0]}")

    def _planted_text(self, author_id: int, k: int) -> str | None:
        """Post k's planted text, or None when it keeps its ordinary one."""
        if author_id not in _PLANTED_IDS:
            return None
        echo = self.echo_kind(author_id, k)
        if echo is not None:
            source = self._echo_source_text(author_id, k - 1)
            if echo == ECHO_LINK:
                return f"{source} https://t.co/e{k:x}"
            if echo == ECHO_HASHTAG:
                return f"{source} #buildinpublic"
            return source.removesuffix(_ECHO_ENDINGS[0]) + _ECHO_ENDINGS[1]
        if self.echo_kind(author_id, k + 1) is not None:
            return self._echo_source_text(author_id, k)
        if self.has_contact(author_id, k):
            name = _USERNAMES[author_id]
            if k % 2:
                return f"{self._body(author_id, k)} Write to me: {name.replace('_', '.')}{k}@example.com"
            return f"{self._body(author_id, k)} Call me on 555-{100 + k % 900:03d}-{1000 + k % 9000:04d}"
        return None

    # ----- languages --------------------------------------------------------------------------------------

    def language_of(self, author_id: int, k: int) -> str:
        """X's `lang` of post k as posted (a retweet takes its original's instead): "en" unless it is one of a
        multilingual account's plain original posts drawn for another language."""
        if author_id not in _MULTILINGUAL_IDS or not self._plain_original(author_id, k) \
                or self._planted_text(author_id, k) is not None:
            return ENGLISH
        draw = dr.unit(self._key_language ^ HISTORIES[author_id].slot, k)
        for language, share in LANGUAGE_SHARES:
            if draw < share:
                return language
            draw -= share
        return ENGLISH

    def _other_language_text(self, author_id: int, k: int, language: str) -> str:
        """The text of post k in `language` (not English): a phrasebook's sentence, emoji, a link or hashtags."""
        key = self._key_language ^ (HISTORIES[author_id].slot << 16)

        def pick(options: Sequence[str], salt: int) -> str:
            return options[dr.below(key ^ salt, k, len(options))]

        if language == "und":  # emoji only: X cannot tell a language
            return f"{pick(_EMOJI, 1)}{pick(_EMOJI, 2)} {pick(_EMOJI, 3)}"
        if language == "zxx":  # a photo alone: its text is only the t.co link X appends for the media
            return f"https://t.co/m{k:x}{dr.below(key ^ 4, k, 10**6):x}"
        if language == "qht":  # hashtags only
            first = dr.below(key ^ 5, k, len(_TAGS))
            return f"{_TAGS[first]} {_TAGS[(first + 1 + dr.below(key ^ 6, k, len(_TAGS) - 1)) % len(_TAGS)]}"
        book = _PHRASEBOOKS[language]
        return book.template.format(verb=pick(book.verbs, 7), thing=pick(book.things, 8),
                                    closer=pick(book.closers, 9))

    # ----- long posts -------------------------------------------------------------------------------------

    def is_long(self, author_id: int, k: int) -> bool:
        """Whether tweet k is a long post (unless it is a retweet, which never is)."""
        history = HISTORIES[author_id]
        share = LONG_SHARE_RICH if history.rich else LONG_SHARE_OTHERS
        return dr.unit(self._key_long ^ history.slot, k) < share

    def _post(self, author_id: int, k: int, *, reply_prefix: str = "", suffix: str = "") -> tuple[str, str | None]:
        """(`text`, whole long text or None) of tweet k. `reply_prefix` is the "@name " X puts before a reply's
        text (not in a long post's note); `suffix` ends the post (a quote's link)."""
        if not self.is_long(author_id, k):
            planted = self._planted_text(author_id, k) if not reply_prefix and not suffix else None
            return f"{reply_prefix}{planted or self._body(author_id, k)}{suffix}", None
        whole = self._long_body(author_id, k) + suffix
        return reply_prefix + self._preview(author_id, k, whole), whole

    def _long_body(self, author_id: int, k: int) -> str:
        """LONG_MIN_CHARS to about LONG_MAX_CHARS of paragraphs, with links, tags and mentions past the preview."""
        key = self._long_text_key(author_id)

        def pick(options: Sequence[str], salt: int) -> str:
            return options[dr.below(key ^ salt, k, len(options))]

        target = LONG_MIN_CHARS + dr.below(key ^ 1, k, LONG_MAX_CHARS - LONG_MIN_CHARS - 150)
        parts = [f"{self._body(author_id, k)}\n\n{pick(_OPENERS, 2)}"]
        length, sentence = len(parts[0]), 0
        while length < target:
            salt = 16 * (sentence + 1)
            text = f"{pick(_WORDS, salt).capitalize()} {pick(_THINGS, salt + 1)} taught me {pick(_LESSONS, salt + 2)}."
            extra = dr.unit(key ^ (salt + 3), k)
            if extra < 0.06:
                text = text.replace(" taught me ", " &amp; its users taught me ")
            elif extra < 0.10:
                text += f" {pick(_EMOJI, salt + 4)}"
            elif extra < 0.13:
                text += f" Watching {pick(_CASHTAGS, salt + 5)} too."
            separator = "\n\n" if sentence % 4 == 3 else " "
            parts.append(separator + text)
            length += len(separator) + len(text)
            sentence += 1
        features = dr.unit(key ^ 3, k)
        if features < 0.30:
            parts.append(f" Full notes: https://t.co/n{k:x}{dr.below(key ^ 4, k, 10**6):x}")
        if 0.20 <= features < 0.45:
            parts.append(f" {pick(_TAGS, 5)}")
        if 0.40 <= features < 0.60:
            parts.append(f" Thanks @{_USERNAMES[_PARENT_AUTHORS[k % len(_PARENT_AUTHORS)]]}!")
        return "".join(parts)

    def _preview(self, author_id: int, k: int, whole: str) -> str:
        """What X puts in `text` for a long post: its start, cut at a word boundary."""
        cut = max(whole.rfind(" ", 0, PREVIEW_CHARS + 1), whole.rfind("\n", 0, PREVIEW_CHARS + 1))
        preview = whole[:cut if cut > 0 else PREVIEW_CHARS].rstrip()
        plain = dr.unit(self._long_text_key(author_id) ^ 7, k) < PREVIEW_WITHOUT_ELLIPSIS
        return preview if plain else preview + "…"

    def _long_text_key(self, author_id: int) -> int:
        """The author's stream of long-text draws; salts below 2**16 tell the draws apart."""
        return self._key_long_text ^ (HISTORIES[author_id].slot << 16)

    def _metrics(self, author_id: int, k: int, kind: str) -> dict[str, int]:
        if kind == RETWEET:
            return {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0,
                    "bookmark_count": 0, "impression_count": 0}
        u = dr.unit(self._key_metrics ^ HISTORIES[author_id].slot, k)
        likes = int(2 ** (u * 14)) - 1
        return {"retweet_count": likes // 7, "reply_count": likes // 11, "like_count": likes,
                "quote_count": likes // 40, "bookmark_count": likes // 15, "impression_count": likes * 37 + 12}


class _Lazy:
    """A read-only sequence computed on access, so `bisect` can search times/ids without materialising them."""

    def __init__(self, getter: Callable[[int], int], length: int) -> None:
        self._getter, self._length = getter, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> int:
        return self._getter(index)

