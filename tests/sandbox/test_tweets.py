"""Tweet endpoints through tweepy: timeline caps and filters, expansions, lookups, full-archive search."""

from __future__ import annotations

import pytest
import tweepy

from twexport_qt.sandbox.tweets_world import TweetsWorld

ALICE, BOB, PAT, SAM = 2001, 2002, 2007, 2006
FIELDS = ["created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "author_id",
          "public_metrics", "entities"]
EXPANSIONS = ["referenced_tweets.id", "referenced_tweets.id.author_id", "in_reply_to_user_id"]


def timeline(client, user_id, **kw):
    return list(tweepy.Paginator(client.get_users_tweets, user_id, max_results=100, user_auth=True, **kw))


def test_timeline_reaches_only_the_newest_3200(client):
    pages = timeline(client, ALICE, tweet_fields=["created_at"])
    tweets = [t for page in pages for t in page.data]
    assert len(tweets) == len({t.id for t in tweets}) == 3200  # alice has 4,800
    assert [t.id for t in tweets] == sorted((t.id for t in tweets), reverse=True)
    assert tweets[0].created_at > tweets[-1].created_at


def test_exclude_replies_caps_at_800_and_drops_replies(client):
    tweets = [t for page in timeline(client, ALICE, exclude=["replies"], tweet_fields=["referenced_tweets"])
              for t in page.data]
    assert 0 < len(tweets) < 800
    assert not any(ref.type == "replied_to" for t in tweets for ref in (t.referenced_tweets or []))


def test_short_history_is_complete(client):
    tweets = [t for page in timeline(client, BOB) for t in page.data]
    assert len(tweets) == 2100


def test_page_contents_and_expansions(client):
    page = client.get_users_tweets(ALICE, max_results=100, tweet_fields=FIELDS, expansions=EXPANSIONS,
                                   user_fields=["username"], user_auth=True)
    kinds = {ref.type for t in page.data for ref in (t.referenced_tweets or [])}
    assert kinds == {"replied_to", "quoted", "retweeted"}
    parents = {t.id for t in page.includes["tweets"]}
    assert parents  # referenced tweets that exist come back in includes
    for error in page.errors:
        assert error["section"] == "includes"
        assert int(error["value"]) not in parents
    assert {u.username for u in page.includes["users"]} >= {"carol_codes"}
    retweet = next(t for t in page.data if t.text.startswith("RT @"))
    assert retweet.public_metrics["like_count"] == 0


def test_threads_share_the_root_conversation_id(client):
    pages = tweepy.Paginator(client.get_users_tweets, BOB, max_results=100, user_auth=True, tweet_fields=FIELDS,
                             limit=5)
    tweets = {t.id: t for page in pages for t in page.data}
    self_replies = [t for t in tweets.values() if t.in_reply_to_user_id == BOB]
    assert self_replies
    for reply in self_replies:
        parent_id = reply.referenced_tweets[0].id
        parent = tweets.get(parent_id)
        if parent is not None:
            assert reply.conversation_id == parent.conversation_id
    roots = {t.conversation_id for t in self_replies}
    assert any(root in tweets and tweets[root].conversation_id == root for root in roots)


def test_texts_carry_the_awkward_material():
    world = TweetsWorld(seed=7)
    texts = [world.tweet(ALICE, k).text for k in range(4000, 4800)]
    for needle in ("RT @", "https://t.co/", "pic.twitter.com/", "#", "&amp;", "&lt;", "\n"):
        assert any(needle in text for text in texts), needle
    assert any(ord(ch) > 0xFFFF for text in texts for ch in text)


def test_time_and_id_filters(client):
    page = client.get_users_tweets(ALICE, max_results=100, user_auth=True,
                                   start_time="2025-06-01T00:00:00Z", end_time="2025-07-01T00:00:00Z",
                                   tweet_fields=["created_at"])
    assert page.data and all(t.created_at.year == 2025 and t.created_at.month == 6 for t in page.data)
    newest, oldest = page.data[0].id, page.data[-1].id
    between = client.get_users_tweets(ALICE, since_id=oldest, until_id=newest, max_results=100, user_auth=True)
    assert [t.id for t in between.data] == [t.id for t in page.data[1:-1]]


