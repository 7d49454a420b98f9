"""`main.py sandbox serve`: run the X API sandbox standalone (for trying the app, tests, demos)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    sandbox = subparsers.add_parser("sandbox", help="the local X API sandbox")
    actions = sandbox.add_subparsers(dest="sandbox_action", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", help="serve the simulated X API on 127.0.0.1 until Ctrl+C")
    serve.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 = any free port)")
    serve.add_argument("--followers", type=int, default=5_000, help="size of the simulated audience (up to 1,000,000)")
    serve.add_argument("--seed", type=int, default=2026, help="seed of the deterministic population")
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    from twexport_qt.sandbox.server import serve_forever_cli

    if not 0 <= args.followers <= 1_000_000:
        print("--followers must be between 0 and 1,000,000.")
        return 2
    serve_forever_cli(args.port, args.followers, args.seed)
    return 0
