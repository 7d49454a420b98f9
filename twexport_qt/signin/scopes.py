"""The OAuth 2.0 scopes TwExport asks X for, and what a token's scopes let it do, in words.

Each scope is asked for because a feature needs it (XAPI_FACTS §9.1); a token without one of them still works for
the features the others cover, and "Test connection" says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TWEET_READ = "tweet.read"
USERS_READ = "users.read"
FOLLOWS_READ = "follows.read"
DM_READ = "dm.read"
DM_WRITE = "dm.write"
OFFLINE_ACCESS = "offline.access"

# tweet.read + users.read: every read; follows.read: the followers list; dm.read: replies to campaign DMs;
# dm.write: sending them; offline.access: a refresh token, so the sign-in outlives the 2-hour access token.
SCOPES: tuple[str, ...] = (TWEET_READ, USERS_READ, FOLLOWS_READ, DM_READ, DM_WRITE, OFFLINE_ACCESS)


@dataclass(frozen=True)
class Ability:
    """Something a token may do, and the scopes it takes."""

    words: str
    scopes: frozenset[str]


ABILITIES: tuple[Ability, ...] = (
    Ability("read profiles and posts", frozenset({TWEET_READ, USERS_READ})),
    Ability("read followers", frozenset({TWEET_READ, USERS_READ, FOLLOWS_READ})),
    Ability("read DMs", frozenset({TWEET_READ, USERS_READ, DM_READ})),
    Ability("send DMs", frozenset({TWEET_READ, USERS_READ, DM_READ, DM_WRITE})),
    Ability("stay signed in (it renews itself)", frozenset({OFFLINE_ACCESS})),
)


def abilities(granted: Iterable[str]) -> tuple[list[str], list[str]]:
    """(what a token with the `granted` scopes may do, what it may not), each as words from ABILITIES."""
    scopes = set(granted)
    can = [ability.words for ability in ABILITIES if ability.scopes <= scopes]
    cannot = [ability.words for ability in ABILITIES if not ability.scopes <= scopes]
    return can, cannot


# X's `x-access-level` header on answers to OAuth 1.0a requests: the app's permission the keys were made with.
ACCESS_LEVEL_WORDS = {
    "read": "read profiles, followers and posts (no DMs: the keys are read-only)",
    "read-write": "read profiles, followers and posts and post (no DMs: the app lacks Direct Message permission)",
    "read-write-directmessages": "read profiles, followers and posts, read DMs and send DMs",
}


def access_level_words(level: str | None) -> str:
    if not level:
        return "what X did not say (it sent no access level)"
    return ACCESS_LEVEL_WORDS.get(level, f"what X calls {level!r}")


def join_words(items: list[str]) -> str:
    """"a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
