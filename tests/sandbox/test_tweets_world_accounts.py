"""The sandbox names the accounts whose tweets can be downloaded, and every one of them really gives tweets."""

from twexport_qt.sandbox.population import SANDBOX_USERNAME
from twexport_qt.sandbox.tweets_world import HISTORIES, accounts_with_tweets


def test_named_accounts_have_tweets_and_the_refusing_ones_are_left_out() -> None:
    accounts = accounts_with_tweets()
    names = [account.username for account in accounts]
    assert SANDBOX_USERNAME in names and "alice_writes" in names
    assert "suspended_sam" not in names and "private_pat" not in names
    assert all(account.tweet_count > 0 for account in accounts)
    assert [a.tweet_count for a in accounts] == sorted((a.tweet_count for a in accounts), reverse=True)
    assert len(accounts) == len(HISTORIES) - 2
