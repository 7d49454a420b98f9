"""A download asks X for no more posts per page than its limit still needs: X bills every post a page returns."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.tweets.download_support import make_gateway, read_rows
from twexport_qt.core.errors import BadRequestError
from twexport_qt.sandbox.billing import XResource
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.store.database import open_database
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind, page_size


def sizes_asked(gateway: Any, method: str) -> list[int]:
    """Wrap `gateway.<method>` to record the `max_results` of each call."""
    asked: list[int] = []
    inner = getattr(gateway, method)

    def recording(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["max_results"])
        return inner(*args, **kwargs)

    setattr(gateway, method, recording)
    return asked


# Quotes kept: none of bob_builds' newest posts is filtered out, so a limit is reached by the first page.
EVERYTHING_KEPT = {"include_quotes": True}


@pytest.mark.parametrize(("limit", "expected"), [(50, [50]), (3, [5]), (None, [100])])
def test_a_timeline_page_asks_for_what_the_limit_needs_within_x_range(tmp_path, clock, server, limit, expected):
    gateway = make_gateway(server)
    asked = sizes_asked(gateway, "user_tweets_page")
    request = DownloadRequest(("bob_builds",), SourceKind.TIMELINE, DatasetOptions(limit=limit, **EVERYTHING_KEPT),
                              tmp_path / "b.csv")
    summary = run_download(open_database(":memory:"), gateway, None, clock, request)
    assert asked[:1] == expected
    if limit is not None:
        assert summary.written_total == limit == len(read_rows(request.output_path))
        assert len(asked) == 1  # nothing filtered out of the first page: no second request


def test_a_limit_of_50_is_billed_50_posts_not_a_full_page(tmp_path, clock, server):
    request = DownloadRequest(("bob_builds",), SourceKind.TIMELINE, DatasetOptions(limit=50, **EVERYTHING_KEPT),
                              tmp_path / "b.csv")
    summary = run_download(open_database(":memory:"), make_gateway(server), None, clock, request)
    timeline_posts = [charge for charge in server.billing.charges()
                      if charge.endpoint == Endpoint.USER_TWEETS and charge.resource == XResource.POSTS_READ]
    assert summary.fetched_now == 50 and len(timeline_posts) == 1
    # The page's 50 posts and the few it replies to or quotes (included by X, billed too); a full page was 100+.
    assert 50 <= timeline_posts[0].returned < 100


@pytest.mark.parametrize(("limit", "expected"), [(50, 50), (3, 10), (None, 500)])
def test_a_search_page_asks_for_what_the_limit_needs_within_x_range(tmp_path, clock, server, limit, expected):
    gateway = make_gateway(server)
    asked = sizes_asked(gateway, "search_all_page")
    request = DownloadRequest(("bob_builds",), SourceKind.SEARCH, DatasetOptions(limit=limit), tmp_path / "s.csv")
    run_download(open_database(":memory:"), gateway, None, clock, request)
    assert asked[0] == expected


def test_when_filters_drop_posts_the_next_page_grows_by_the_share_they_kept(tmp_path, clock, server):
    # Quotes are left out by default: a share of bob_builds' pages is dropped, so the first page of 40 leaves
    # some of the limit to read, and the next page asks for more than that, by the share the filters kept.
    gateway = make_gateway(server)
    asked = sizes_asked(gateway, "user_tweets_page")
    written: list[int] = []
    request = DownloadRequest(("bob_builds",), SourceKind.TIMELINE, DatasetOptions(limit=40), tmp_path / "b.csv")
    summary = run_download(open_database(":memory:"), gateway, None, clock, request,
                           progress=lambda progress: written.append(progress.written))
    assert summary.written_total == 40 == len(read_rows(request.output_path))
    kept_first = written[1]  # reported once before the first page, then after each page
    assert asked[0] == 40 and 0 < kept_first < 40
    assert asked[1] == math.ceil((40 - kept_first) * 40 / kept_first)


def test_page_size_is_clamped_to_the_endpoint_range():
    assert page_size(None, 5, 100) == 100
    assert page_size(1, 5, 100) == 5
    assert page_size(73, 5, 100) == 73
    assert page_size(10_000, 10, 500) == 500


def test_the_sandbox_refuses_page_sizes_outside_x_range_as_x_does(server):
    gateway = make_gateway(server)
    user_id = 1  # any id: the size is checked first
    with pytest.raises(BadRequestError):
        gateway.user_tweets_page(user_id, max_results=4)
    with pytest.raises(BadRequestError):
        gateway.search_all_page("from:bob_builds", max_results=9)
