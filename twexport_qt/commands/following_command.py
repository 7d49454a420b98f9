"""`main.py following fetch`: fetch (or resume fetching) every account the profile's account follows, after printing
what it would cost; `following summary`: following, followers, mutuals, not following back and fans."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from twexport_qt.commands.cost_prompt import add_cost_arguments
from twexport_qt.core import errors
from twexport_qt.core.errors import EXIT_OK

if TYPE_CHECKING:  # imported by the handlers only, so `main.py --help` stays quick
    from twexport_qt.services.following import RelationshipCounts


def register(subparsers: argparse._SubParsersAction) -> None:
    following = subparsers.add_parser("following", help="the accounts the profile's X account follows, and mutuals")
    actions = following.add_subparsers(dest="following_action", metavar="ACTION", required=True)
    fetch = actions.add_parser("fetch", help="fetch every account you follow into the local database (resumes if "
                                             "interrupted; needed for mutuals, fans and not-following-back)")
    add_cost_arguments(fetch)
    fetch.set_defaults(handler=_handle_fetch)
    summary = actions.add_parser("summary", help="how many you follow, follow you, both (mutuals), only you "
                                                 "(not following back) and only them (fans), from the last fetches")
    summary.set_defaults(handler=_handle_summary)


def _handle_fetch(args: argparse.Namespace) -> int:
    """Errors other than a cancel or a spending limit reach `cli.main`, which prints them as one sentence."""
    from twexport_qt.billing.estimates import estimate_following_fetch
    from twexport_qt.commands.cost_prompt import confirm_cost, lookup_cost, show_estimate
    from twexport_qt.commands.session import command_session, paged_fetch_stopped
    from twexport_qt.followers.following_fetch import fetch_following, following_count_of, resumed_items
    from twexport_qt.gateway.endpoints import ENDPOINT_ME
    from twexport_qt.services.jobs import JobName
    from twexport_qt.store.job_locks import JobKind

    # The followers fetch's lock: both read X's follows endpoints for the one account, one run at a time. The
    # spend ledger still names the run for what it is.
    with command_session(args, lock=JobKind.FOLLOWERS_FETCH, job=JobName.FETCH_FOLLOWING) as session:
        context = session.context
        try:
            me = session.pacer.call(ENDPOINT_ME, session.gateway.me)
            owner_id = int(me["id"])
            estimate = estimate_following_fetch(following_count_of(me), context.prices,
                                                owned_possible=session.gateway.has_user_context,
                                                already_fetched=resumed_items(session.conn, owner_id))
            show_estimate(estimate, simulated=context.is_sandbox, max_cost=args.max_cost)
            # Pricing read the account (/2/users/me): a refusal says so.
            confirm_cost(estimate, yes=args.yes, simulated=context.is_sandbox,
                         lookup_cost=lookup_cost(context.prices, 1))
            result = fetch_following(session.conn, session.gateway, session.pacer, session.clock,
                                     progress=session.display.update, cancel=session.cancel)
        except (errors.SpendLimitReached, errors.Cancelled) as stop:
            return paged_fetch_stopped(session, stop)
        context.remember_owner(result.owner_id)
        session.display.close()
        how = "resumed and finished" if result.resumed else "finished"
        print(f"Following fetch {how}: you follow {result.total_in_run:,} accounts ({result.fetched:,} fetched now, "
              f"{result.pages} pages); {result.removed:,} no longer followed since the last complete fetch.")
        counts = context.following.counts(result.owner_id)
        if counts is not None:
            print(summary_sentence(counts))
        return EXIT_OK


def _handle_summary(args: argparse.Namespace) -> int:
    """Reads the local database only: no request to X."""
    from twexport_qt.commands.session import open_command_context

    context = open_command_context(args)
    try:
        counts = context.following.counts()
        if counts is None:
            print("Who you follow has not been fetched for this profile yet: run `following fetch` first.")
            return EXIT_OK
        print(summary_sentence(counts))
    finally:
        context.close()
    return EXIT_OK


def summary_sentence(counts: RelationshipCounts) -> str:
    """The counts as the command prints them; a half-done fetch says so."""
    from twexport_qt.core.timefmt import format_datetime

    lines = [
        f"Following:            {counts.following:,}",
        f"Followers:            {counts.followers:,}",
        f"Mutuals:              {counts.mutuals:,}",
        f"Not following back:   {counts.not_following_back:,}",
        f"Fans (not followed):  {counts.fans:,}",
    ]
    if counts.following_fetched_at is not None:
        lines.append(f"Following fetched:    {format_datetime(counts.following_fetched_at)}")
    if not counts.complete:
        lines.append("The last following fetch did not finish: run `following fetch` again to complete it "
                     "(the counts may be short until then).")
    return "\n".join(lines)
