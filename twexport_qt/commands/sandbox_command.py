"""`main.py sandbox serve`: run the X API sandbox standalone (for trying the app, tests, demos), optionally with
X's faults, custom rate limits, a DM state file that survives restarts, and a request log, so that several real
app processes can be tested against one sandbox process.

Bad values end the command with one line on stderr and exit code 2 (no usage dump, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

from twexport_qt.sandbox import specs

T = TypeVar("T")
PROG_ERROR = "main.py sandbox serve: error:"


class _OneLineErrorParser(argparse.ArgumentParser):
    """argparse prints the whole usage before an error; scripts and tests want the one line that matters."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def register(subparsers: argparse._SubParsersAction) -> None:
    sandbox = subparsers.add_parser("sandbox", help="the local X API sandbox")
    actions = sandbox.add_subparsers(dest="sandbox_action", metavar="ACTION", required=True,
                                     parser_class=_OneLineErrorParser)
    serve = actions.add_parser("serve", help="serve the simulated X API on 127.0.0.1 until Ctrl+C or SIGTERM")
    serve.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765; 0 = any free port)")
    serve.add_argument("--followers", type=int, default=5_000, help="size of the simulated audience (up to 1,000,000)")
    serve.add_argument("--seed", type=int, default=2026, help="seed of the deterministic population")
    faults = serve.add_argument_group("faults (X's failure modes, drawn from a seeded generator in request order)")
    faults.add_argument("--fault", metavar="KIND=RATE", action="append", default=[], type=_arg(specs.fault_rate),
                        help=f"probability (0..1) that a request gets this fault; repeatable, rates sum to at most 1. "
                             f"KIND: {specs.FAULT_KINDS}")
    faults.add_argument("--fault-endpoints", metavar="NAME[,NAME...]", type=_arg(specs.endpoint_names),
                        help=f"only these endpoints get random faults (default: all). NAME: {specs.ENDPOINT_NAMES}")
    faults.add_argument("--fault-seed", metavar="N", type=int, default=0, help="seed of the fault generator "
                        "(default 0)")
    faults.add_argument("--slow-seconds", metavar="S", default=2.0,
                        type=_arg(lambda text: specs.seconds(text, "--slow-seconds", allow_zero=True)),
                        help="delay of a 'slow' fault before the request is processed (default 2)")
    faults.add_argument("--storm-seconds", metavar="S", default=3.0,
                        type=_arg(lambda text: specs.seconds(text, "--storm-seconds", allow_zero=False)),
                        help="length of a 429 storm: every request to the endpoint gets 429 meanwhile (default 3)")
    limits = serve.add_argument_group("limits and files")
    limits.add_argument("--rate-limit", metavar="ENDPOINT[@user|@app]=N/SECONDS[,N/SECONDS...]", action="append",
                        default=[], type=_arg(specs.rate_limit),
                        help="replace an endpoint's rate-limit windows, e.g. dm_send=15/900,1440/86400 or "
                             "dm_send=1000/60; repeatable. A 1-second window next to a longer one is hidden, as "
                             "X's per-second rules are (search_all@app=1/1,300/900): never in the headers, and "
                             "breaking it gets a 429 with the longer window's headers (remaining > 0)")
    limits.add_argument("--usage-capped", action="store_true",
                        help="answer every request with X's UsageCapExceeded 429 (monthly cap reached)")
    limits.add_argument("--state", metavar="FILE",
                        help="keep the record of sent DMs in FILE (loaded at start, rewritten after each DM)")
    limits.add_argument("--request-log", metavar="FILE", help="append one JSON line per request handled to FILE")
    serve.add_argument("--replies", metavar="RATE", default=0.0, type=_arg(specs.share_of("--replies")),
                       help="share (0..1) of messaged followers who reply to the first DM an hour after it, a quarter "
                            "of them with an opt-out such as STOP (seeded by --seed; default 0: nobody replies)")
    serve.set_defaults(handler=_serve)


def _arg(parse: Callable[[str], T]) -> Callable[[str], T]:
    """An argparse `type` whose ValueError message is shown as is (argparse would say only 'invalid value')."""
    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return convert


def _serve(args: argparse.Namespace) -> int:
    from twexport_qt.sandbox.config import SandboxConfig
    from twexport_qt.sandbox.dm_state import SandboxStateError
    from twexport_qt.sandbox.faults import FaultConfig
    from twexport_qt.sandbox.server import serve_forever_cli

    if not 0 <= args.followers <= 1_000_000:
        return _fail("--followers must be between 0 and 1,000,000.")
    if not 0 <= args.port <= 65_535:
        return _fail("--port must be between 0 and 65535.")
    rates = dict(args.fault)
    if len(rates) < len(args.fault):
        return _fail("--fault: each fault kind may be given once.")
    rate_limits = dict(args.rate_limit)
    if len(rate_limits) < len(args.rate_limit):
        return _fail("--rate-limit: each ENDPOINT[@context] may be given once.")
    if sum(rates.values()) > 1 + 1e-9:
        return _fail(f"--fault: the rates sum to {sum(rates.values()):g}; they must sum to at most 1.")
    try:
        faults = FaultConfig(rates=rates, endpoints=args.fault_endpoints, seed=args.fault_seed,
                             slow_seconds=args.slow_seconds, storm_seconds=args.storm_seconds)
    except ValueError as exc:  # the checks above and the argument types should leave nothing to catch here
        return _fail(f"--fault: {exc}.")
    config = SandboxConfig(port=args.port, followers=args.followers, seed=args.seed, rate_limits=rate_limits,
                           faults=faults, usage_capped=args.usage_capped, state_file=args.state,
                           request_log=args.request_log, reply_rate=args.replies)
    try:
        serve_forever_cli(config)
    except SandboxStateError as exc:
        return _fail(str(exc))
    except OSError as exc:  # the port is taken, or a --state / --request-log path cannot be written
        return _fail(f"cannot start the sandbox: {exc}")
    return 0


def _fail(message: str) -> int:
    print(f"{PROG_ERROR} {message}", file=sys.stderr)
    return 2
