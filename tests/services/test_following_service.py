"""`context.following`: counts and lists against the sandbox's truth, the fetch job views start, and the refusal
before a following fetch."""

from __future__ import annotations

from decimal import Decimal

import pytest

from twexport_qt.billing.estimates import EstimateKind
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import Cancelled
from twexport_qt.exports.formats import ExportFormat, TableOptions, dictionary_path
from twexport_qt.followers.fetch import PageStored, fetch_followers
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.relationships import FollowingNotFetched, RelationshipKind
from twexport_qt.sandbox.testing import relationship_truth
from twexport_qt.services.jobs import JobContext, JobName


def run(job, stored: list | None = None):
    return job(JobContext(CancelToken(), lambda _progress: None, lambda _notice: None,
                          stored=(stored.append if stored is not None else lambda _what: None)))


@pytest.fixture
def fetched_followers(context):
    with context.api_session(job=JobName.FETCH_FOLLOWERS) as api:
        result = fetch_followers(api.conn, api.gateway, api.pacer, context.clock)
    context.remember_owner(result.owner_id)
    return context


def test_nothing_before_a_following_fetch_and_a_sentence_for_the_lists(fetched_followers):
    following = fetched_followers.following
    assert following.counts() is None
    with pytest.raises(FollowingNotFetched, match=r"Fetch who you follow first \(Following tab\)\."):
        following.rows(RelationshipKind.MUTUALS)


def test_the_fetch_job_gives_counts_and_lists_equal_to_the_sandbox_truth(fetched_followers):
    context = fetched_followers
    stored: list = []
    result = run(context.following.fetch_job(), stored)
    truth = relationship_truth(context.sandbox.state.population)
    assert result.total_in_run == len(truth.following)
    assert stored and all(isinstance(what, PageStored) for what in stored)  # views can show pages live

    counts = context.following.counts()
    assert counts is not None and counts.complete and counts.following_fetched_at == int(context.clock.now())
    assert (counts.following, counts.followers, counts.mutuals, counts.not_following_back, counts.fans) == (
        len(truth.following), len(truth.followers), len(truth.mutuals), len(truth.not_following_back),
        len(truth.fans))
    for kind, expected in ((RelationshipKind.FOLLOWING, set(truth.following)),
                           (RelationshipKind.MUTUALS, truth.mutuals),
                           (RelationshipKind.NOT_FOLLOWING_BACK, truth.not_following_back),
                           (RelationshipKind.FANS, truth.fans)):
        records = context.following.rows(kind)
        assert {record.user_id for record in records} == expected, kind
        counts_desc = [record.followers_count for record in records]
        assert counts_desc == sorted(counts_desc, reverse=True)  # most followed first
    assert len(context.following.rows(RelationshipKind.FOLLOWING, limit=3)) == 3


def test_filters_apply_to_every_list_with_the_same_meaning(fetched_followers):
    context = fetched_followers
    run(context.following.fetch_job())
    big = FollowerFilter(min_followers=100)
    for kind in RelationshipKind:
        everyone = context.following.rows(kind)
        filtered = context.following.rows(kind, big)
        assert {r.user_id for r in filtered} == {r.user_id for r in everyone if r.followers_count >= 100}, kind
    # The followers filter's own relationship choice says nothing about followed accounts: it is set by the list.
    assert context.following.rows(RelationshipKind.FOLLOWING, FollowerFilter(relationship="fans")) == \
        context.following.rows(RelationshipKind.FOLLOWING)


def test_a_half_done_fetch_is_not_complete(fetched_followers):
    context = fetched_followers
    cancel = CancelToken()

    def cancel_after_a_page(_what: object) -> None:
        cancel.cancel()

    job = context.following.fetch_job(page_size=10)
    with pytest.raises(Cancelled):
        job(JobContext(cancel, lambda _progress: None, lambda _notice: None, stored=cancel_after_a_page))
    counts = context.following.counts()
    assert counts is not None and not counts.complete and counts.following_fetched_at is None


def test_export_writes_the_list_and_its_dictionary(fetched_followers, tmp_path):
    context = fetched_followers
    run(context.following.fetch_job())
    path = tmp_path / "mutuals.xlsx"
    written = context.following.export(RelationshipKind.MUTUALS, path, TableOptions(format=ExportFormat.XLSX))
    assert written == len(relationship_truth(context.sandbox.state.population).mutuals)
    assert path.is_file() and dictionary_path(path).is_file()


def test_the_estimate_prices_the_followed_accounts_left_to_fetch(fetched_followers):
    context = fetched_followers
    following = len(relationship_truth(context.sandbox.state.population).following)
    estimate = context.following.fetch_estimate()
    assert estimate.kind == EstimateKind.FOLLOWING_FETCH
    assert estimate.count == following and estimate.unit == "followed accounts"
    assert estimate.sentence.startswith(f"≈ {following:,} followed accounts: ")
    assert estimate.low == Decimal("0.001") * following and estimate.high == Decimal("0.01") * following