def test_protected_and_suspended_timelines_are_200_with_errors(client):
    protected = client.get_users_tweets(PAT, user_auth=True)
    assert protected.data is None
    assert protected.errors[0]["type"].endswith("/not-authorized-for-resource")
    assert protected.errors[0]["detail"] == f"Sorry, you are not authorized to see the user with id: [{PAT}]."
    suspended = client.get_users_tweets(SAM, user_auth=True)
    assert suspended.errors[0]["detail"] == f"User has been suspended: [{SAM}]."


@pytest.mark.parametrize("max_results", [4, 101])
def test_timeline_max_results_bounds(client, max_results):
    with pytest.raises(tweepy.BadRequest):
        client.get_users_tweets(ALICE, max_results=max_results, user_auth=True)


def test_lookup_tweets_by_ids(app_client):
    world = TweetsWorld(seed=7)
    existing = world.id_of(BOB, 10)
    private = world.id_of(PAT, 3)
    response = app_client.get_tweets(ids=[existing, private, 123], tweet_fields=["author_id"])
    assert [(t.id, t.author_id) for t in response.data] == [(existing, BOB)]
    by_value = {e["value"]: e for e in response.errors}
    assert by_value["123"]["detail"] == "Could not find tweet with ids: [123]."
    assert by_value[str(private)]["type"].endswith("/not-authorized-for-resource")


def test_full_archive_search_goes_past_the_timeline_cap(app_client, fake_clock):
    tweets, token = [], None
    while True:
        response = app_client.search_all_tweets("from:alice_writes", start_time="2010-12-01T00:00:00Z",
                                                max_results=500, next_token=token)
        tweets.extend(response.data)
        token = response.meta.get("next_token")
        if token is None:
            break
        fake_clock.advance(1)  # 1 request per second
    assert len(tweets) == len({t.id for t in tweets}) == 4800


def test_search_operators_and_default_window(app_client, fake_clock):
    recent = app_client.search_all_tweets("from:alice_writes", max_results=100, tweet_fields=["created_at"])
    cutoff = fake_clock.now() - 30 * 86_400
    assert recent.data and all(t.created_at.timestamp() >= cutoff for t in recent.data)
    fake_clock.advance(1)
    filtered = app_client.search_all_tweets("from:alice_writes -is:retweet -is:reply", max_results=500,
                                            start_time="2024-01-01T00:00:00Z", tweet_fields=["referenced_tweets"])
    assert filtered.data
    assert all(ref.type == "quoted" for t in filtered.data for ref in (t.referenced_tweets or []))


def test_search_is_one_request_per_second(app_client, fake_clock):
    app_client.search_all_tweets("from:bob_builds")
    with pytest.raises(tweepy.TooManyRequests):
        app_client.search_all_tweets("from:bob_builds")
    fake_clock.advance(1)
    assert app_client.search_all_tweets("from:bob_builds").data


def test_search_rejects_user_context(client):
    # tweepy's search_all_tweets is bearer-only, so send the user-context call through its generic request().
    with pytest.raises(tweepy.Forbidden) as raised:
        client.request("GET", "/2/tweets/search/all", params={"query": "from:bob_builds"}, user_auth=True)
    assert raised.value.response.json()["title"] == "Unsupported Authentication"


# ----- long posts (XAPI_FACTS §9.2) -------------------------------------------------------------------------

def _long_reply_with_visible_long_parent(world: TweetsWorld) -> tuple[int, int]:
    """(reply id, parent id) of one of alice's replies to a long post X shows (carol, dave or erin's)."""
    for k in range(4799, 0, -1):
        tweet = world.tweet(ALICE, k)
        if tweet.kind != "reply":
            continue
        parent = world.by_id(tweet.referenced[0][1])
        if parent is not None and parent.is_long and parent.author_id not in (PAT, SAM):
            return tweet.id, parent.id
    raise AssertionError("the sandbox world has no long reply parent")


