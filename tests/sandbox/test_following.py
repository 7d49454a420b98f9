"""`GET /2/users/:id/following` as X serves it: newest followed first, X's page sizes, tokens both ways, the
follows.read scope, 15 requests per 15 minutes per user and per app, billed like followers; and whom the sandbox
account follows as its audience changes."""

from __future__ import annotations

import pytest
import tweepy

from tests.sandbox.conftest import FOLLOWERS
from twexport_qt.sandbox import routes
from twexport_qt.sandbox.auth import AuthContext
from twexport_qt.sandbox.billing import XResource
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.following import NAMED_FOLLOWED
from twexport_qt.sandbox.population import Population
from twexport_qt.sandbox.rate_limits import RateLimiter
from twexport_qt.sandbox.testing import churn, relationship_truth


def all_pages(client, user_id, **params) -> list[tweepy.Response]:
    pages, token = [], None
    while True:
        page = client.get_users_following(user_id, pagination_token=token, user_auth=True, **params)
        pages.append(page)
        token = page.meta.get("next_token")
        if not token:
            return pages


def test_pages_list_every_followed_account_once_newest_first(client, me_id, sandbox):
    pages = all_pages(client, me_id, max_results=400, user_fields=["public_metrics", "created_at"])
    ids = [user.id for page in pages for user in page.data]
    truth = relationship_truth(sandbox.state.population)
    assert ids == list(truth.following) and len(set(ids)) == len(ids)
    assert all(len(page.data) == 400 for page in pages[:-1])
    assert "previous_token" not in pages[0].meta and "previous_token" in pages[1].meta
    assert ids[-len(NAMED_FOLLOWED):] == list(reversed(NAMED_FOLLOWED))  # the named accounts were followed first
    assert 2_006 not in ids  # X lists no suspended account
    me = client.get_me(user_fields=["public_metrics"]).data
    assert me.public_metrics["following_count"] == len(ids)
    assert pages[0].data[0].public_metrics is not None


def test_the_list_is_sized_by_the_population_and_mixes_mutuals_and_others(sandbox):
    truth = relationship_truth(sandbox.state.population)
    assert 0.25 * FOLLOWERS < len(truth.mutuals) < 0.35 * FOLLOWERS  # some followers followed back
    assert len(truth.not_following_back) >= 250  # named and generated accounts that never followed
    big = Population(5, followers=1_000_000)
    assert 1_500 < big.following.count() < 3_000  # a few thousand at most, whatever the audience


def test_previous_token_returns_the_previous_page(client, me_id):
    first = client.get_users_following(me_id, max_results=300, user_auth=True)
    second = client.get_users_following(me_id, max_results=300, pagination_token=first.meta["next_token"],
                                        user_auth=True)
    back = client.get_users_following(me_id, max_results=300, pagination_token=second.meta["previous_token"],
                                      user_auth=True)
    assert [u.id for u in back.data] == [u.id for u in first.data]


@pytest.mark.parametrize("max_results", [0, 1001])
def test_max_results_out_of_range_is_400(client, me_id, max_results):
    with pytest.raises(tweepy.BadRequest) as raised:
        client.get_users_following(me_id, max_results=max_results, user_auth=True)
    assert raised.value.response.json()["title"] == "Invalid Request"


def test_default_page_size_is_100_and_a_bad_token_is_400(client, me_id):
    assert len(client.get_users_following(me_id, user_auth=True).data) == 100
    with pytest.raises(tweepy.BadRequest):
        client.get_users_following(me_id, pagination_token="not-a-token", user_auth=True)


def test_needs_the_follows_read_scope_and_allows_both_auth_contexts():
    route, _params = routes.match("GET", "/2/users/42/following")
    assert route.endpoint == Endpoint.FOLLOWING and "follows.read" in route.scopes
    assert route.contexts == {AuthContext.USER, AuthContext.APP}


def test_rate_limited_like_x_15_per_15_minutes_per_user_and_per_app(fake_clock, client, app_client, me_id):
    limiter = RateLimiter(fake_clock)
    assert limiter.windows_for(Endpoint.FOLLOWING, AuthContext.USER) == [(15, 900)]
    assert limiter.windows_for(Endpoint.FOLLOWING, AuthContext.APP) == [(15, 900)]
    for _ in range(15):
        client.get_users_following(me_id, max_results=1, user_auth=True)
    with pytest.raises(tweepy.TooManyRequests) as refused:
        client.get_users_following(me_id, max_results=1, user_auth=True)
    assert refused.value.response.headers["x-rate-limit-remaining"] == "0"
    assert app_client.get_users_following(me_id, max_results=1).data  # the app's budget is its own
    fake_clock.advance(901)
    assert client.get_users_following(me_id, max_results=1, user_auth=True).data


def test_billed_as_follows_reads_owned_as_me(sandbox, client, app_client, me_id):
    client.get_users_following(me_id, max_results=10, user_auth=True)
    app_client.get_users_following(me_id, max_results=10)
    assert sandbox.billing.billed(XResource.FOLLOWS_READ, owned=True) == 10
    assert sandbox.billing.billed(XResource.FOLLOWS_READ, owned=False) == 10


def test_other_accounts_follow_nobody_here_and_unknown_ones_are_errors(client):
    assert client.get_users_following(2_001, user_auth=True).data is None
    assert client.get_users_following(999, user_auth=True).errors


def test_churn_turns_leavers_into_not_following_back_and_scripted_follows_show(sandbox, fake_clock):
    population = sandbox.state.population
    before = relationship_truth(population)
    leaver = sorted(before.mutuals)[0]
    population.unfollow([leaver])
    day = churn(population, joined=50, left=10, clock=fake_clock)
    after = relationship_truth(population)
    assert leaver in after.not_following_back and leaver not in after.mutuals
    assert set(day.left) & before.mutuals <= after.not_following_back  # still followed, no longer following
    fan = sorted(after.fans)[0]
    population.following.follow([fan])
    population.following.unfollow([sorted(after.not_following_back)[0]])
    final = relationship_truth(population)
    assert final.following[0] == fan and fan in final.mutuals
    assert len(final.following) == len(after.following)
    generated = next(user_id for user_id in final.following if user_id < 100_000_000 and user_id > 10_000)
    found = population.by_id(generated)
    assert found is not None and population.by_username(found.username).id == generated
