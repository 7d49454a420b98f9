"""`main.py followers fetch`: fetch (or resume fetching) every follower of the profile's account, after printing
what it will cost."""

from __future__ import annotations

import argparse

from twexport_qt.commands.cost_prompt import add_cost_arguments
from twexport_qt.core import errors
from twexport_qt.core.errors import EXIT_CANCELLED, EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    followers = subparsers.add_parser("followers", help="followers of the profile's X account")
    actions = followers.add_subparsers(dest="followers_action", metavar="ACTION", required=True)
    fetch = actions.add_parser("fetch", help="fetch every follower into the local database (resumes if interrupted)")
    add_cost_arguments(fetch)
    fetch.set_defaults(handler=_handle_fetch)


def _handle_fetch(args: argparse.Namespace) -> int:
    """Errors other than a cancel or a spending limit reach `cli.main`, which prints them as one sentence."""
    from twexport_qt.billing.estimates import estimate_followers_fetch
    from twexport_qt.commands.cost_prompt import confirm_cost, report_pause, show_estimate
    from twexport_qt.commands.session import command_session
    from twexport_qt.followers.fetch import FOLLOWERS_KIND, fetch_followers
    from twexport_qt.gateway.pacing import ENDPOINT_ME
    from twexport_qt.store import fetch_runs_repo
    from twexport_qt.store.job_locks import JobKind

    with command_session(args, lock=JobKind.FOLLOWERS_FETCH) as session:
        context = session.context
        try:
            # One user read ($0.01, and the fetch's own look-up of it is then de-duplicated by X the same day).
            me = session.pacer.call(ENDPOINT_ME, session.gateway.me)
            followers_count = int((me.get("public_metrics") or {}).get("followers_count") or 0)
            run = fetch_runs_repo.resumable(session.conn, int(me["id"]), FOLLOWERS_KIND)
            estimate = estimate_followers_fetch(followers_count, context.prices,
                                                owned_possible=session.gateway.has_user_context,
                                                already_fetched=run.items if run is not None else 0)
            show_estimate(estimate, simulated=context.is_sandbox, max_cost=args.max_cost)
            confirm_cost(estimate, yes=args.yes, simulated=context.is_sandbox)
            result = fetch_followers(session.conn, session.gateway, session.pacer, session.clock,
                                     progress=session.display.update, cancel=session.cancel)
        except errors.SpendLimitReached as stop:
            session.display.close()
            return report_pause(stop, "Pages fetched so far are saved; run the command again to resume.")
        except errors.Cancelled:
            session.display.close()
            print("Cancelled. Pages fetched so far are saved; run the command again to resume.")
            return EXIT_CANCELLED
        context.remember_owner(result.owner_id)
        session.display.close()
        how = "resumed and finished" if result.resumed else "finished"
        print(f"Fetch {how}: {result.total_in_run:,} followers in this run "
              f"({result.fetched:,} fetched now, {result.pages} pages); {result.unfollowed:,} unfollowed since "
              "the last complete fetch.")
        return EXIT_OK
