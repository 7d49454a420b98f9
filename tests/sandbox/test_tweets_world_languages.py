"""X's `lang` in the sandbox: sent only when `tweet.fields` asks for it, mostly "en", and in a few accounts posts
in other languages and X's special codes, without changing any account's tweets count or any tweet id."""

from __future__ import annotations

from collections import Counter

import tweepy

from twexport_qt.sandbox.population import WELL_KNOWN
from twexport_qt.sandbox.tweets_world import HISTORIES, MULTILINGUAL_ACCOUNTS, TweetsWorld

_IDS = {user.username: user.id for user in WELL_KNOWN}


def _languages(world: TweetsWorld, username: str) -> Counter[str]:
    author = _IDS[username]
    return Counter(world.tweet(author, k).lang for k in range(world.count(author)))


def test_a_few_accounts_post_in_other_languages_and_the_rest_in_english():
    world = TweetsWorld(seed=7)
    for username in MULTILINGUAL_ACCOUNTS:
        languages = _languages(world, username)
        assert set(languages) == {"en", "es", "de", "ja", "und", "zxx", "qht"}
        assert 0.75 < languages["en"] / languages.total() < 0.95  # most posts stay English
    assert set(_languages(world, "carol_codes")) == {"en"}


def test_each_language_has_text_to_match_and_retweets_take_their_originals():
    world, again = TweetsWorld(seed=7), TweetsWorld(seed=7)
    erin = _IDS["erin_edits"]
    tweets = [world.tweet(erin, k) for k in range(world.count(erin))]
    assert [(t.id, t.lang, t.text) for t in tweets] == [(again.tweet(erin, k).id, again.tweet(erin, k).lang,
                                                         again.tweet(erin, k).text) for k in range(len(tweets))]
    by_language = {lang: [t.text for t in tweets if t.lang == lang] for lang in {t.lang for t in tweets}}
    assert all(text.startswith("Hoy estoy ") for text in by_language["es"])
    assert all(text.startswith("Heute bin ich ") for text in by_language["de"])
    assert all(text.startswith("今日は") for text in by_language["ja"])
    assert all(text.startswith("https://t.co/") and " " not in text for text in by_language["zxx"])
    assert all(all(word.startswith("#") for word in text.split()) for text in by_language["qht"])
    assert all(not any(c.isalnum() for c in text) for text in by_language["und"])
    assert all(t.kind == "original" and not t.is_long for t in tweets if t.lang != "en")
    assert all(world.id_of(erin, k) == tweet.id for k, tweet in enumerate(tweets))  # ids come from time alone

    alice = _IDS["alice_writes"]
    retweets = [world.tweet(alice, k) for k in range(HISTORIES[alice].count)
                if world.tweet(alice, k).kind == "retweet"]
    assert all(rt.lang == world.by_id(rt.referenced[0][1]).lang for rt in retweets)
    assert {rt.lang for rt in retweets} > {"en"}  # some retweet a post in another language


def test_lang_comes_only_when_asked_for(client):
    dave = _IDS["dave_designs"]
    plain = list(tweepy.Paginator(client.get_users_tweets, dave, max_results=100, user_auth=True,
                                  tweet_fields=["created_at"]).flatten())
    asked = list(tweepy.Paginator(client.get_users_tweets, dave, max_results=100, user_auth=True,
                                  tweet_fields=["created_at", "lang"]).flatten())
    assert not any("lang" in tweet.data for tweet in plain)
    world = TweetsWorld(seed=7)
    assert [(t.id, t.lang) for t in asked] == [(t.id, world.by_id(t.id).lang) for t in asked]
    assert {t.lang for t in asked} >= {"en", "es", "und", "zxx"}

    looked_up = client.get_tweets([t.id for t in asked[:100]], tweet_fields=["lang"], user_auth=True)
    assert [t.lang for t in looked_up.data] == [t.lang for t in asked[:100]]
