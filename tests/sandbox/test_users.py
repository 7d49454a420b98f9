"""User endpoints through tweepy: /users/me, lookups, followers pagination, population mutations."""

from __future__ import annotations

import datetime as dt

import pytest
import tweepy

from tests.sandbox.conftest import FOLLOWERS
from twexport_qt.sandbox.testing import running_sandbox, sandbox_client

USER_FIELDS = ["created_at", "description", "public_metrics", "protected", "verified", "verified_type",
               "receives_your_dm", "location", "url", "profile_image_url"]


def all_follower_pages(client, user_id, **kw):
    return list(tweepy.Paginator(client.get_users_followers, user_id, user_auth=True, **kw))


def test_me_has_parsed_timestamp_and_metrics(client, me_id):
    me = client.get_me(user_fields=["created_at", "public_metrics"]).data
    assert me.id == me_id
    assert me.username == "sandbox_creator"
    assert "simulated" in me.name
    assert isinstance(me.created_at, dt.datetime) and me.created_at.tzinfo is not None
    assert me.public_metrics["followers_count"] == FOLLOWERS


def test_followers_paginate_without_gaps_or_duplicates(client, me_id, sandbox):
    pages = all_follower_pages(client, me_id, max_results=1000, user_fields=USER_FIELDS)
    ids = [user.id for page in pages for user in page.data]
    assert [len(page.data) for page in pages] == [1000, 1000, 500]
    assert len(set(ids)) == FOLLOWERS
    newest = sandbox.state.population.users_at([FOLLOWERS - 1])[0]
    assert ids[0] == newest.id  # newest follower first, like X
    assert "next_token" not in pages[-1].meta
    assert "previous_token" not in pages[0].meta and "previous_token" in pages[1].meta
    assert all(isinstance(user.created_at, dt.datetime) for user in pages[0].data)


def test_previous_token_returns_the_previous_page(client, me_id):
    first = client.get_users_followers(me_id, max_results=300, user_auth=True)
    second = client.get_users_followers(me_id, max_results=300, pagination_token=first.meta["next_token"],
                                        user_auth=True)
    back = client.get_users_followers(me_id, max_results=300, pagination_token=second.meta["previous_token"],
                                      user_auth=True)
    assert [u.id for u in back.data] == [u.id for u in first.data]


def test_default_page_size_is_100(client, me_id):
    assert len(client.get_users_followers(me_id, user_auth=True).data) == 100


@pytest.mark.parametrize("max_results", [0, 1001])
def test_max_results_out_of_range_is_400(client, me_id, max_results):
    with pytest.raises(tweepy.BadRequest) as raised:
        client.get_users_followers(me_id, max_results=max_results, user_auth=True)
    assert raised.value.response.json()["title"] == "Invalid Request"


def test_same_seed_same_page_other_seed_other_page(fake_clock):
    def first_page(seed):
        with running_sandbox(followers=500, seed=seed, clock=fake_clock) as server:
            client = sandbox_client(server)
            response = client.get_users_followers(server.state.population.me.id, max_results=50,
                                                  user_fields=USER_FIELDS, user_auth=True)
            return [user.data for user in response.data]

    assert first_page(3) == first_page(3)
    assert first_page(3) != first_page(4)


def test_unfollow_and_new_followers_show_in_the_next_fetch(client, me_id, sandbox):
    population = sandbox.state.population
    gone = [user.id for user in population.users_at([10, 20])]
    population.unfollow(gone)
    new_ids = population.add_followers(3)
    ids = [u.id for page in all_follower_pages(client, me_id, max_results=1000) for u in page.data]
    assert len(ids) == len(set(ids)) == FOLLOWERS - 2 + 3
    assert ids[:3] == new_ids[::-1]
    assert not set(gone) & set(ids)
    assert client.get_me(user_fields=["public_metrics"]).data.public_metrics["followers_count"] == FOLLOWERS + 1


def test_lookup_by_ids_mixes_data_and_errors(client, sandbox):
    follower = sandbox.state.population.users_at([5])[0]
    response = client.get_users(ids=[follower.id, 2006, 99], user_auth=True)
    assert [user.id for user in response.data] == [follower.id]
    details = {error["detail"] for error in response.errors}
    assert details == {"User has been suspended: [2006].", "Could not find user with ids: [99]."}
    not_found = next(e for e in response.errors if e["value"] == "99")
    assert not_found["title"] == "Not Found Error"
    assert not_found["type"].endswith("/resource-not-found")


def test_lookup_by_usernames(client, sandbox):
    follower = sandbox.state.population.users_at([42])[0]
    response = client.get_users(usernames=[follower.username, "alice_writes", "nobody_here_x"], user_auth=True)
    assert {user.username for user in response.data} == {follower.username, "alice_writes"}
    assert response.errors[0]["detail"] == "Could not find user with usernames: [nobody_here_x]."


def test_too_many_ids_is_400(client):
    with pytest.raises(tweepy.BadRequest):
        client.get_users(ids=list(range(1, 102)), user_auth=True)


def test_single_user_lookups(app_client):
    assert app_client.get_user(username="bob_builds").data.id == 2002
    assert app_client.get_user(id=2002).data.username == "bob_builds"
    protected = app_client.get_user(username="private_pat", user_fields=["protected"]).data
    assert protected.protected is True
    suspended = app_client.get_user(username="suspended_sam")
    assert suspended.data is None
    assert suspended.errors[0]["detail"] == "User has been suspended: [2006]."


def test_test_accounts_exist_and_accept_dms(app_client):
    response = app_client.get_users(usernames=[f"test_account_{n}" for n in range(1, 6)],
                                    user_fields=["receives_your_dm"])
    assert len(response.data) == 5
    assert all(user.data["receives_your_dm"] for user in response.data)


def test_followers_carry_their_newest_post_id_like_x_and_none_when_they_never_posted(client, me_id, sandbox):
    pages = all_follower_pages(client, me_id, max_results=1000, user_fields=["public_metrics", "most_recent_tweet_id"])
    users = [user for page in pages for user in page.data]
    truth = {u.id: u for u in sandbox.state.population.users_at(range(FOLLOWERS))}
    never = [user for user in users if "most_recent_tweet_id" not in user.data]
    assert never and all(user.public_metrics["tweet_count"] == 0 for user in never)
    for user in users:
        expected = truth[user.id].most_recent_tweet_id
        assert user.data.get("most_recent_tweet_id") == (None if expected is None else str(expected))
    unasked = all_follower_pages(client, me_id, max_results=1000, user_fields=["public_metrics"])[0].data[0]
    assert "most_recent_tweet_id" not in unasked.data  # only when user.fields asks for it


def test_an_account_with_a_tweet_history_names_its_newest_post_which_resolves(client, sandbox):
    me = client.get_me(user_fields=["most_recent_tweet_id"], user_auth=True).data
    post_id = int(me.data["most_recent_tweet_id"])
    tweets = sandbox.state.tweets
    assert post_id == tweets.id_of(me.id, tweets.count(me.id) - 1)
    assert [tweet.id for tweet in client.get_tweets([post_id], user_auth=True).data] == [post_id]
