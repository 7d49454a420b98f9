"""The price side of paid commands: `--max-cost` and `--yes`, the estimate printed before a job starts, the
question above `CONFIRM_ABOVE_USD`, and what a command says when a spending limit pauses it.

A script never hangs on the question: without a terminal, a job whose estimate passes the threshold is refused
with a sentence naming `--yes`. The Sandbox bills nothing real, so it is never asked about (its estimate and
limits still apply, to try them).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import TextIO

from twexport_qt.billing.estimates import CONFIRM_ABOVE_USD, CostEstimate
from twexport_qt.billing.prices import PriceTable, ResourceKind, format_usd
from twexport_qt.core import errors
from twexport_qt.settings.validation import parse_usd

MAX_COST_HELP = ("stop before the request that could take this run's spend past USD dollars (each request is "
                 "priced at its worst case); what was done is kept and the next run resumes")


class CostNotConfirmed(errors.ConfigError):
    """A paid job above the threshold was not confirmed: it did not start (only its price look-up was read)."""


def max_cost_argument(text: str) -> Decimal:
    """argparse's `type` for `--max-cost`: a positive dollar amount."""
    try:
        amount = parse_usd(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--max-cost {exc}") from None
    if amount <= 0:
        raise argparse.ArgumentTypeError("--max-cost must be more than $0 (a dollar amount like 5 or 2.50)")
    return amount


def add_cost_arguments(parser: argparse.ArgumentParser, *, yes: bool = True) -> None:
    """`--max-cost USD`, and `--yes` (commands that already have a `--yes` say so in its help)."""
    parser.add_argument("--max-cost", dest="max_cost", metavar="USD", type=max_cost_argument, help=MAX_COST_HELP)
    if yes:
        parser.add_argument("--yes", action="store_true", help=f"start without asking when the estimate passes "
                            f"{format_usd(CONFIRM_ABOVE_USD)} (for scripts)")


def show_estimate(estimate: CostEstimate, *, simulated: bool, max_cost: Decimal | None = None,
                  out: TextIO | None = None) -> None:
    """Print the estimate (and what `--max-cost` will do to it) before the job starts."""
    out = out or sys.stdout
    line = f"Estimated cost: {estimate.sentence}"
    if simulated:
        ends_sentence = line.endswith(".")
        line = line.removesuffix(".") + " (simulated: the Sandbox bills nothing)" + ("." if ends_sentence else "")
    print(line, file=out)
    if max_cost is not None and estimate.low > max_cost:
        print(f"--max-cost {format_usd(max_cost)} stops this run before it is done; run again to continue.",
              file=out)


def lookup_cost(prices: PriceTable, accounts: int) -> Decimal:
    """What pricing a job cost when it looked `accounts` accounts up on X first (/2/users/me or /2/users/by, one
    user read each, at the standard rate): the `lookup_cost` a refusal names."""
    return prices.cost(ResourceKind.USERS, accounts, owned=False)


def confirm_cost(estimate: CostEstimate, *, yes: bool, simulated: bool, ask: Callable[[str], str] | None = None,
                 interactive: bool | None = None, lookup_cost: Decimal | None = None) -> None:
    """Return if the job may start; raise CostNotConfirmed (the job did not start) when it may not.

    `lookup_cost`: what the reads that priced the job cost at most (already billed, e.g. the accounts' look-up
    for their counts), 0 when pricing read nothing, None when the caller does not say: the refusal then tells
    the user exactly that much and never claims that nothing was billed when something was.
    """
    if simulated or yes or not estimate.needs_confirmation:
        return
    if interactive is None:
        interactive = sys.stdin.isatty()
    limit = format_usd(CONFIRM_ABOVE_USD)
    what_was_read = _what_was_read(lookup_cost)
    if not interactive:
        raise CostNotConfirmed(f"This job could cost up to {format_usd(estimate.high)}, more than {limit}: add "
                               f"--yes to start it from a script (and --max-cost USD to cap it). {what_was_read}")
    answer = (ask or input)(f"This could cost up to {format_usd(estimate.high)}. Start? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise CostNotConfirmed(f"Not confirmed. {what_was_read}")


def _what_was_read(lookup_cost: Decimal | None) -> str:
    """The refusal's last sentence: what was requested before the question (the price look-up), if anything."""
    if lookup_cost is None:
        return "Nothing was requested beyond what it took to price the job."
    if lookup_cost == 0:
        return "Nothing was requested."
    return (f"Only the look-up that priced it was read ({format_usd(lookup_cost)} at most); nothing else was "
            "requested.")


def report_pause(stop: errors.SpendLimitReached, what_next: str, out: TextIO | None = None) -> int:
    """Print why the job paused and how to go on; return its exit code (a stopped job's)."""
    print(f"{stop.user_message} {what_next}", file=out or sys.stdout)
    return stop.exit_code
