"""Synthetic X data archives shaped like real exports (XAPI_FACTS §5 and §9.2), for the archive tests.

Nothing is copied from a real archive: texts are invented, ids are snowflakes built from the times given, so a
long post's note id falls a few milliseconds before its tweet's id, as X allocates them. Two archives:

- `new_style_files()`: 2024, `tweets.js` (`YTD.tweets.part0`) split with `tweets-part1.js`, long posts in
  `note-tweet.js` + `note-tweet-part1.js`, a former handle in `screen-name-change.js`, Java-style `" : "` JSON.
- `old_style_files()`: 2019-2020, `tweet.js` (`YTD.tweet.part0`, `[ {` on the first line) and `tweet-part1.js`,
  no edit_info, no notes (long posts came in 2023).
"""

from __future__ import annotations

import html
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TWEPOCH_MS = 1288834974657  # X's snowflake epoch (XAPI_FACTS §9.6)
OWNER_ID = "1450192837465012224"
OWNER = "quill_writes"
FORMER_HANDLE = "old_quill"
OTHER = "Other_Acct"
OTHER_ID = "783214"

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _moment(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=UTC)


def snowflake(when: str, ms: int = 0, sequence: int = 0) -> str:
    """The id X would give a post made at `when` (UTC, "2024-03-01T10:00:00") plus `ms` milliseconds."""
    epoch_ms = int(_moment(when).timestamp()) * 1000 + ms
    return str(((epoch_ms - TWEPOCH_MS) << 22) | (7 << 12) | sequence)


def tweet_time(when: str) -> str:
    """tweets.js's `created_at`: "Fri Mar 01 10:00:00 +0000 2024" (English whatever the locale)."""
    m = _moment(when)
    return f"{_DAYS[m.weekday()]} {_MONTHS[m.month - 1]} {m.day:02d} {m:%H:%M:%S} +0000 {m.year}"


def note_time(when: str) -> str:
    return f"{when}.000Z"


def ytd(global_name: str, entries: list[Any], *, old_style: bool = False) -> str:
    """A data file as X writes it: 2022+ pretty JSON with Java-style " : ", or the 2019 `[ {` first line."""
    body = json.dumps(entries, indent=2, separators=(",", " : "), ensure_ascii=False)
    if old_style:
        body = body.replace("[\n  {", "[ {", 1)
    return f"window.YTD.{global_name} = {body}"


def url_entity(short: str, expanded: str, text: str) -> dict[str, Any]:
    start = text.index(short)
    shown = expanded.split("://", 1)[1]
    return {"url": short, "expanded_url": expanded, "display_url": shown[:26] + ("…" if len(shown) > 26 else ""),
            "indices": [str(start), str(start + len(short))]}


def media_entity(short: str, tweet_id: str, text: str, *, kind: str = "photo") -> dict[str, Any]:
    start = text.index(short)
    return {
        "expanded_url": f"https://twitter.com/{OWNER}/status/{tweet_id}/{'video' if kind == 'video' else 'photo'}/1",
        "indices": [str(start), str(start + len(short))],
        "url": short,
        "media_url": "http://pbs.twimg.com/media/Fq0aBcDeFgHiJkL.jpg",
        "id_str": str(int(tweet_id) - 1000),
        "id": str(int(tweet_id) - 1000),
        "media_url_https": "https://pbs.twimg.com/media/Fq0aBcDeFgHiJkL.jpg",
        "sizes": {"large": {"w": "2048", "h": "1536", "resize": "fit"}, "thumb": {"w": "150", "h": "150",
                                                                                   "resize": "crop"}},
        "type": kind,
        "display_url": "pic.twitter.com/" + short.rsplit("/", 1)[1],
    }


