"""`main.py followers fetch`: fetch (or resume fetching) every follower of the profile's account."""

from __future__ import annotations

import argparse

from twexport_qt.core import errors

EXIT_OK, EXIT_FAILED, EXIT_CANCELLED = 0, 1, 130


def register(subparsers: argparse._SubParsersAction) -> None:
    followers = subparsers.add_parser("followers", help="followers of the profile's X account")
    actions = followers.add_subparsers(dest="followers_action", metavar="ACTION", required=True)
    fetch = actions.add_parser("fetch", help="fetch every follower into the local database (resumes if interrupted)")
    fetch.set_defaults(handler=_handle_fetch)


def _handle_fetch(args: argparse.Namespace) -> int:
    from twexport_qt.commands.session import command_session
    from twexport_qt.followers.fetch import fetch_followers

    try:
        with command_session(args) as session:
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
    except errors.TwExportError as exc:
        print(f"Error: {exc.user_message}")
        return EXIT_FAILED
