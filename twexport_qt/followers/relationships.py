"""Who follows whom between the signed-in account and the accounts around it: mutuals, fans and those who don't
follow back, as SQL over the `followers` and `following` tables, and the rule that these need a complete fetch of
who the account follows.

Both lists come from X newest first and are stored per owner: `followers` (who follows you, the followers fetch)
and `following` (whom you follow, `following_fetch.py`). A relationship is then a membership test of one table's
user id in the other, an index look-up per row (`following` is keyed (owner_id, user_id), `followers` has a unique
(owner_id, user_id) index). Only a complete following fetch knows every account followed, so a relationship asked
before one exists is refused with a sentence instead of answering "nobody is a mutual".
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum
from typing import Literal

from twexport_qt.core.errors import ConfigError
from twexport_qt.store import fetch_runs_repo

FOLLOWING_KIND = "following"  # fetch_runs.kind of a fetch of the accounts the owner follows

# The followers filter's choice (FollowerFilter.relationship): every follower, those you follow back, or not.
Relationship = Literal["any", "mutuals", "fans"]
RELATIONSHIP_CHOICES: tuple[Relationship, ...] = ("any", "mutuals", "fans")

FETCH_FOLLOWING_FIRST = "Fetch who you follow first (Following tab)."


class RelationshipKind(StrEnum):
    """The four lists; the values are `export KIND`'s names."""

    FOLLOWING = "following"                     # every account you follow
    MUTUALS = "mutuals"                         # you follow them and they follow you
    NOT_FOLLOWING_BACK = "not-following-back"   # you follow them, they don't follow you
    FANS = "fans"                               # they follow you, you don't follow them


class FollowingNotFetched(ConfigError, ValueError):
    """A relationship was asked before any complete fetch of the accounts the owner follows."""

    default_message = FETCH_FOLLOWING_FIRST


# Over the unaliased `followers` table (FollowerFilter.to_sql's convention). Followers of an account whose
# following list was never fetched completely match neither: a campaign never takes "everyone" for fans.
_FOLLOWED = ("EXISTS (SELECT 1 FROM following AS fw WHERE fw.owner_id = followers.owner_id "
             "AND fw.user_id = followers.user_id)")
_FOLLOWING_FETCHED = ("EXISTS (SELECT 1 FROM fetch_runs AS fr WHERE fr.owner_id = followers.owner_id "
                      f"AND fr.kind = '{FOLLOWING_KIND}' AND fr.state = 'done')")
RELATIONSHIP_SQL: dict[str, str] = {
    "mutuals": f"({_FOLLOWING_FETCHED} AND {_FOLLOWED})",
    "fans": f"({_FOLLOWING_FETCHED} AND NOT {_FOLLOWED})",
}


def following_fetched(conn: sqlite3.Connection, owner_id: int) -> bool:
    """Whether a fetch of every account `owner_id` follows has completed (the relationships are known)."""
    return fetch_runs_repo.last_finished(conn, owner_id, FOLLOWING_KIND) is not None


def require_following(conn: sqlite3.Connection, owner_id: int) -> None:
    """Raise FollowingNotFetched (the sentence says what to do) unless a following fetch has completed."""
    if not following_fetched(conn, owner_id):
        raise FollowingNotFetched(FETCH_FOLLOWING_FIRST)