def tweet(tweet_id: str, text: str, when: str, *, urls: list[dict[str, Any]] | None = None,
          media: list[dict[str, Any]] | None = None, reply_to: tuple[str, str, str] | None = None,
          mentions: list[str] | None = None, modern: bool = True) -> dict[str, Any]:
    """A tweets.js entry; `reply_to` is (status id, user id, screen name); `text` is written as given
    (escape it with `escaped` first, as X escapes `&`, `<`, `>`)."""
    body: dict[str, Any] = {
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {
            "hashtags": [],
            "symbols": [],
            "user_mentions": [{"name": name, "screen_name": name, "indices": ["0", str(len(name) + 1)],
                               "id_str": OTHER_ID, "id": OTHER_ID} for name in mentions or []],
            "urls": urls or [],
        },
        "display_text_range": ["0", str(len(text))],
        "favorite_count": "2",
        "id_str": tweet_id,
        "truncated": False,
        "retweet_count": "0",
        "id": tweet_id,
        "created_at": tweet_time(when),
        "favorited": False,
        "full_text": text,
        "lang": "en",
    }
    if modern:
        body["edit_info"] = {"initial": {"editTweetIds": [tweet_id], "editableUntil": note_time(when),
                                         "editsRemaining": "5", "isEditEligible": True}}
    if media:
        body["entities"]["media"] = media
        body["extended_entities"] = {"media": media}
        body["possibly_sensitive"] = False
    if reply_to:
        status, user, name = reply_to
        body.update(in_reply_to_status_id=status, in_reply_to_status_id_str=status, in_reply_to_user_id=user,
                    in_reply_to_user_id_str=user, in_reply_to_screen_name=name)
    return {"tweet": body}


def note(note_id: str, when: str, text: str, *, urls: list[tuple[str, str]] | None = None,
         bold: tuple[int, int] | None = None) -> dict[str, Any]:
    """A note-tweet.js entry; `urls` are (t.co link in `text`, expanded link); indexes are strings."""
    links = [{"expandedUrl": expanded, "toIndex": str(text.index(short) + len(short)), "shortUrl": short,
              "displayUrl": expanded.split("://", 1)[1][:26], "fromIndex": str(text.index(short))}
             for short, expanded in urls or []]
    styletags = [{"styleTypes": [{"value": "0", "name": "Bold", "originalName": "BOLD", "annotations": {}}],
                  "fromIndex": str(bold[0]), "toIndex": str(bold[1])}] if bold else []
    return {"noteTweet": {
        "noteTweetId": note_id,
        "updatedAt": note_time(when),
        "lifecycle": {"value": "1", "name": "Active", "originalName": "Active", "annotations": {}},
        "createdAt": note_time(when),
        "core": {"styletags": styletags, "urls": links, "text": text, "mentions": [], "cashtags": [],
                 "hashtags": []},
    }}


def escaped(text: str) -> str:
    """Text as tweets.js holds it: `&`, `<` and `>` HTML-escaped."""
    return html.escape(text, quote=False)


def preview(text: str, cut: int = 270) -> str:
    """A long post's tweets.js text: its first characters, HTML-escaped, ending in "…"."""
    return escaped(text[:cut].rstrip()) + "…"


def manifest_js(data_types: dict[str, list[tuple[str, str, int]]]) -> str:
    """manifest.js: the owner and, per data type, its files as (file name, global name, entry count)."""
    manifest = {
        "userInfo": {"accountId": OWNER_ID, "userName": OWNER, "displayName": "Quill"},
        "archiveInfo": {"sizeBytes": "123456", "generationDate": "2024-03-13T10:00:00.000Z",
                        "isPartialArchive": False, "maxPartSizeBytes": "53687091200"},
        "dataTypes": {kind: {"files": [{"fileName": f"data/{name}", "globalName": f"YTD.{global_name}",
                                        "count": str(count)} for name, global_name, count in files]}
                      for kind, files in data_types.items()},
    }
    return "window.__THAR_CONFIG = " + json.dumps(manifest, indent=2, separators=(",", " : "))


def account_js(*, old_style: bool = False) -> str:
    return ytd("account.part0", [{"account": {
        "email": "quill@example.org", "createdVia": "web", "username": OWNER, "accountId": OWNER_ID,
        "createdAt": "2021-10-18T19:20:00.000Z", "accountDisplayName": "Quill"}}], old_style=old_style)


