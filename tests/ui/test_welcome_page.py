"""The welcome page: its two ways in, what each feature does at the prices the app bills at, the Sandbox accounts
that have tweets, and "seen" remembered per data folder. The window's use of it is in test_main_window.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from twexport_qt.billing.prices import DEFAULT_PRICES, ResourceKind, format_usd
from twexport_qt.sandbox.tweets_world import accounts_with_tweets
from twexport_qt.settings.model import Profile
from twexport_qt.ui.welcome_page import (
    WelcomePage,
    feature_lines,
    mark_welcome_seen,
    sandbox_tweets_line,
    welcome_seen,
)
from twexport_qt.workers.tasks import TaskRunner


@pytest.fixture
def page(qtbot, context):
    widget = WelcomePage(context, TaskRunner())
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    return widget


def test_three_features_each_with_what_x_bills_from_the_price_table():
    followers, dms, tweets = feature_lines(DEFAULT_PRICES)
    assert "Followers" in followers and format_usd(DEFAULT_PRICES.unit_price(ResourceKind.FOLLOWS, owned=True)) \
        in followers
    assert "DM campaigns" in dms and format_usd(DEFAULT_PRICES.unit_price(ResourceKind.DM_CREATE, owned=False)) \
        in dms
    assert "Tweet datasets" in tweets and format_usd(DEFAULT_PRICES.unit_price(ResourceKind.POSTS, owned=False)) \
        in tweets


def test_a_price_changed_in_settings_is_the_one_shown():
    changed = DEFAULT_PRICES.with_price(ResourceKind.DM_CREATE, standard=Decimal("0.042"))
    assert "$0.042 per DM" in feature_lines(changed)[1]
    assert "$0.042" not in " ".join(feature_lines(DEFAULT_PRICES))


def test_the_sandbox_accounts_with_tweets_are_named_with_their_counts():
    line = sandbox_tweets_line()
    for account in accounts_with_tweets():
        assert f"@{account.username} ({account.tweet_count:,})" in line
    assert "followers post nothing" in line


def test_the_page_offers_both_ways_in_and_says_it_all(qtbot, page, context):
    assert page.sandbox_button.text() == "Try the Sandbox" and page.sandbox_button.isVisible()
    assert page.connect_button.text() == "Connect your X account" and page.connect_button.isVisible()
    assert "developer app" in page.connect_button.description()
    assert page.features_label.text().count("<li>") == 3 and context.prices.as_of.isoformat() \
        in page.features_label.text()
    qtbot.waitUntil(lambda: "@alice_writes" in page.sandbox_label.text())  # filled by a pool thread
    assert not page.continue_button.isVisible()  # on the Sandbox, "Try the Sandbox" is the way on


def test_a_real_profile_can_be_kept(qtbot, page, context):
    context.settings.profiles["Newsletter"] = Profile(name="Newsletter", kind="x")
    context.switch_profile("Newsletter")
    page.refresh()
    assert page.continue_button.isVisible() and "Newsletter" in page.continue_button.text()
    with qtbot.waitSignal(page.continueChosen):
        page.continue_button.click()


def test_the_buttons_say_what_was_chosen(qtbot, page):
    with qtbot.waitSignal(page.sandboxChosen):
        page.sandbox_button.click()
    with qtbot.waitSignal(page.connectChosen):
        page.connect_button.click()


def test_seen_is_remembered_per_data_folder(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    assert not welcome_seen(first)
    mark_welcome_seen(first)
    assert welcome_seen(first) and not welcome_seen(second)
