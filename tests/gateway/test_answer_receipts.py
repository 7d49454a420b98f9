"""Every successful answer is reported to `on_answer` with what X bills it by: the endpoint, whose `{id}`, which
auth, and the ids returned; a failing hook never fails the answer (X has billed it)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from twexport_qt.app_context import sandbox_credentials
from twexport_qt.core import errors
from twexport_qt.gateway import endpoints
from twexport_qt.gateway.x_gateway import AnswerReceipt, XGateway
from twexport_qt.sandbox import SANDBOX_USER_ID
from twexport_qt.sandbox.endpoints import Endpoint


@pytest.fixture
def receipts() -> list[AnswerReceipt]:
    return []


@pytest.fixture
def gateway(sandbox_server, receipts) -> XGateway:
    return XGateway(sandbox_credentials(), base_url=sandbox_server.base_url, on_answer=receipts.append)


def test_a_followers_page_names_whose_followers_and_each_id(gateway, receipts):
    page = gateway.followers_page(SANDBOX_USER_ID, max_results=50)
    [receipt] = receipts
    assert (receipt.endpoint, receipt.user_context, receipt.subject_id) == (
        endpoints.ENDPOINT_FOLLOWERS, True, SANDBOX_USER_ID)
    assert receipt.signed_in_id is None  # not known yet: the ledger then bills the standard rate
    assert receipt.data_ids == tuple(user["id"] for user in page.data) and receipt.resource_count == 50


def test_the_signed_in_account_is_learnt_from_me_or_given(gateway, receipts, sandbox_server):
    gateway.me()
    gateway.followers_page(SANDBOX_USER_ID, max_results=5)
    assert [r.signed_in_id for r in receipts] == [None, SANDBOX_USER_ID]
    given = XGateway(sandbox_credentials(), base_url=sandbox_server.base_url, on_answer=receipts.append,
                     signed_in_id=SANDBOX_USER_ID)
    given.followers_page(SANDBOX_USER_ID, max_results=5)
    assert receipts[-1].signed_in_id == SANDBOX_USER_ID


def test_includes_are_reported_by_section(gateway, receipts):
    page = gateway.user_tweets_page(SANDBOX_USER_ID, max_results=50)
    [receipt] = receipts
    assert receipt.endpoint == endpoints.ENDPOINT_USER_TWEETS
    assert receipt.included_ids["tweets"] == tuple(tweet["id"] for tweet in page.includes["tweets"])
    assert receipt.included_ids["users"] == tuple(user["id"] for user in page.includes["users"])


def test_search_is_the_apps_bearer_and_a_dm_one_request(gateway, receipts, sandbox_server):
    gateway.search_all_page("from:alice_writes", max_results=10)
    recipient = next(u for u in sandbox_server.state.population.users_at(range(100)) if u.receives_your_dm)
    sent = gateway.send_dm(recipient.id, "Hello")
    search, dm = receipts
    assert (search.endpoint, search.user_context, len(search.data_ids)) == (endpoints.ENDPOINT_SEARCH_ALL, False, 10)
    assert (dm.endpoint, dm.user_context, dm.subject_id, dm.data_ids) == (
        endpoints.ENDPOINT_DM_SEND, True, recipient.id, (sent["dm_event_id"],))


def test_nothing_is_reported_for_empty_or_failed_answers(gateway, receipts, sandbox_server):
    gateway.followers_page(1234)  # someone with no followers: an empty page
    sandbox_server.state.faults.fail_next(Endpoint.FOLLOWERS, "500")
    with pytest.raises(errors.ServerError):
        gateway.followers_page(SANDBOX_USER_ID)
    assert receipts == []


def test_a_hook_that_fails_is_logged_and_the_answer_still_returned(sandbox_server, caplog):
    def broken(receipt: AnswerReceipt) -> None:
        raise RuntimeError("ledger on fire")

    gateway = XGateway(sandbox_credentials(), base_url=sandbox_server.base_url, on_answer=broken)
    assert len(gateway.followers_page(SANDBOX_USER_ID, max_results=10).data) == 10
    assert "Could not record what X billed" in caplog.text


def test_post_usage_reads_xs_count_of_post_reads_with_the_bearer(gateway, sandbox_server):
    page = gateway.user_tweets_page(SANDBOX_USER_ID, max_results=20)
    posts_read = len(page.data) + len(page.includes["tweets"])  # the parents X included count too
    usage = gateway.post_usage(days=2)
    assert usage["project_usage"] == str(posts_read) and len(usage["daily_project_usage"]["usage"]) == 2
    user_only = XGateway(replace(sandbox_credentials(), bearer_token=None), base_url=sandbox_server.base_url)
    with pytest.raises(errors.AuthError, match="Bearer"):
        user_only.post_usage()