# ----- the 2024 archive --------------------------------------------------------------------------------------

LONG_ORIGINAL = (
    "Notes from the garden club meeting, because several of you asked & I promised:\n\n"
    "First, the tomatoes. Start them indoors six weeks before the last frost, harden them off slowly, and never "
    "water the leaves in the evening. Second, compost: greens and browns, roughly one to three, turned weekly. "
    "Third, patience <3 The beds we planted in April are finally paying off, and the best part is still to come."
)
LONG_REPLY = (
    "Happy to explain the whole setup. The sensor sits in the shade on the north wall, it reports every five "
    "minutes over the old wifi bridge, and the little script on the shelf computer averages the last hour before "
    "it decides anything. Watering only starts when the soil is dry two readings in a row, so a single bad "
    "reading never floods the beds. The full wiring diagram is on the club's noticeboard."
)
LONG_QUOTE = (
    "This is the best summary of the allotment rules I have read, and I have read all of them. The part about "
    "shared water butts is exactly what we argued about at the last meeting, and the proposal to rotate the "
    "tool shed keys every month finally makes sense when you see it written down like this. Worth a read for "
    "every member, especially the new ones."
)
STYLED_SHORT = "Two rules for seedlings: light before warmth, and water from below. Details: https://t.co/NoTe4Rules"
STRADDLING = (
    "A long one about bees, posted just before the minute turned. The hive on plot nine swarmed on Sunday and "
    "settled in the hedge, where a member from the beekeeping group collected it in a cardboard box with more "
    "calm than I have ever had about anything. The colony is now in a proper hive near the orchard and seems to "
    "be doing well. If you see a swarm, do not spray it; call the number on the gate instead."
)
DELETED_LONG = (
    "Draft of the winter plan, which I deleted a minute later because the dates were wrong. It listed the "
    "pruning days, the leaf collection and the date for the annual general meeting, none of which were right, "
    "so please ignore anything you saw of it and wait for the corrected version that the secretary will post "
    "on the noticeboard next week, together with the new key rota and the bonfire rules."
)
THREAD_FIRST = (
    "Thread: what a year on plot twelve taught me. One: soil first. I spent the spring adding leaf mould and "
    "well rotted manure instead of planting, and the neighbours laughed, but by July the beds held water through "
    "the dry spell and the roots went deep. Two: grow what you eat, not what looks good in the catalogue, "
    "because nobody in my house eats kohlrabi."
)
THREAD_SECOND = (
    "Three: share the gluts. Every courgette plant makes more than one family can eat, and swapping a bag of "
    "them for a jar of someone's jam is how I met half the site. Four: keep notes. A cheap notebook in the shed "
    "with dates of sowing, first harvest and what went wrong saved me from repeating the same mistakes, and it "
    "makes the winter planning evenings far more fun."
)

# Ids, oldest first; every note is saved 20-40 ms before its tweet.
N_ORIGINAL, T_ORIGINAL = snowflake("2024-03-01T10:00:00", 100), snowflake("2024-03-01T10:00:00", 131)
PARENT_ELSEWHERE = snowflake("2024-03-02T07:00:00", 5)  # @river_dev's question, not in the archive
N_REPLY, T_REPLY = snowflake("2024-03-02T09:00:00", 200), snowflake("2024-03-02T09:00:00", 226)
QUOTED_ELSEWHERE = snowflake("2024-03-02T12:00:00", 0)  # a post of Other_Acct's
N_QUOTE, T_QUOTE = snowflake("2024-03-03T11:00:00", 300), snowflake("2024-03-03T11:00:00", 337)
N_STYLED, T_STYLED = snowflake("2024-03-04T08:00:00", 400), snowflake("2024-03-04T08:00:00", 413)
N_STRADDLING, T_STRADDLING = snowflake("2024-03-05T08:30:59", 990), snowflake("2024-03-05T08:31:00", 15)
N_DELETED = snowflake("2024-03-06T12:00:00", 100)  # its tweet was deleted before the archive was made
T_AFTER_DELETED = snowflake("2024-03-06T12:00:00", 450)  # a reply posted in the same second
N_THREAD_1, T_THREAD_1 = snowflake("2024-03-07T09:15:00", 100), snowflake("2024-03-07T09:15:00", 130)
N_THREAD_2, T_THREAD_2 = snowflake("2024-03-07T09:15:00", 600), snowflake("2024-03-07T09:15:00", 640)
T_QUOTE_X = snowflake("2024-03-08T18:00:00", 1)
T_QUOTE_PHOTO = snowflake("2024-03-08T19:00:00", 1)
T_SELF_QUOTE = snowflake("2024-03-09T09:00:00", 1)
T_FORMER_HANDLE = snowflake("2024-03-09T10:00:00", 1)
T_PHOTO = snowflake("2024-03-10T20:00:00", 1)
T_VIDEO = snowflake("2024-03-10T21:00:00", 1)
T_PLAIN = snowflake("2024-03-11T19:00:00", 1)
T_REPLY_SHORT = snowflake("2024-03-11T20:00:00", 1)
T_RETWEET = snowflake("2024-03-12T08:00:00", 1)
T_MANUAL_RETWEET = snowflake("2024-03-12T09:00:00", 1)


