"""`main.py followers fetch [--new-only]`: fetch (or resume fetching) every follower of the profile's account, or
only the new ones, after printing what each would cost; `followers history`: how the audience changed."""

from __future__ import annotations

import argparse
from pathlib import Path

from twexport_qt.commands.cost_prompt import add_cost_arguments
from twexport_qt.core import errors
from twexport_qt.core.errors import EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    followers = subparsers.add_parser("followers", help="followers of the profile's X account")
    actions = followers.add_subparsers(dest="followers_action", metavar="ACTION", required=True)
    fetch = actions.add_parser("fetch", help="fetch every follower into the local database (resumes if interrupted)")
    fetch.add_argument("--new-only", dest="new_only", action="store_true",
                       help="read only the followers who came since the last fetch (X lists the newest first): "
                            "costs about the new followers, but sees nobody who left and updates only their "
                            "metrics; a full fetch does both")
    add_cost_arguments(fetch)
    fetch.set_defaults(handler=_handle_fetch)
    history = actions.add_parser("history", help="the follower count, joined and left at each complete fetch, and "
                                                 "the change since last week")
    history.add_argument("--since", type=utc_date, metavar="DATE",
                         help="only complete fetches from this date (YYYY-MM-DD, UTC)")
    history.add_argument("--csv", type=Path, metavar="FILE", help="also write the table to this CSV file")
    history.set_defaults(handler=_handle_history)


def utc_date(text: str) -> int:
    """`--since DATE`: a UTC date (or ISO 8601 time) as epoch seconds; argparse says what is wrong with a bad one."""
    from twexport_qt.followers.history import parse_utc_date

    try:
        return parse_utc_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _handle_fetch(args: argparse.Namespace) -> int:
    """Errors other than a cancel or a spending limit reach `cli.main`, which prints them as one sentence."""
    from twexport_qt.billing.estimates import (
        estimate_followers_fetch,
        estimate_new_followers_refresh,
        refresh_choice_sentence,
    )
    from twexport_qt.commands.cost_prompt import confirm_cost, lookup_cost, show_estimate
    from twexport_qt.commands.session import command_session, paged_fetch_stopped
    from twexport_qt.followers.fetch import FOLLOWERS_KIND, NoFollowersStored, fetch_followers, known_follower_count
    from twexport_qt.gateway.pacing import ENDPOINT_ME
    from twexport_qt.store import fetch_runs_repo, followers_repo
    from twexport_qt.store.job_locks import JobKind

    with command_session(args, lock=JobKind.FOLLOWERS_FETCH) as session:
        context = session.context
        try:
            # One user read ($0.01, and the fetch's own look-up of it is then de-duplicated by X the same day).
            me = session.pacer.call(ENDPOINT_ME, session.gateway.me)
            owner_id = int(me["id"])
            followers_count = int((me.get("public_metrics") or {}).get("followers_count") or 0)
            owned_possible = session.gateway.has_user_context
            run = fetch_runs_repo.resumable(session.conn, owner_id, FOLLOWERS_KIND)
            full = estimate_followers_fetch(followers_count, context.prices, owned_possible=owned_possible,
                                            already_fetched=run.items if run is not None else 0)
            new_only = None
            if followers_repo.current_count(session.conn, owner_id):  # nothing stored: only a full fetch makes sense
                new_only = estimate_new_followers_refresh(followers_count,
                                                          known_follower_count(session.conn, owner_id),
                                                          context.prices, owned_possible=owned_possible)
            elif args.new_only:
                raise NoFollowersStored("No followers of this account are stored yet: run `followers fetch` "
                                        "without --new-only first. Nothing was read.")
            estimate = new_only if args.new_only and new_only is not None else full
            show_estimate(estimate, simulated=context.is_sandbox, max_cost=args.max_cost)
            if new_only is not None:
                other = "(without --new-only for a full refresh)" if args.new_only else "(use --new-only)"
                print(f"{refresh_choice_sentence(full, new_only).removesuffix('.')} {other}.")
            # Pricing read the account (/2/users/me): a refusal says so.
            confirm_cost(estimate, yes=args.yes, simulated=context.is_sandbox,
                         lookup_cost=lookup_cost(context.prices, 1))
            result = fetch_followers(session.conn, session.gateway, session.pacer, session.clock,
                                     progress=session.display.update, cancel=session.cancel,
                                     new_only=args.new_only)
        except (errors.SpendLimitReached, errors.Cancelled) as stop:
            return paged_fetch_stopped(session, stop)
        context.remember_owner(result.owner_id)
        session.display.close()
        how = "resumed and finished" if result.resumed else "finished"
        if result.new_only:
            print(f"New-followers refresh {how}: {result.new_followers:,} new followers ({result.fetched:,} "
                  f"followers read now, {result.pages} pages). Run a full fetch to see who left.")
        else:
            print(f"Fetch {how}: {result.total_in_run:,} followers in this run "
                  f"({result.fetched:,} fetched now, {result.pages} pages); {result.unfollowed:,} unfollowed "
                  "since the last complete fetch.")
        return EXIT_OK


def _handle_history(args: argparse.Namespace) -> int:
    """Reads the local history only: no request to X. Errors reach `cli.main`, which prints them as one sentence."""
    from twexport_qt.commands.session import open_command_context
    from twexport_qt.followers.history import growth_table

    context = open_command_context(args)
    try:
        owner_id = context.known_owner_id()
        if owner_id is None:
            print("No followers have been fetched for this profile yet: run `followers fetch` first.")
            return EXIT_OK
        points = context.history.growth(owner_id, since=args.since)
        if not points:
            print("No complete followers fetch in this period: history starts with the first complete fetch.")
        else:
            header = ["Fetched (UTC)", "Followers", "Joined", "Left"]
            rows = growth_table(points)
            widths = [max(len(line[column]) for line in [header, *rows]) for column in range(len(header))]
            for line in [header, *rows]:
                print("  ".join([line[0].ljust(widths[0]), *(cell.rjust(width)
                                                               for cell, width in zip(line[1:], widths[1:]))]))
        print(context.history.since_last_week(owner_id).sentence("Since last week"))
        if args.csv is not None:
            written = context.history.export_growth(owner_id, args.csv, since=args.since, data_dir=context.data_dir)
            print(f"Wrote {written:,} rows to {args.csv}")
    finally:
        context.close()
    return EXIT_OK
