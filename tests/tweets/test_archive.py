from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from twexport_qt.tweets.archive import ArchiveAccount, ArchiveError, open_archive, parse_archive_time

ACCOUNT_ID = "1234567890"


def _ytd(global_name: str, entries: list[Any], *, old_style: bool = False) -> str:
    """A data file as X writes it: 2022+ pretty JSON with Java-style " : ", or the 2019 `[ {` first line."""
    body = json.dumps(entries, indent=2, separators=(",", " : "), ensure_ascii=False)
    if old_style:
        body = body.replace("[\n  {", "[ {", 1)
    return f"window.YTD.{global_name} = {body}"


def _tweet(tweet_id: str, text: str, created_at: str = "Thu Oct 06 21:49:02 +0000 2022", **extra: Any) -> dict:
    tweet = {
        "edit_info": {"initial": {"editTweetIds": [tweet_id], "editableUntil": "2022-10-06T22:19:02.000Z",
                                  "editsRemaining": "5", "isEditEligible": True}},
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "display_text_range": ["0", str(len(text))],
        "favorite_count": "3",
        "id_str": tweet_id,
        "truncated": False,
        "retweet_count": "0",
        "id": tweet_id,
        "created_at": created_at,
        "favorited": False,
        "full_text": text,
        "lang": "en",
    }
    tweet.update(extra)
    return {"tweet": tweet}


ORIGINAL = _tweet("1000", "Fish &amp; chips tonight")
REPLY = _tweet(
    "1001", "@bob totally agree", "Fri Oct 07 08:00:00 +0200 2022",
    in_reply_to_status_id="900", in_reply_to_status_id_str="900",
    in_reply_to_user_id="77", in_reply_to_user_id_str="77", in_reply_to_screen_name="bob",
)
RETWEET = _tweet("1002", "RT @nasa: Launch today! https://t.co/abc")
WITH_LINK = _tweet("1003", "Read this https://t.co/xyz")
WITH_LINK["tweet"]["entities"]["urls"] = [
    {"url": "https://t.co/xyz", "expanded_url": "https://example.com/post", "display_url": "example.com/post",
     "indices": ["10", "33"]},
]
QUOTE = _tweet("1004", "So true https://t.co/q", is_quote_status="true")
QUOTE["tweet"]["entities"]["urls"] = [
    {"url": "https://t.co/q", "expanded_url": "https://twitter.com/someone/status/555", "display_url": "x",
     "indices": ["8", "22"]},
]
PART1 = _tweet("990", "older tweet from part 1", "Mon Jan 03 10:00:00 +0000 2022")
# Earliest archives: no {"tweet": ...} wrapper, numbers still strings.
UNWRAPPED = _tweet("10", "hello 2009", "Sun Mar 22 12:00:00 +0000 2009")["tweet"]


def _files(*, tweets_name: str = "tweets", old_style: bool = False) -> dict[str, str]:
    account = [{"account": {"email": "me@example.com", "createdVia": "web", "username": "archive_owner",
                            "accountId": ACCOUNT_ID, "createdAt": "2015-03-30T10:38:02.103Z",
                            "accountDisplayName": "Archive Owner"}}]
    followers = [
        {"follower": {"accountId": "15989888", "userLink": "https://twitter.com/intent/user?user_id=15989888"}},
        {"follower": {"accountId": "42"}},  # very old archives omit userLink
    ]
    return {
        "Your archive.html": "<html></html>",
        "assets/js/app.js": "var x = 1;",
        "data/account.js": _ytd("account.part0", account, old_style=old_style),
        "data/follower.js": _ytd("follower.part0", followers, old_style=old_style),
        f"data/{tweets_name}.js": _ytd(f"{tweets_name}.part0", [ORIGINAL, REPLY, RETWEET, WITH_LINK, QUOTE],
                                       old_style=old_style),
        f"data/{tweets_name}-part1.js": _ytd(f"{tweets_name}.part1", [PART1, UNWRAPPED], old_style=old_style),
        "data/tweet-headers.js": _ytd("tweet_headers.part0", [{"tweet": {"tweetId": "1"}}]),
    }