def new_style_tweets() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tweets.js entries, tweets-part1.js entries), newest first as X writes them."""
    reply_text = f"@river_dev {preview(LONG_REPLY)} https://t.co/mOrE2Reply"
    quote_text = f"{preview(LONG_QUOTE)} https://t.co/qUoTe3Rules"
    styled_tweet_text = STYLED_SHORT.replace("https://t.co/NoTe4Rules", "https://t.co/TwEet4Rules")
    x_quote_text = "So true, and nobody says it out loud https://t.co/xQ1"
    photo_quote_text = "Look at this chart from the council https://t.co/pH2"
    self_quote_text = "As I said last spring, mulch is everything https://t.co/sQ1"
    former_text = "The thread from before my rename https://t.co/sQ2"
    photo_text = "Sunset over the allotments https://t.co/piC1"
    video_text = "The swarm, filmed from a safe distance https://t.co/viD1"
    newer = [
        tweet(T_MANUAL_RETWEET, "rt @poet_daily: the moon is a nail clipping", "2024-03-12T09:00:00"),
        tweet(T_RETWEET, "RT @nasa: Launch window opens at 14:00 UTC https://t.co/rT1", "2024-03-12T08:00:00",
              urls=[url_entity("https://t.co/rT1", "https://nasa.gov/launch", "RT @nasa: Launch window opens "
                                                                              "at 14:00 UTC https://t.co/rT1")]),
        tweet(T_REPLY_SHORT, "@river_dev Thanks, that fixed it!", "2024-03-11T20:00:00",
              reply_to=(PARENT_ELSEWHERE, OTHER_ID, "river_dev"), mentions=["river_dev"]),
        tweet(T_PLAIN, escaped("Fish & chips tonight, then an early night."), "2024-03-11T19:00:00"),
        tweet(T_VIDEO, video_text, "2024-03-10T21:00:00", media=[media_entity("https://t.co/viD1", T_VIDEO,
                                                                              video_text, kind="video")]),
        tweet(T_PHOTO, photo_text, "2024-03-10T20:00:00", media=[media_entity("https://t.co/piC1", T_PHOTO,
                                                                              photo_text)]),
        tweet(T_FORMER_HANDLE, former_text, "2024-03-09T10:00:00", urls=[url_entity(
            "https://t.co/sQ2", f"https://twitter.com/{FORMER_HANDLE}/status/{T_ORIGINAL}", former_text)]),
        tweet(T_SELF_QUOTE, self_quote_text, "2024-03-09T09:00:00", urls=[url_entity(
            "https://t.co/sQ1", f"https://twitter.com/{OWNER.upper()}/status/{T_ORIGINAL}?s=20", self_quote_text)]),
        tweet(T_QUOTE_PHOTO, photo_quote_text, "2024-03-08T19:00:00", urls=[url_entity(
            "https://t.co/pH2", f"https://twitter.com/{OTHER}/status/{QUOTED_ELSEWHERE}/photo/1", photo_quote_text)]),
        tweet(T_QUOTE_X, x_quote_text, "2024-03-08T18:00:00", urls=[url_entity(
            "https://t.co/xQ1", f"https://x.com/{OTHER}/status/{QUOTED_ELSEWHERE}?s=46&t=AbCdEf", x_quote_text)]),
        tweet(T_THREAD_2, preview(THREAD_SECOND), "2024-03-07T09:15:00", reply_to=(T_THREAD_1, OWNER_ID, OWNER)),
        tweet(T_THREAD_1, preview(THREAD_FIRST), "2024-03-07T09:15:00"),
        tweet(T_AFTER_DELETED, "And the corrected winter plan goes up next week.", "2024-03-06T12:00:00"),
    ]
    older = [
        tweet(T_STRADDLING, preview(STRADDLING), "2024-03-05T08:31:00"),
        tweet(T_STYLED, styled_tweet_text, "2024-03-04T08:00:00", urls=[url_entity(
            "https://t.co/TwEet4Rules", "https://example.org/seedlings", styled_tweet_text)]),
        tweet(T_QUOTE, quote_text, "2024-03-03T11:00:00", urls=[url_entity(
            "https://t.co/qUoTe3Rules", f"https://twitter.com/{OTHER}/status/{QUOTED_ELSEWHERE}", quote_text)]),
        tweet(T_REPLY, reply_text, "2024-03-02T09:00:00", reply_to=(PARENT_ELSEWHERE, OTHER_ID, "river_dev"),
              mentions=["river_dev"], urls=[url_entity(
                  "https://t.co/mOrE2Reply", f"https://twitter.com/i/web/status/{T_REPLY}", reply_text)]),
        tweet(T_ORIGINAL, preview(LONG_ORIGINAL), "2024-03-01T10:00:00"),
    ]
    return newer, older


def new_style_notes() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(note-tweet.js entries, note-tweet-part1.js entries), in no particular order, as X writes them."""
    first = [
        note(N_THREAD_2, "2024-03-07T09:15:00", THREAD_SECOND),
        note(N_THREAD_1, "2024-03-07T09:15:00", THREAD_FIRST),
        note(N_DELETED, "2024-03-06T12:00:00", DELETED_LONG),
        note(N_STRADDLING, "2024-03-05T08:30:59", STRADDLING),
        note(N_STYLED, "2024-03-04T08:00:00", STYLED_SHORT,
             urls=[("https://t.co/NoTe4Rules", "https://example.org/seedlings")], bold=(10, 15)),
    ]
    second = [
        note(N_QUOTE, "2024-03-03T11:00:00", LONG_QUOTE),
        note(N_REPLY, "2024-03-02T09:00:00", LONG_REPLY),
        note(N_ORIGINAL, "2024-03-01T10:00:00", LONG_ORIGINAL),
    ]
    return first, second


