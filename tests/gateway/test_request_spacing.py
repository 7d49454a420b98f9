"""RequestSpacing: X's documented per-second rules as least gaps between request starts."""

from __future__ import annotations

import pytest

from twexport_qt.gateway.endpoints import ENDPOINT_FOLLOWERS, ENDPOINT_SEARCH_ALL, ENDPOINT_SPACES_BY_CREATOR_IDS
from twexport_qt.gateway.rate_limits import endpoint_key
from twexport_qt.gateway.request_spacing import PER_SECOND_RULES, RequestSpacing, min_intervals


def test_the_table_holds_x_documented_per_second_rules():
    assert dict(PER_SECOND_RULES) == {ENDPOINT_SEARCH_ALL: 1, ENDPOINT_SPACES_BY_CREATOR_IDS: 1}
    assert min_intervals() == {ENDPOINT_SEARCH_ALL: pytest.approx(1.05),
                               ENDPOINT_SPACES_BY_CREATOR_IDS: pytest.approx(1.05)}
    # the keys are spelled as the gateway derives them from request URLs
    assert endpoint_key("GET", "https://api.x.com/2/tweets/search/all?query=x") == ENDPOINT_SEARCH_ALL
    assert endpoint_key("GET", "https://api.x.com/2/spaces/by/creator_ids?user_ids=1") == \
        ENDPOINT_SPACES_BY_CREATOR_IDS


def test_delay_counts_from_the_previous_start(fake_clock):
    spacing = RequestSpacing(fake_clock)
    assert spacing.delay_before(ENDPOINT_SEARCH_ALL) == 0  # nothing sent yet
    spacing.started(ENDPOINT_SEARCH_ALL)
    assert spacing.delay_before(ENDPOINT_SEARCH_ALL) == pytest.approx(1.05)
    fake_clock.advance(0.5)
    assert spacing.delay_before(ENDPOINT_SEARCH_ALL) == pytest.approx(0.55)
    fake_clock.advance(2)
    assert spacing.delay_before(ENDPOINT_SEARCH_ALL) == 0
    spacing.started(ENDPOINT_FOLLOWERS)
    assert spacing.delay_before(ENDPOINT_FOLLOWERS) == 0 and spacing.interval(ENDPOINT_FOLLOWERS) is None


def test_custom_and_empty_tables(fake_clock):
    spacing = RequestSpacing(fake_clock, {ENDPOINT_FOLLOWERS: 3.0})
    spacing.started(ENDPOINT_FOLLOWERS)
    spacing.started(ENDPOINT_SEARCH_ALL)
    assert spacing.delay_before(ENDPOINT_FOLLOWERS) == 3.0 and spacing.delay_before(ENDPOINT_SEARCH_ALL) == 0
    assert RequestSpacing(fake_clock, {}).interval(ENDPOINT_SEARCH_ALL) is None
