"""What an archive tweet links to: the post it quotes, if any, and whether it links anywhere at all (media too).

The API says a post quotes another (`referenced_tweets` of type `quoted`) and lists its photos and videos among
its `urls`. An archive says neither. A quote shows only as a link, in `entities.urls[].expanded_url`, to a status
of ANOTHER account: `https://twitter.com/<user>/status/<id>` or x.com, sometimes with `?s=20`, `?t=...` or
`/photo/1` after it (old archives that still say `is_quote_status` or `quoted_status_id` are believed). Photos
and videos are listed apart, in `entities.media` and `extended_entities.media`, with the t.co link X appended
to the text.

A link to the archive owner's own status (current or former handle, from screen-name-change.js) is not a quote:
in an archive a self-quote cannot be told from a thread pointer ("continued here: ...") or a link to one's own
earlier post, and all of them carry the owner's own words, which is what a dataset of one's archive is for (the
API, which does say "quoted" for a self-quote, leaves those out by default). Such a tweet still counts as having
a link. `/i/web/status/<id>` links name no author: they are the tweet's own when
the id is its own, and a quote otherwise (the safe side, as quotes are left out unless asked for).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twexport_qt.tweets.archive_values import parse_id

# The id must end the path segment: a query, a fragment or "/photo/1" may follow, more digits may not.
_STATUS_LINK = re.compile(
    r"^https?://(?:(?:www|mobile|m)\.)?(?:twitter|x)\.com/"
    r"(?:(?P<anonymous>i(?:/web)?)|(?P<user>[A-Za-z0-9_]+))/status(?:es)?/(?P<id>\d+)(?=[/?#]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class StatusLink:
    """A link to a post on X: its author's handle as written in the link ("" for /i/web/ links) and its id."""

    user: str
    tweet_id: str  # digits, parsed only when chosen, so one unusable id does not spoil the others


def status_link(url: str) -> StatusLink | None:
    """The post `url` points to, or None when it is not a link to a post on X."""
    match = _STATUS_LINK.match(url)
    if match is None:
        return None
    return StatusLink(match["user"] or "", match["id"])


def expanded_urls(entities: Any) -> list[str]:
    """`expanded_url` of every `urls` entity (tweets.js) in `entities`, skipping entries that have none."""
    if not isinstance(entities, Mapping):
        return []
    urls = entities.get("urls") or []
    return [str(url["expanded_url"]) for url in urls if isinstance(url, Mapping) and url.get("expanded_url")]


def links_elsewhere(urls: Iterable[str], tweet_id: int) -> list[str]:
    """`urls` without links to the tweet itself: the "show more" link after a long post's preview is one, and
    goes with the preview when the whole text replaces it."""
    own = str(tweet_id)
    return [url for url in urls if (link := status_link(url)) is None or link.tweet_id != own]


def has_media(tweet: Mapping[str, Any]) -> bool:
    """True when the tweet carries photos, videos or GIFs (listed apart from its `urls`, unlike the API)."""
    for key in ("entities", "extended_entities"):
        entities = tweet.get(key)
        if isinstance(entities, Mapping) and entities.get("media"):
            return True
    return False


def is_own_link(link: StatusLink, tweet_id: int, owner_handles: Iterable[str]) -> bool:
    """Whether `link` points to a post of the archive owner (`owner_handles` lower-cased)."""
    if not link.user:
        return link.tweet_id == str(tweet_id)
    return link.user.lower() in owner_handles


def quoted_tweet_id(tweet: Mapping[str, Any], tweet_id: int, urls: Sequence[str],
                    owner_handles: frozenset[str]) -> int | None:
    """The id of the post `tweet` quotes, or None. Raises BadId when the quoted id cannot be stored.

    `urls` are the tweet's expanded links (a long post's note adds its own). X appends the quoted post's link
    after the text, so the last link to another account's post is taken.
    """
    links = [link for link in map(status_link, urls) if link is not None]
    explicit = tweet.get("quoted_status_id_str") or tweet.get("quoted_status_id")
    if explicit not in (None, ""):
        # An old archive naming the quoted post: a quote, unless its link shows it is one of the owner's posts.
        quoted = parse_id(explicit, "quoted_status_id")
        own = any(link.tweet_id == str(quoted) and is_own_link(link, tweet_id, owner_handles) for link in links)
        return None if own else quoted
    if str(tweet.get("is_quote_status", "")).lower() == "false":
        return None  # X said so: a link pasted before links to posts became quotes
    others = [link for link in links if not is_own_link(link, tweet_id, owner_handles)]
    return parse_id(others[-1].tweet_id, "quoted status URL") if others else None