def new_style_files() -> dict[str, str]:
    newer, older = new_style_tweets()
    notes, more_notes = new_style_notes()
    rename = [{"screenNameChange": {"accountId": OWNER_ID, "screenNameChange": {
        "changedAt": "2022-05-01T12:00:00.000Z", "changedFrom": FORMER_HANDLE, "changedTo": OWNER}}}]
    return {
        "Your archive.html": "<html></html>",
        "data/manifest.js": manifest_js({"tweets": [("tweets.js", "tweets.part0", len(newer)),
                                                    ("tweets-part1.js", "tweets.part1", len(older))],
                                         "noteTweet": [("note-tweet.js", "note_tweet.part0", len(notes)),
                                                       ("note-tweet-part1.js", "note_tweet.part1", len(more_notes))],
                                         "screenNameChange": [("screen-name-change.js", "screen_name_change.part0",
                                                               len(rename))]}),
        "data/account.js": account_js(),
        "data/screen-name-change.js": ytd("screen_name_change.part0", rename),
        "data/tweets.js": ytd("tweets.part0", newer),
        "data/tweets-part1.js": ytd("tweets.part1", older),
        "data/note-tweet.js": ytd("note_tweet.part0", notes),
        "data/note-tweet-part1.js": ytd("note_tweet.part1", more_notes),
        "data/tweet-headers.js": ytd("tweet_headers.part0", [{"tweet": {"tweetId": T_PLAIN, "userId": OWNER_ID,
                                                                        "createdAt": "2024-03-11T19:00:00.000Z"}}]),
    }


