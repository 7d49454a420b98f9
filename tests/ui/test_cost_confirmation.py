"""A price before every paid GUI job: the followers fetch (all, or only the new ones), DM sends and the tweet
download show their estimate, ask above the threshold outside the Sandbox, and a "No" starts nothing, so X bills
nothing of the job (the ledger holds at most the estimate's own look-up). The Sandbox never asks."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from tests.ui.live_dialog_support import answer_live_questions, answer_questions
from twexport_qt.app_context import AppContext, sandbox_credentials
from twexport_qt.billing import estimates
from twexport_qt.gateway.endpoints import ENDPOINT_ME, ENDPOINT_USERS_BY
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.secrets.backends import SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, sandbox_profile
from twexport_qt.ui import cost_confirmation
from twexport_qt.ui.campaign_tab import CampaignTab
from twexport_qt.ui.followers_tab import FollowersTab
from twexport_qt.ui.tweet_wizard.wizard import TweetDownloadWizard

REAL = "Real"  # an X profile (so it is billed and asked about), played by the test's sandbox


@pytest.fixture
def x_context(data_dir, fake_clock, sandbox_server):
    settings = AppSettings()
    settings.profiles[REAL] = dataclasses.replace(sandbox_profile(), name=REAL, kind="x")
    settings.active_profile = REAL
    secrets = SecretStore(SessionOnlyBackend())
    secrets.set_credentials(REAL, sandbox_credentials())
    ctx = AppContext(data_dir, settings=settings, secrets=secrets, clock=fake_clock, configure_log=False,
                     api_base_url=sandbox_server.base_url)
    yield ctx
    ctx.close()


def answer_cost_questions(monkeypatch, answer: str) -> list[str]:
    """`answer` "enter" presses the default button (No), "yes" the button that starts the job. Returns the texts
    of the cost questions asked; any other dialog fails the test."""
    return answer_questions(monkeypatch, cost_confirmation.TITLE, answer)


def billed_endpoints(context: AppContext) -> set[str | None]:
    summary = context.spend.month_summary(context.profile.name)
    return {line.label for line in summary.by_endpoint if line.amount}


def followers_tab(qtbot, context, jobs) -> FollowersTab:
    tab = FollowersTab(context, jobs)
    qtbot.addWidget(tab)
    return tab


def fetch(qtbot, tab: FollowersTab, **kwargs) -> None:
    with qtbot.waitSignal(tab.jobs.jobEnded, timeout=60_000):
        tab.start_fetch(**kwargs)


# -- followers fetch -------------------------------------------------------------------------------------
def test_a_fetch_above_the_threshold_shows_its_price_and_no_fetches_nothing(qtbot, x_context, jobs, monkeypatch,
                                                                              messages):
    tab = followers_tab(qtbot, x_context, jobs)
    asked = answer_cost_questions(monkeypatch, "enter")
    tab.fetch_button.click()
    # The sandbox's 2,500 followers: $2.50 as owned reads, up to $25.00 at the standard rate.
    assert len(asked) == 1 and "2,500 followers" in asked[0] and "$2.50" in asked[0] and "$25.00" in asked[0]
    assert not jobs.is_running("fetch-followers") and tab.model is None
    assert billed_endpoints(x_context) == {ENDPOINT_ME}  # the estimate's one look-up; no follower was read
    assert any("not confirmed" in text for text in messages.infos())

    asked = answer_cost_questions(monkeypatch, "yes")
    with qtbot.waitSignal(jobs.jobEnded, timeout=60_000):
        tab.fetch_button.click()
    assert len(asked) == 1
    qtbot.waitUntil(lambda: tab.model is not None and tab.model.rowCount() == 2_500, timeout=30_000)


def test_the_sandbox_never_asks_and_says_the_price_is_simulated(qtbot, context, jobs, monkeypatch, messages):
    tab = followers_tab(qtbot, context, jobs)
    monkeypatch.setattr(estimates, "CONFIRM_ABOVE_USD", Decimal("0.001"))  # any price would ask elsewhere
    asked = answer_cost_questions(monkeypatch, "enter")
    fetch(qtbot, tab)
    assert asked == []
    assert any(text.startswith("Estimated cost: ≈ 50 followers") and "simulated" in text for text in messages.infos())
    qtbot.waitUntil(lambda: tab.model is not None and tab.model.rowCount() == 50, timeout=30_000)


def test_new_followers_only_is_offered_with_both_prices_once_followers_are_stored(qtbot, x_context, jobs,
                                                                                  monkeypatch, messages):
    tab = followers_tab(qtbot, x_context, jobs)
    assert not tab.fetch_new_button.isEnabled()  # new since what? Nothing is stored yet
    asked = answer_cost_questions(monkeypatch, "yes")
    fetch(qtbot, tab)
    assert "Full refresh" not in asked[0]  # no choice yet: the first fetch reads everyone
    qtbot.waitUntil(lambda: tab.model is not None, timeout=30_000)
    assert tab.fetch_new_button.isEnabled()
    before = x_context.spend.spent_today(REAL)
    fetch(qtbot, tab, new_only=True)
    # Nobody new: a check page at the owned rate ($0.10), up to two at the standard rate ($2.00): it asks,
    # naming both refreshes' prices.
    question = asked[1]
    assert "0 new followers and a check page" in question
    assert "Full refresh ≈ $2.50 (up to $25.00); new followers only ≈ $0.10 (up to $2.00)." in question
    assert question.endswith("Fetch new followers only?")
    assert any("0 new (100 read)" in text for text in messages.infos())
    assert x_context.spend.spent_today(REAL) - before < Decimal("1.00")


# -- DM sends ---------------------------------------------------------------------------------------------
def campaign_tab(qtbot, context, jobs) -> CampaignTab:
    tab = CampaignTab(context, jobs)
    qtbot.addWidget(tab)
    return tab


def test_a_test_send_above_the_threshold_asks_and_no_sends_nothing(qtbot, x_context, jobs, monkeypatch, messages):
    x_context.profile.dm_enabled = True  # test mode: to the two test accounts
    monkeypatch.setattr(estimates, "CONFIRM_ABOVE_USD", Decimal("0.01"))  # two test DMs cost $0.05
    tab = campaign_tab(qtbot, x_context, jobs)
    asked = answer_cost_questions(monkeypatch, "enter")
    tab.start_campaign(dry_run=False)
    assert len(asked) == 1 and "2 DMs to test accounts" in asked[0]
    assert not jobs.is_running("dm-campaign") and billed_endpoints(x_context) == set()

    asked = answer_cost_questions(monkeypatch, "yes")
    with qtbot.waitSignal(jobs.jobEnded, timeout=30_000):
        tab.start_campaign(dry_run=False)
    assert len(asked) == 1 and "Test send" in tab.counts_label.text()


def test_a_test_send_below_the_threshold_only_says_its_price(qtbot, x_context, jobs, monkeypatch, messages):
    x_context.profile.dm_enabled = True
    tab = campaign_tab(qtbot, x_context, jobs)
    asked = answer_cost_questions(monkeypatch, "enter")
    with qtbot.waitSignal(jobs.jobEnded, timeout=30_000):
        tab.start_campaign(dry_run=False)
    assert asked == [] and any(text.startswith("Estimated cost: ≈ 2 DMs") for text in messages.infos())


def test_the_live_question_names_the_price_and_enter_sends_nothing(qtbot, context, jobs, monkeypatch):
    context.profile.set_switches(dm_enabled=True, test_mode=False, confirmed_at=1)
    tab = campaign_tab(qtbot, context, jobs)
    asked = answer_live_questions(monkeypatch, "enter")  # one question for both: no cost question after it
    tab.send_button.click()
    assert len(asked) == 1 and "Estimated cost: ≈ 0 DMs to followers" in asked[0] and "simulated" in asked[0]
    assert not jobs.is_running("dm-campaign")


def test_an_automatic_run_never_asks(qtbot, x_context, jobs, monkeypatch):
    x_context.profile.dm_enabled = x_context.profile.auto_dm = True
    x_context.profile.account_id = SANDBOX_USER_ID
    monkeypatch.setattr(estimates, "CONFIRM_ABOVE_USD", Decimal("0.001"))
    tab = campaign_tab(qtbot, x_context, jobs)
    asked = answer_cost_questions(monkeypatch, "enter")
    with qtbot.waitSignal(jobs.jobEnded, timeout=30_000):
        tab.auto_timer.timeout.emit()
    assert asked == []


# -- tweet download -----------------------------------------------------------------------------------------
def to_preview_page(wizard: TweetDownloadWizard, limit: int, output: Path) -> None:
    wizard.accounts_page.username_edit.setText("alice_writes")
    wizard.next()
    wizard.next()
    wizard.options_page.limit_spin.setValue(limit)
    wizard.next()
    wizard.output_page.path_edit.setText(str(output))
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page


def test_the_preview_page_shows_the_price_and_no_keeps_the_download_from_starting(qtbot, x_context, jobs,
                                                                                monkeypatch, tmp_path):
    wizard = TweetDownloadWizard(x_context, jobs)
    qtbot.addWidget(wizard)
    wizard.show()
    to_preview_page(wizard, limit=400, output=tmp_path / "alice.csv")  # 400 posts: $2.00 at least
    page = wizard.preview_page
    assert page.cost_label.text().startswith("Estimated cost: ≈ 400 posts from 1 account: $2.02 (up to")
    asked = answer_cost_questions(monkeypatch, "enter")
    wizard.next()
    assert len(asked) == 1 and "400 posts" in asked[0]
    assert wizard.currentPage() is page and not (tmp_path / "alice.csv").exists()
    assert billed_endpoints(x_context) == {ENDPOINT_USERS_BY}  # the estimate's look-up of the account only


def test_a_cheap_download_in_the_sandbox_starts_without_asking(qtbot, context, jobs, monkeypatch, tmp_path):
    wizard = TweetDownloadWizard(context, jobs)
    qtbot.addWidget(wizard)
    wizard.show()
    to_preview_page(wizard, limit=400, output=tmp_path / "alice.csv")
    assert "simulated" in wizard.preview_page.cost_label.text()
    asked = answer_cost_questions(monkeypatch, "enter")
    wizard.next()
    assert asked == [] and wizard.currentPage() is wizard.progress_page
    qtbot.waitUntil(wizard.progress_page.isComplete, timeout=30_000)


# -- following fetch -------------------------------------------------------------------------------------
def test_fetching_who_you_follow_shows_its_price_first_and_no_fetches_nothing(qtbot, x_context, jobs, monkeypatch,
                                                                              messages):
    from twexport_qt.ui.filter_state import FollowerFilterState
    from twexport_qt.ui.following_tab import FollowingTab

    monkeypatch.setattr(estimates, "CONFIRM_ABOVE_USD", Decimal("0.001"))  # any price asks
    tab = FollowingTab(x_context, jobs, FollowerFilterState())
    qtbot.addWidget(tab)
    asked = answer_cost_questions(monkeypatch, "enter")
    tab.start_fetch()
    assert len(asked) == 1 and "$" in asked[0]
    assert not jobs.is_running("fetch-following") and x_context.following.counts() is None
    assert billed_endpoints(x_context) == {ENDPOINT_ME}  # the estimate's one look-up; no account was read

    asked = answer_cost_questions(monkeypatch, "yes")
    with qtbot.waitSignal(jobs.jobEnded, timeout=60_000):
        tab.start_fetch()
    assert len(asked) == 1
    counts = x_context.following.counts()
    assert counts is not None and counts.following > 0