def test_long_posts_are_deterministic_previews_with_a_whole_note():
    world, again = TweetsWorld(seed=7), TweetsWorld(seed=7)
    tweets = [world.tweet(ALICE, k) for k in range(4800)]
    long_posts = [t for t in tweets if t.is_long]
    assert 0.08 < len(long_posts) / len(tweets) < 0.16
    assert [t.note_text for t in long_posts] == [again.tweet(ALICE, k).note_text for k in range(4800)
                                                 if again.tweet(ALICE, k).is_long]
    assert not any(t.is_long for t in tweets if t.kind == "retweet")
    assert {t.kind for t in long_posts} >= {"original", "reply", "self_reply", "quote"}
    assert all(300 <= len(t.note_text) <= 4000 for t in long_posts)
    for tweet in long_posts:
        preview = tweet.text.split(" ", 1)[1] if tweet.kind == "reply" else tweet.text  # after "@parent "
        assert len(preview) <= 271 and tweet.note_text.startswith(preview.removesuffix("…"))
    endings = {t.text.endswith("…") for t in long_posts}
    assert endings == {True, False}  # mostly "…", sometimes a bare cut: a client cannot rely on either
    others = [world.tweet(2003, k) for k in range(400)]  # carol_codes: what replies point at
    assert any(t.is_long for t in others)


def test_note_tweet_comes_only_when_asked_for(client):
    world = TweetsWorld(seed=7)
    plain = client.get_users_tweets(ALICE, max_results=100, tweet_fields=FIELDS, user_auth=True)
    asked = client.get_users_tweets(ALICE, max_results=100, tweet_fields=[*FIELDS, "note_tweet"], user_auth=True)
    assert not any("note_tweet" in t.data for t in plain.data)
    assert [t.text for t in plain.data] == [t.text for t in asked.data]  # `text` is the preview either way
    notes = {t.id: t.data["note_tweet"] for t in asked.data if "note_tweet" in t.data}
    assert notes and all(world.by_id(t.id).is_long == (t.id in notes) for t in asked.data)
    for tweet_id, note in notes.items():
        assert note["text"] == world.by_id(tweet_id).note_text
        assert set(note.get("entities", {})) <= {"urls", "mentions", "hashtags", "cashtags"}


def test_long_parents_come_whole_in_includes_and_lookups(client, app_client):
    world = TweetsWorld(seed=7)
    reply_id, parent_id = _long_reply_with_visible_long_parent(world)
    whole = world.by_id(parent_id).note_text
    expanded = client.get_tweets(ids=[reply_id], expansions=EXPANSIONS, tweet_fields=["note_tweet"], user_auth=True)
    parent = next(t for t in expanded.includes["tweets"] if t.id == parent_id)
    assert parent.data["note_tweet"]["text"] == whole
    unasked = client.get_tweets(ids=[reply_id], expansions=EXPANSIONS, user_auth=True)
    assert all("note_tweet" not in t.data for t in unasked.includes["tweets"])
    looked_up = app_client.get_tweets(ids=[parent_id], tweet_fields=["note_tweet", "entities"])
    assert looked_up.data[0].data["note_tweet"]["text"] == whole and len(looked_up.data[0].text) <= 271


def test_search_serves_long_posts_whole_when_asked(app_client):
    page = app_client.search_all_tweets("from:alice_writes", max_results=500, start_time="2024-01-01T00:00:00Z",
                                        tweet_fields=["note_tweet"])
    world = TweetsWorld(seed=7)
    notes = [t for t in page.data if "note_tweet" in t.data]
    assert len(notes) == sum(world.by_id(t.id).is_long for t in page.data) > 10
    assert all(t.data["note_tweet"]["text"] == world.by_id(t.id).note_text for t in notes)