# ----- the 2020 archive --------------------------------------------------------------------------------------

O_FIRST = snowflake("2019-06-01T08:00:00", 1)
O_THREAD = snowflake("2019-06-01T08:05:00", 1)
O_QUOTE = snowflake("2019-07-02T12:00:00", 1)
O_SELF_LINK = snowflake("2019-07-03T12:00:00", 1)
O_PHOTO = snowflake("2020-01-05T16:00:00", 1)
O_REPLY_OTHER = snowflake("2020-02-01T09:00:00", 1)
O_PHOTO_ONLY = snowflake("2020-02-10T10:00:00", 1)
O_PHOTO_REPLY = snowflake("2020-02-10T10:01:00", 1)
O_MANUAL_RT = snowflake("2020-03-01T09:00:00", 1)
O_QUOTED = snowflake("2019-07-01T10:00:00", 1)
O_PARENT_ELSEWHERE = snowflake("2020-01-31T22:00:00", 1)


def old_style_files() -> dict[str, str]:
    quote_text = "Exactly this https://t.co/oQ1"
    self_text = "Part two of yesterday's thread https://t.co/oS1"
    photo_text = "First frost on the cabbages https://t.co/oP1"
    recent = [
        tweet(O_MANUAL_RT, "RT @seed_bank: Free seed swap this Saturday", "2020-03-01T09:00:00", modern=False),
        tweet(O_PHOTO_REPLY, "Forgot to say: these are the leeks.", "2020-02-10T10:01:00", modern=False,
              reply_to=(O_PHOTO_ONLY, OWNER_ID, OWNER)),
        tweet(O_PHOTO_ONLY, "https://t.co/oP2", "2020-02-10T10:00:00", modern=False,
              media=[media_entity("https://t.co/oP2", O_PHOTO_ONLY, "https://t.co/oP2")]),
        tweet(O_REPLY_OTHER, "@Other_Acct Which variety was it?", "2020-02-01T09:00:00", modern=False,
              reply_to=(O_PARENT_ELSEWHERE, OTHER_ID, OTHER), mentions=[OTHER]),
        tweet(O_PHOTO, photo_text, "2020-01-05T16:00:00", modern=False,
              media=[media_entity("https://t.co/oP1", O_PHOTO, photo_text)]),
        tweet(O_SELF_LINK, self_text, "2019-07-03T12:00:00", modern=False, urls=[url_entity(
            "https://t.co/oS1", f"https://twitter.com/{OWNER}/status/{O_THREAD}", self_text)]),
        tweet(O_QUOTE, quote_text, "2019-07-02T12:00:00", modern=False, urls=[url_entity(
            "https://t.co/oQ1", f"https://mobile.twitter.com/{OTHER}/status/{O_QUOTED}", quote_text)]),
    ]
    oldest = [
        tweet(O_THREAD, "Then the rain came &amp; washed it all away.", "2019-06-01T08:05:00", modern=False,
              reply_to=(O_FIRST, OWNER_ID, OWNER)),
        tweet(O_FIRST, "Planted the first potatoes today.", "2019-06-01T08:00:00", modern=False),
    ]
    return {
        "data/account.js": account_js(old_style=True),
        "data/tweet.js": ytd("tweet.part0", recent, old_style=True),
        "data/tweet-part1.js": ytd("tweet.part1", oldest, old_style=True),
    }


# ----- writing -----------------------------------------------------------------------------------------------

def write_zip(path: Path, files: dict[str, str], prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(prefix + name, content)
    return path


def write_folder(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return root
