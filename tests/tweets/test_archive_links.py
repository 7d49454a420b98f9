"""Quotes and links in archives: a quote is a link to another account's post; photos and videos are links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.tweets import archive_fixtures as fx
from twexport_qt.tweets.archive import open_archive
from twexport_qt.tweets.archive_links import StatusLink, quoted_tweet_id, status_link
from twexport_qt.tweets.archive_values import BadId


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://twitter.com/Other_Acct/status/1766", StatusLink("Other_Acct", "1766")),
        ("https://x.com/other_acct/status/1766?s=46&t=AbC", StatusLink("other_acct", "1766")),
        ("http://mobile.twitter.com/a_b/status/17/photo/1", StatusLink("a_b", "17")),
        ("https://www.twitter.com/a/statuses/17#reply", StatusLink("a", "17")),
        ("https://twitter.com/i/web/status/17", StatusLink("", "17")),
        ("https://x.com/i/status/17", StatusLink("", "17")),
        ("https://twitter.com/a/status/17abc", None),  # the id must end the segment
        ("https://twitter.com/a", None),
        ("https://example.com/a/status/17", None),
        ("https://nottwitter.com/a/status/17", None),
    ],
)
def test_status_links(url: str, expected: StatusLink | None) -> None:
    assert status_link(url) == expected


OWNER = frozenset({"quill_writes", "old_quill"})


@pytest.mark.parametrize(
    ("tweet", "urls", "expected"),
    [
        ({}, ["https://twitter.com/Other_Acct/status/55"], 55),
        ({}, ["https://twitter.com/Quill_Writes/status/55"], None),  # self-quote or thread link: not a quote
        ({}, ["https://twitter.com/old_quill/status/55"], None),  # the owner under a former handle
        ({}, ["https://twitter.com/i/web/status/9"], None),  # the tweet's own "show more" link
        ({}, ["https://twitter.com/i/web/status/55"], 55),  # author unknown: counted as a quote
        ({}, ["https://example.com/x", "https://twitter.com/quill_writes/status/1"], None),
        ({}, ["https://x.com/a/status/1", "https://x.com/b/status/2"], 2),  # X appends the quoted link last
        ({"quoted_status_id_str": "77"}, [], 77),  # an old archive naming it
        ({"quoted_status_id_str": "77"}, ["https://twitter.com/quill_writes/status/77"], None),
        ({"is_quote_status": "false"}, ["https://twitter.com/Other_Acct/status/55"], None),  # X said no
        ({"is_quote_status": "true"}, ["https://twitter.com/Other_Acct/status/55"], 55),
    ],
)
def test_quoted_tweet_id(tweet: dict[str, Any], urls: list[str], expected: int | None) -> None:
    assert quoted_tweet_id(tweet, 9, urls, OWNER) == expected


def test_an_unstorable_quoted_id_raises_bad_id() -> None:
    with pytest.raises(BadId):
        quoted_tweet_id({}, 9, [f"https://x.com/a/status/{2**63}"], OWNER)


def _kinds(path: Path) -> dict[int, tuple[bool, bool, bool, bool]]:
    """{id: (reply, quote, links, retweet)} of every tweet of the archive at `path`."""
    return {t.id: (t.is_reply, t.is_quote, t.has_links, t.is_retweet) for t in open_archive(path).iter_tweets()}


def test_new_style_archive_quotes_links_and_media(tmp_path: Path) -> None:
    kinds = _kinds(fx.write_zip(tmp_path / "new.zip", fx.new_style_files()))
    #                       reply  quote  links  retweet
    assert kinds[int(fx.T_QUOTE_X)] == (False, True, True, False)  # x.com link with a query string
    assert kinds[int(fx.T_QUOTE_PHOTO)] == (False, True, True, False)  # .../status/<id>/photo/1
    assert kinds[int(fx.T_QUOTE)] == (False, True, True, False)  # a long post quoting: the link is in tweets.js
    assert kinds[int(fx.T_SELF_QUOTE)] == (False, False, True, False)  # own post (handle in capitals)
    assert kinds[int(fx.T_FORMER_HANDLE)] == (False, False, True, False)  # own post, handle before a rename
    assert kinds[int(fx.T_PHOTO)] == (False, False, True, False)  # entities.media only: still a link
    assert kinds[int(fx.T_VIDEO)] == (False, False, True, False)
    assert kinds[int(fx.T_REPLY)] == (True, False, False, False)  # "show more" link gone with the preview
    assert kinds[int(fx.T_STYLED)] == (False, False, True, False)
    assert kinds[int(fx.T_PLAIN)] == (False, False, False, False)
    assert kinds[int(fx.T_RETWEET)][3] and kinds[int(fx.T_MANUAL_RETWEET)][3]  # "RT @nasa", "rt @poet_daily"
    assert sum(quote for _, quote, _, _ in kinds.values()) == 3


def test_old_style_archive_quotes_links_and_media(tmp_path: Path) -> None:
    kinds = _kinds(fx.write_zip(tmp_path / "old.zip", fx.old_style_files()))
    assert kinds[int(fx.O_QUOTE)] == (False, True, True, False)  # mobile.twitter.com link, no is_quote_status
    assert kinds[int(fx.O_SELF_LINK)] == (False, False, True, False)  # link to the owner's own thread
    assert kinds[int(fx.O_PHOTO)] == (False, False, True, False)
    assert kinds[int(fx.O_THREAD)] == (True, False, False, False)
    assert kinds[int(fx.O_MANUAL_RT)] == (False, False, False, True)


def test_without_a_known_owner_every_link_to_a_post_is_a_quote(tmp_path: Path) -> None:
    files = fx.new_style_files()
    del files["data/account.js"], files["data/manifest.js"], files["data/screen-name-change.js"]
    kinds = _kinds(fx.write_folder(tmp_path, files))
    assert kinds[int(fx.T_SELF_QUOTE)][1] and kinds[int(fx.T_FORMER_HANDLE)][1]  # the safe side: left out
    assert not kinds[int(fx.T_REPLY)][1]  # its own "show more" link is still its own