def _write_folder(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return root


def _write_zip(path: Path, files: dict[str, str], prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(prefix + name, content)
    return path


@pytest.fixture(params=["zip", "folder", "zip_with_top_folder", "data_folder"])
def archive_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    files = _files()
    if request.param == "zip":
        return _write_zip(tmp_path / "twitter-2022-11-06-abc.zip", files)
    if request.param == "zip_with_top_folder":
        return _write_zip(tmp_path / "twitter.zip", files, prefix="twitter-2022-11-06-abc/")
    folder = _write_folder(tmp_path / "extracted", files)
    return folder / "data" if request.param == "data_folder" else folder


def test_account_and_followers(archive_path: Path) -> None:
    archive = open_archive(archive_path)
    assert archive.account == ArchiveAccount(int(ACCOUNT_ID), "archive_owner", "Archive Owner")
    assert archive.follower_ids() == [15989888, 42]


def test_tweets_from_all_parts_mapped_to_records(archive_path: Path) -> None:
    tweets = list(open_archive(archive_path).iter_tweets())
    assert [t.id for t in tweets] == [1000, 1001, 1002, 1003, 1004, 990, 10]
    by_id = {t.id: t for t in tweets}

    original = by_id[1000]
    assert original.text == "Fish &amp; chips tonight"  # raw, as X returns it; cleaning unescapes
    assert (original.author_id, original.author_username) == (int(ACCOUNT_ID), "archive_owner")
    assert original.created_at == 1665092942  # 2022-10-06T21:49:02Z
    assert (original.is_reply, original.is_quote, original.is_retweet, original.has_links) == (False,) * 4
    assert original.conversation_id is None

    reply = by_id[1001]
    assert (reply.in_reply_to_tweet_id, reply.in_reply_to_user_id) == (900, 77)
    assert reply.created_at == 1665122400  # 08:00 at +02:00 is 06:00Z

    assert by_id[1002].is_retweet
    assert by_id[1003].has_links and not by_id[1003].is_quote
    assert by_id[1004].quoted_tweet_id == 555
    assert by_id[10].created_at == 1237723200


def test_old_style_archive_with_tweet_js(tmp_path: Path) -> None:
    files = _files(tweets_name="tweet", old_style=True)
    assert files["data/tweet.js"].startswith("window.YTD.tweet.part0 = [ {\n")
    archive = open_archive(_write_zip(tmp_path / "old.zip", files))
    assert [t.id for t in archive.iter_tweets()] == [1000, 1001, 1002, 1003, 1004, 990, 10]
    assert archive.account is not None and archive.account.username == "archive_owner"


def test_empty_lists_and_trailing_semicolon(tmp_path: Path) -> None:
    files = _files()
    files["data/follower.js"] = "window.YTD.follower.part0 = [ ]"
    files["data/tweets.js"] = _ytd("tweets.part0", [ORIGINAL]) + ";\n"
    del files["data/tweets-part1.js"]
    archive = open_archive(_write_folder(tmp_path, files))
    assert archive.follower_ids() == []
    assert [t.id for t in archive.iter_tweets()] == [1000]


def test_account_falls_back_to_the_manifest(tmp_path: Path) -> None:
    files = _files()
    del files["data/account.js"]
    files["data/manifest.js"] = (
        'window.__THAR_CONFIG = {"userInfo" : {"accountId" : "99", "userName" : "m", "displayName" : "M"}}'
    )
    archive = open_archive(_write_folder(tmp_path, files))
    assert archive.account == ArchiveAccount(99, "m", "M")
    assert next(archive.iter_tweets()).author_id == 99


@pytest.mark.parametrize("timestamp", ["Thu Oct 06 21:49:02 +0000 2022", "Thu Oct 06 16:49:02 -0500 2022"])
def test_parse_archive_time_honours_the_offset(timestamp: str) -> None:
    assert parse_archive_time(timestamp) == 1665092942


def test_not_an_archive(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not an X data archive"):
        open_archive(_write_zip(tmp_path / "photos.zip", {"a.js": "x", "b.txt": "y"}))
    (tmp_path / "plain.zip").write_bytes(b"not a zip at all")
    with pytest.raises(ArchiveError, match="not a readable zip"):
        open_archive(tmp_path / "plain.zip")
    with pytest.raises(ArchiveError, match="does not exist"):
        open_archive(tmp_path / "nowhere.zip")


def test_archive_without_tweets(tmp_path: Path) -> None:
    files = {"data/account.js": _files()["data/account.js"]}
    archive = open_archive(_write_folder(tmp_path, files))
    with pytest.raises(ArchiveError, match="no tweets file"):
        list(archive.iter_tweets())
    with pytest.raises(ArchiveError, match="no follower list"):
        archive.follower_ids()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('var tweets = [ ]', "does not start with X's 'window.YTD"),
        ('window.YTD.tweets.part0 = {"tweet" : {}}', "does not hold a list"),
        ('window.YTD.tweets.part0 = [\n  {\n    "tweet" : {\n      "id" : "1",', "damaged near line 4"),
        ('window.YTD.tweets.part0 = [ {"tweet" : {"id_str" : "1", "full_text" : "x"}} ', "is not in X's format"),
        ('window.YTD.tweets.part0 = [ "just a string" ]', "is not a tweet"),
        ('window.YTD.tweets.part0 = [ {"tweet" : {"id_str" : "1", "full_text" : "x", '
         '"created_at" : "yesterday"}} ]', "is not in X's format"),
    ],
)
def test_malformed_tweets_file_gives_a_sentence(tmp_path: Path, content: str, message: str) -> None:
    files = {"data/account.js": _files()["data/account.js"], "data/tweets.js": content}
    archive = open_archive(_write_zip(tmp_path / "bad.zip", files))
    with pytest.raises(ArchiveError, match=message) as raised:
        list(archive.iter_tweets())
    assert "data/tweets.js" in str(raised.value)


def test_truncated_file_is_reported(tmp_path: Path) -> None:
    files = {"data/tweets.js": _ytd("tweets.part0", [ORIGINAL]).rstrip().removesuffix("]")}
    archive = open_archive(_write_folder(tmp_path, files))
    with pytest.raises(ArchiveError, match="ends too early"):
        list(archive.iter_tweets())


# ---- ids SQLite cannot store ------------------------------------------------------------------------------

TOO_BIG = str(2**63)  # one above SQLite's largest INTEGER
HUGE_LITERAL = "9" * 5000  # past Python's 4,300-digit int() limit too


def _archive_with_tweets(tmp_path: Path, tweets_js: str) -> Path:
    return _write_folder(tmp_path / "archive", {"data/account.js": _files()["data/account.js"],
                                                 "data/tweets.js": tweets_js})


@pytest.mark.parametrize(
    "bad_id",
    [TOO_BIG, "-5", "abc", "", "12_345", " 123", "١٢٣", "1e18", HUGE_LITERAL],
)
def test_a_tweet_with_an_unusable_id_is_skipped_and_counted(tmp_path: Path, bad_id: str, caplog) -> None:
    bad = _tweet(bad_id, "my id is broken")
    if bad_id == "":
        bad["tweet"]["id"] = "not a number"  # id_str empty: the fallback `id` is read, and is bad too
    archive = open_archive(_archive_with_tweets(tmp_path, _ytd("tweets.part0", [ORIGINAL, bad, WITH_LINK])))

    assert [t.id for t in archive.iter_tweets()] == [1000, 1003]
    assert archive.skipped_malformed == 1
    assert "Tweet 2 of data/tweets.js in the archive was skipped" in caplog.text


@pytest.mark.parametrize("as_json_number", [False, True])
def test_ids_as_json_numbers_out_of_range_are_skipped_not_crashing(tmp_path: Path, as_json_number: bool) -> None:
    # Early archives wrote some ids as bare numbers; a hostile one may be longer than int() accepts.
    entries = [
        f'{{"tweet": {{"id": {literal}, "created_at": "Thu Oct 06 21:49:02 +0000 2022", "full_text": "t"}}}}'
        if as_json_number else
        f'{{"tweet": {{"id_str": "{literal}", "created_at": "Thu Oct 06 21:49:02 +0000 2022", "full_text": "t"}}}}'
        for literal in ("7", TOO_BIG, HUGE_LITERAL, "-1", str(2**63 - 1))
    ]
    archive = open_archive(_archive_with_tweets(tmp_path, "window.YTD.tweets.part0 = [" + ", ".join(entries) + "]"))

    assert [t.id for t in archive.iter_tweets()] == [7, 2**63 - 1]  # the largest storable id is fine
    assert archive.skipped_malformed == 3


def test_unusable_reference_ids_are_dropped_and_the_tweet_kept(tmp_path: Path, caplog) -> None:
    reply = _tweet("2001", "@bob hi", in_reply_to_status_id_str=TOO_BIG, in_reply_to_user_id_str="-77")
    reply_to_good = _tweet("2002", "@bob again", in_reply_to_status_id_str="900", in_reply_to_user_id_str="x")
    quote = _tweet("2003", "look https://t.co/q", quoted_status_id_str=HUGE_LITERAL)
    quote_by_url = _tweet("2004", "look https://t.co/q", is_quote_status="true")
    quote_by_url["tweet"]["entities"]["urls"] = [
        {"url": "https://t.co/q", "expanded_url": f"https://x.com/someone/status/{TOO_BIG}"},
    ]
    archive = open_archive(_archive_with_tweets(
        tmp_path, _ytd("tweets.part0", [reply, reply_to_good, quote, quote_by_url])))

    tweets = {t.id: t for t in archive.iter_tweets()}

    assert sorted(tweets) == [2001, 2002, 2003, 2004]
    assert (tweets[2001].in_reply_to_tweet_id, tweets[2001].in_reply_to_user_id) == (None, None)
    assert (tweets[2002].in_reply_to_tweet_id, tweets[2002].in_reply_to_user_id) == (900, None)
    assert tweets[2003].quoted_tweet_id is None and tweets[2004].quoted_tweet_id is None
    assert archive.skipped_malformed == 0
    assert archive.dropped_reference_ids == 5
    assert "(id 2001): in_reply_to_status_id" in caplog.text and "imported without it" in caplog.text


def test_counts_do_not_grow_when_the_archive_is_read_again(tmp_path: Path) -> None:
    bad = _tweet(TOO_BIG, "bad")
    bad_reference = _tweet("3001", "@x", in_reply_to_status_id_str="-1")
    archive = open_archive(_archive_with_tweets(tmp_path, _ytd("tweets.part0", [bad, bad_reference, ORIGINAL])))

    for _ in range(3):  # the download source re-reads the archive to resume and to find reply parents
        assert [t.id for t in archive.iter_tweets()] == [3001, 1000]

    assert (archive.skipped_malformed, archive.dropped_reference_ids) == (1, 1)


def test_an_archive_with_bad_ids_downloads_into_sqlite(tmp_path: Path) -> None:
    """End to end through ArchiveSource and the tweets table: nothing reaches SQLite out of int64 range."""
    from twexport_qt.core.clock import FakeClock
    from twexport_qt.store.database import open_database
    from twexport_qt.tweets.download import DownloadRequest, run_download
    from twexport_qt.tweets.options import DatasetOptions

    entries = [
        ORIGINAL,
        _tweet(TOO_BIG, "too big"),
        _tweet("-3", "negative"),
        _tweet("4001", "@bob reply to a broken id", in_reply_to_status_id_str=TOO_BIG,
               in_reply_to_user_id_str=HUGE_LITERAL),
        _tweet("4002", "quoting https://t.co/q", quoted_status_id_str="-9"),
    ]
    archive = _write_zip(tmp_path / "x.zip", {"data/account.js": _files()["data/account.js"],
                                              "data/tweets.js": _ytd("tweets.part0", entries)})
    conn = open_database(tmp_path / "db.sqlite3")
    request = DownloadRequest((str(archive),), "archive", DatasetOptions(include_replies=True), tmp_path / "a.csv")

    summary = run_download(conn, None, None, FakeClock(), request)

    assert summary.written_total == 3
    stored = sorted(row[0] for row in conn.execute("SELECT id FROM tweets"))
    assert stored == [1000, 4001, 4002]


def test_deeply_nested_json_is_a_sentence_not_a_recursion_error(tmp_path: Path) -> None:
    nested = "window.YTD.tweets.part0 = [" + "[" * 100_000 + "]" * 100_001
    archive = open_archive(_archive_with_tweets(tmp_path, nested))
    with pytest.raises(ArchiveError, match="nested too deeply"):
        list(archive.iter_tweets())


@pytest.mark.parametrize("account_id", [TOO_BIG, "-1", HUGE_LITERAL])
def test_an_owner_id_sqlite_cannot_store_is_a_sentence(tmp_path: Path, account_id: str) -> None:
    account = [{"account": {"username": "owner", "accountId": account_id}}]
    files = {"data/account.js": _ytd("account.part0", account), "data/tweets.js": _ytd("tweets.part0", [ORIGINAL])}
    archive = open_archive(_write_folder(tmp_path, files))
    with pytest.raises(ArchiveError, match="does not describe an account"):
        _ = archive.account
