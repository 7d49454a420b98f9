"""`main.py followers fetch`: fetch (or resume fetching) every follower of the profile's account."""

from __future__ import annotations

import argparse

from twexport_qt.core import errors
from twexport_qt.core.errors import EXIT_CANCELLED, EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    followers = subparsers.add_parser("followers", help="followers of the profile's X account")
    actions = followers.add_subparsers(dest="followers_action", metavar="ACTION", required=True)
    fetch = actions.add_parser("fetch", help="fetch every follower into the local database (resumes if interrupted)")
    fetch.set_defaults(handler=_handle_fetch)


def _handle_fetch(args: argparse.Namespace) -> int:
    """Errors other than a cancel reach `cli.main`, which prints them as one sentence."""
    from twexport_qt.commands.session import command_session
    from twexport_qt.followers.fetch import fetch_followers
    from twexport_qt.store.job_locks import JobKind

    with command_session(args, lock=JobKind.FOLLOWERS_FETCH) as session:
        try:
            result = fetch_followers(session.conn, session.gateway, session.pacer, session.clock,
                                     progress=session.display.update, cancel=session.cancel)
        except errors.Cancelled:
            session.display.close()
            print("Cancelled. Pages fetched so far are saved; run the command again to resume.")
            return EXIT_CANCELLED
        session.context.remember_owner(result.owner_id)
        session.display.close()
        how = "resumed and finished" if result.resumed else "finished"
        print(f"Fetch {how}: {result.total_in_run:,} followers in this run "
              f"({result.fetched:,} fetched now, {result.pages} pages); {result.unfollowed:,} unfollowed since "
              "the last complete fetch.")
        return EXIT_OK
