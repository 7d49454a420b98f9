"""`main.py tweets download`: build a tweet dataset from the command line, like the original script.

The original took its parameters positionally (python-fire) and so does this command, in the original's
order. Its README lists `username limit include_replies strip_usertags strip_hashtags sentiment text_format
timeframe`, but its own example, `<user> None True False False False 3 reply`, has one boolean more: the
function signature it documents is `download_tweets(username, limit, include_replies, include_links,
strip_usertags, strip_hashtags, sentiment, text_format)`, with `timeframe` appended later. So the order is

    username|file.txt  limit  include_replies  include_links  strip_usertags  strip_hashtags  sentiment
    text_format  timeframe

Seed-style values are accepted ("None", "True", "False"). Every parameter is also a flag (--limit, ...);
giving one both ways with different values is an error. One difference: the original's include_links
defaulted to False but was never applied (link tweets were kept, their URLs removed); here the default keeps
them too (include_links=True), and `--no-links` or a positional False really drops tweets that hold a link.
Every deliberate difference from the original is listed in the README, "Differences from the original tool".

The fine-tuning options are flags only (--output-format chat-jsonl, --dedupe, --split, ...): a format built from
the store downloads first and then builds its files and card (services/dataset_builds.py); `--from-store`
builds without any request; `--update` adds the tweets posted since the dataset of the same command was made.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twexport_qt.commands.cost_prompt import CostNotConfirmed, add_cost_arguments, lookup_cost
from twexport_qt.core.errors import Cancelled, ConfigError, JobStopped, SpendLimitReached, TwExportError
from twexport_qt.services.jobs import JobName
from twexport_qt.tweets.download import DownloadRequest, UpdateNotPossible
from twexport_qt.tweets.download_report import account_lines, removal_lines, summary_text
from twexport_qt.tweets.options import (
    MAX_THREAD_DEPTH,
    OUTPUT_FORMATS,
    SENTIMENT_CATEGORIES,
    SENTIMENT_STYLES,
    TEXT_FORMATS,
    DatasetOptions,
    OutputFormat,
    parse_timeframe,
)
from twexport_qt.tweets.output_writers import default_output_name
from twexport_qt.tweets.sources import READING_SOURCE_KINDS, SOURCE_REACH, SourceKind
from twexport_qt.tweets.usernames import parse_source_argument

if TYPE_CHECKING:
    import sqlite3

    from twexport_qt.services.dataset_builds import DatasetRun

EXIT_OK, EXIT_USAGE, EXIT_CANCELLED = 0, 2, 130
POSITIONAL_ORDER = ("limit", "include_replies", "include_links", "strip_usertags", "strip_hashtags", "sentiment",
                    "text_format", "timeframe")
_TRUE, _FALSE, _NONE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}, {"none", "null", ""}


class UsageError(ValueError):
    """Bad command-line input: one line for the user, exit status 2."""


def register(subparsers: argparse._SubParsersAction) -> None:
    tweets = subparsers.add_parser("tweets", help="tweet datasets for AI text generation")
    actions = tweets.add_subparsers(dest="tweets_action", metavar="ACTION", required=True)
    download = actions.add_parser(
        "download", help="download tweets into a training dataset (resumable: rerun the same command)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Parameters may be given positionally, in the original tool's order:\n  "
        + " ".join(["username", *POSITIONAL_ORDER])
        + "\nor as flags. Sources:\n" + "\n".join(f"  {_source_flag(kind)}: {text}"
                                                 for kind, text in SOURCE_REACH.items()))
    download.add_argument("username", nargs="?", help="an X username, or a .txt file with one username per line")
    for name in POSITIONAL_ORDER:
        download.add_argument(f"pos_{name}", nargs="?", metavar=name, help=argparse.SUPPRESS)
    download.add_argument("--limit", help="tweets to write per account (default: all reachable)")
    download.add_argument("--include-replies", dest="include_replies", action=argparse.BooleanOptionalAction,
                          default=None, help="include the accounts' replies (default: no)")
    download.add_argument("--include-links", dest="include_links", action="store_const", const=True, default=None,
                          help="keep tweets that hold a link, link removed from the text (default)")
    download.add_argument("--no-links", dest="include_links", action="store_const", const=False,
                          help="drop tweets that hold a link")
    download.add_argument("--include-quotes", dest="include_quotes", action=argparse.BooleanOptionalAction,
                          default=None, help="include quote tweets (default: no)")
    download.add_argument("--strip-usertags", dest="strip_usertags", action=argparse.BooleanOptionalAction,
                          default=None, help="remove @usertags from the text")
    download.add_argument("--strip-hashtags", dest="strip_hashtags", action=argparse.BooleanOptionalAction,
                          default=None, help="remove #hashtags from the text")
    download.add_argument("--sentiment", choices=[str(n) for n in SENTIMENT_CATEGORIES],
                          help="sentiment categories to label examples with (default 0: none)")
    download.add_argument("--format", dest="text_format", choices=TEXT_FORMATS, help="example layout (default simple)")
    download.add_argument("--timeframe", metavar="YYYYMMDDHHMM", help="only tweets from this moment (UTC) on")
    download.add_argument("--until", metavar="YYYYMMDDHHMM", help="only tweets before this moment (UTC)")
    download.add_argument("--source", choices=READING_SOURCE_KINDS, help="where to read tweets (default "
                          "timeline; archive when --archive is given)")
    download.add_argument("--from-store", dest="from_store", action="store_true",
                          help="build the dataset from the accounts' tweets earlier downloads stored: free, no "
                          "request to X, no credentials needed")
    download.add_argument("--archive", metavar="PATH", help="an X data archive (.zip or extracted folder)")
    download.add_argument("--output", metavar="FILE", help="dataset file (default <username>_tweets.<format> "
                          "in the current folder)")
    download.add_argument("--output-format", dest="output_format", metavar="|".join(OUTPUT_FORMATS), default="csv",
                          help="chat-jsonl (user/assistant turns, for today's fine-tuning), text-jsonl ({\"text\": "
                          "...}), csv (one column, for gpt-2-simple), jsonl or txt (default csv)")
    _register_dataset_arguments(download)
    add_cost_arguments(download)
    download.set_defaults(handler=_handle_download)


def _register_dataset_arguments(download: argparse.ArgumentParser) -> None:
    """The fine-tuning options. Values are parsed by `parse_download_args`, so a bad one is one line, exit 2."""
    dataset = download.add_argument_group("dataset options (chat-jsonl, text-jsonl, de-duplication, splits)")
    dataset.add_argument("--system-prompt", dest="system_prompt", metavar="TEXT",
                         help="chat-jsonl: a system turn that starts every conversation")
    dataset.add_argument("--sentiment-style", dest="sentiment_style", metavar="|".join(SENTIMENT_STYLES),
                         help="with --sentiment: the label as metadata beside the example (default) or as a "
                         "control token before it")
    dataset.add_argument("--thread-depth", dest="thread_depth", metavar="N",
                         help=f"chat-jsonl: tweets above a reply that become earlier turns, 1 to {MAX_THREAD_DEPTH} "
                         "(default 1: its parent); missing ones are looked up on X (billed)")
    dataset.add_argument("--dedupe", dest="dedupe", action=argparse.BooleanOptionalAction, default=None,
                         help="drop exact and near duplicates, keeping the newest (default: no)")
    dataset.add_argument("--near-duplicate-threshold", dest="near_duplicate_threshold", metavar="0.8",
                         help="with --dedupe: the word-shingle similarity from which two tweets are duplicates")
    dataset.add_argument("--min-length", dest="min_length", metavar="N",
                         help="drop tweets shorter than N characters once cleaned")
    dataset.add_argument("--lang", dest="languages", metavar="en,fr",
                         help="keep only tweets X marked with these languages")
    dataset.add_argument("--scrub-contacts", dest="scrub_contacts", action="store_true",
                         help="replace e-mail addresses and phone numbers by [EMAIL] and [PHONE]")
    dataset.add_argument("--scrub-mentions", dest="scrub_mentions", action="store_true",
                         help="replace @names by @USER")
    dataset.add_argument("--scrub-links", dest="scrub_links", action="store_true",
                         help="replace links by [LINK] instead of removing them")
    dataset.add_argument("--split", dest="split", metavar="0.8,0.1,0.1",
                         help="train, validation and test shares: files <name>.train.<ext> etc., by conversation")
    dataset.add_argument("--seed", dest="seed", metavar="N", help="seed of the split (default 0): same seed, same "
                         "split")
    dataset.add_argument("--update", dest="update", action="store_true",
                         help="bring the dataset made by the same command up to date: only tweets newer than "
                         "those it has are read (timeline only)")


def _source_flag(kind: SourceKind) -> str:
    """How the command line picks a source: `--source KIND`, or `--from-store` for the stored tweets."""
    return "--from-store" if kind is SourceKind.STORED else f"--source {kind}"


# ----- parsing --------------------------------------------------------------------------------------------

def _parse_bool(name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _NONE:
        return None
    raise UsageError(f"{name} must be True or False, not {value!r}.")


def _parse_limit(value: Any) -> int | None:
    if value is None or str(value).strip().lower() in _NONE:
        return None
    try:
        limit = int(str(value).strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise UsageError(f"limit must be a whole number or None, not {value!r}.") from None
    if limit < 1:
        raise UsageError(f"limit must be at least 1 (or None for all tweets), not {limit}.")
    return limit


def _parse_moment(name: str, value: Any) -> datetime | None:
    if value is None or str(value).strip().lower() in _NONE:
        return None
    try:
        return parse_timeframe(str(value))
    except ValueError as exc:
        raise UsageError(f"{name}: {exc}") from None


def _parse_choice(name: str, value: Any, choices: tuple) -> Any:
    if value is None or str(value).strip().lower() in _NONE:
        return None
    text = str(value).strip().lower()
    for choice in choices:
        if text == str(choice):
            return choice
    raise UsageError(f"{name} must be one of {', '.join(map(str, choices))}, not {value!r}.")


_PARSERS = {
    "limit": _parse_limit,
    "include_replies": lambda value: _parse_bool("include_replies", value),
    "include_links": lambda value: _parse_bool("include_links", value),
    "include_quotes": lambda value: _parse_bool("include_quotes", value),
    "strip_usertags": lambda value: _parse_bool("strip_usertags", value),
    "strip_hashtags": lambda value: _parse_bool("strip_hashtags", value),
    "sentiment": lambda value: _parse_choice("sentiment", value, SENTIMENT_CATEGORIES),
    "text_format": lambda value: _parse_choice("text_format", value, TEXT_FORMATS),
    "timeframe": lambda value: _parse_moment("timeframe", value),
}


def _parse_whole(name: str, value: Any, *, minimum: int, maximum: int | None = None) -> int | None:
    if value is None:
        return None
    try:
        number = int(str(value).strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise UsageError(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise UsageError(f"{name} must be {bounds}, not {number}.")
    return number


def _parse_share(name: str, value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        raise UsageError(f"{name} must be a number such as 0.8, not {value!r}.") from None


def _parse_split(value: Any) -> tuple[float, float, float] | None:
    if value is None:
        return None
    parts = [part.strip() for part in str(value).split(",")]
    try:
        train, validation, test = (float(part) for part in parts)
    except ValueError:  # not numbers, or not three of them
        raise UsageError(f"--split must be three shares, train,validation,test, e.g. 0.8,0.1,0.1 (not {value!r}).")\
            from None
    return train, validation, test


def _parse_languages(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(code.strip() for code in str(value).split(",") if code.strip())


def _dataset_values(args: argparse.Namespace) -> dict[str, Any]:
    """The fine-tuning options given on the command line (DatasetOptions checks them further)."""
    values: dict[str, Any] = {
        "system_prompt": getattr(args, "system_prompt", None),
        "sentiment_style": _parse_choice("--sentiment-style", getattr(args, "sentiment_style", None),
                                         SENTIMENT_STYLES),
        "thread_depth": _parse_whole("--thread-depth", getattr(args, "thread_depth", None), minimum=1,
                                     maximum=MAX_THREAD_DEPTH),
        "dedupe": getattr(args, "dedupe", None),
        "near_duplicate_threshold": _parse_share("--near-duplicate-threshold",
                                                 getattr(args, "near_duplicate_threshold", None)),
        "min_length": _parse_whole("--min-length", getattr(args, "min_length", None), minimum=0),
        "languages": _parse_languages(getattr(args, "languages", None)),
        "scrub_contacts": bool(getattr(args, "scrub_contacts", False)),
        "scrub_mentions": bool(getattr(args, "scrub_mentions", False)),
        "scrub_links": bool(getattr(args, "scrub_links", False)),
        "split": _parse_split(getattr(args, "split", None)),
        "seed": _parse_whole("--seed", getattr(args, "seed", None), minimum=0),
    }
    return {name: value for name, value in values.items() if value is not None}


def _merged(args: argparse.Namespace, name: str) -> Any:
    """A parameter's value from its flag or its position; both given and different is a usage error."""
    from_flag = _PARSERS[name](getattr(args, name, None))
    from_position = _PARSERS[name](getattr(args, f"pos_{name}", None))
    if from_flag is not None and from_position is not None and from_flag != from_position:
        raise UsageError(f"{name} is given twice, as a flag and positionally, with different values.")
    return from_flag if from_flag is not None else from_position


@dataclass(frozen=True)
class ParsedDownload:
    request_sources: tuple[str, ...]
    source_kind: SourceKind
    options: DatasetOptions
    output_path: Path
    username_problems: tuple[str, ...]
    max_cost: Decimal | None = None  # --max-cost: stop before this run could spend more (dollars)
    yes: bool = False                # --yes: start without asking above the cost threshold
    update: bool = False             # --update: only tweets newer than the dataset's


def parse_download_args(args: argparse.Namespace) -> ParsedDownload:
    """Turn the command line into a download request. Raises UsageError / ConfigError with one clear line."""
    values = {name: _merged(args, name) for name in _PARSERS}
    kind = SourceKind(args.source) if args.source else (SourceKind.ARCHIVE if args.archive else SourceKind.TIMELINE)
    if getattr(args, "from_store", False):
        if args.source or args.archive:
            raise UsageError("--from-store reads the tweets already stored: leave out --source and --archive.")
        kind = SourceKind.STORED
    if kind == SourceKind.ARCHIVE and not args.archive:
        raise UsageError("--source archive needs --archive PATH (the .zip X sent you, or its folder).")
    if args.archive and kind != SourceKind.ARCHIVE:
        raise UsageError("--archive only goes with --source archive.")
    output_format: OutputFormat = _parse_choice("--output-format", args.output_format, OUTPUT_FORMATS) \
        if args.output_format else "csv"
    update = bool(getattr(args, "update", False))
    if update and kind != SourceKind.TIMELINE:
        raise UsageError("--update reads the accounts' timelines for newer tweets: leave out --from-store, "
                         "--source and --archive.")
    dataset_values = _dataset_values(args)
    try:
        options = DatasetOptions(
            limit=values["limit"],
            include_replies=bool(values["include_replies"]),
            include_links=values["include_links"] if values["include_links"] is not None else True,
            include_quotes=bool(values["include_quotes"]),
            strip_usertags=bool(values["strip_usertags"]),
            strip_hashtags=bool(values["strip_hashtags"]),
            sentiment=values["sentiment"] or 0,
            text_format=values["text_format"] or "simple",
            start=values["timeframe"],
            end=_parse_moment("until", args.until),
            output_format=output_format,
            **dataset_values,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    problems: tuple[str, ...] = ()
    if kind == SourceKind.ARCHIVE:
        sources: tuple[str, ...] = (str(Path(args.archive).expanduser().resolve()),)
        default_name = default_output_name(Path(args.archive).stem, options.output_format)
    else:
        if not args.username:
            raise UsageError("Give an X username, or a .txt file with one username per line.")
        listed = parse_source_argument(args.username)
        sources = tuple(listed.usernames)
        problems = tuple(str(problem) for problem in listed.problems)
        # One account: name the file after the account as X spells it, not after what was typed (a URL, say).
        name_source = args.username if listed.source_file is not None else sources[0]
        default_name = default_output_name(name_source, options.output_format)
    output = Path(args.output).expanduser() if args.output else Path.cwd() / default_name
    return ParsedDownload(sources, kind, options, output.resolve(), problems,
                          max_cost=getattr(args, "max_cost", None), yes=bool(getattr(args, "yes", False)),
                          update=update)


# ----- running --------------------------------------------------------------------------------------------

def _handle_download(args: argparse.Namespace) -> int:
    """Usage errors are printed here (exit 2); everything else reaches `cli.main` as one sentence."""
    try:
        parsed = parse_download_args(args)
    except (UsageError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from twexport_qt.commands.session import open_command_context  # lazily: it starts logging, maybe the sandbox

    ctx = open_command_context(args)
    try:
        return _run(ctx, parsed)
    finally:
        ctx.close()


def _run(ctx: Any, parsed: ParsedDownload) -> int:
    from twexport_qt.commands.cost_prompt import report_pause
    from twexport_qt.commands.interrupts import cancel_on_first_ctrl_c
    from twexport_qt.commands.terminal_progress import TerminalProgress
    from twexport_qt.core.cancel import CancelToken
    from twexport_qt.paths import check_output_path
    from twexport_qt.services.dataset_builds import run_dataset

    output = check_output_path(parsed.output_path, ctx.data_dir)
    gateway = pacer = None
    rebuild = parsed.source_kind == SourceKind.STORED  # no request: no gateway, no credentials needed
    # Ours, to flush at the end: an answer whose ledger write failed (database locked, disk full) is kept in it.
    recorder = None if rebuild else ctx.spend_recorder(JobName.TWEET_DOWNLOAD)
    try:
        if recorder is not None:
            gateway = ctx.new_gateway(recorder=recorder, max_cost=parsed.max_cost)
    except ConfigError:
        if parsed.source_kind != SourceKind.ARCHIVE:
            raise
    lock = ctx.download_lock(output)
    display = TerminalProgress(now=ctx.clock.now)
    for problem in parsed.username_problems:
        display.message(f"Skipped in the usernames file: {problem}")
    if gateway is None and not rebuild:
        display.message("No X credentials: parents of replies missing from the archive will be left empty.")
    cancel = CancelToken()
    if gateway is not None:
        pacer = ctx.new_pacer(gateway, cancel, display.waiting)
    request = DownloadRequest(parsed.request_sources, parsed.source_kind, parsed.options, output,
                              update=parsed.update, simulated=ctx.is_sandbox)
    with lock:
        conn = ctx.connect()
        restore_sigint = cancel_on_first_ctrl_c(cancel, display)
        try:
            if rebuild:
                _print_rebuild_estimate(conn, parsed, simulated=request.simulated)
            elif parsed.update:
                _estimate_and_confirm_update(ctx, conn, parsed, request, gateway, pacer)
            else:
                _estimate_and_confirm(ctx, parsed, gateway, pacer)
            result = run_dataset(conn, gateway, pacer, ctx.clock, request, progress=display.update, cancel=cancel,
                                 data_dir=ctx.data_dir)
        except SpendLimitReached as stop:
            display.close()
            return report_pause(stop, f"What was downloaded is saved in {output}; run the same command again to "
                                      "resume where it stopped.")
        except Cancelled:
            display.close()
            print(f"Cancelled. What was downloaded is saved in {output}. "
                  "Run the same command again to resume where it stopped.")
            return EXIT_CANCELLED
        except UpdateNotPossible as refused:  # nothing was read or written: say what to run instead
            display.close()
            print(f"error: {refused}", file=sys.stderr)
            return EXIT_USAGE
        except CostNotConfirmed:
            raise  # the job did not start: there is nothing to resume
        except TwExportError as exc:
            raise JobStopped(exc, f"What was downloaded so far is saved in {output}; run the same command again "
                                  "to resume.") from exc
        finally:
            restore_sigint()
            conn.close()
            if recorder is not None:  # before the context closes the ledger's connection, as `api_session` does
                recorder.flush()
            display.close()
    _print_summary(result, request, sandbox=ctx.is_sandbox)
    return EXIT_OK


def _estimate_and_confirm(ctx: Any, parsed: ParsedDownload, gateway: Any, pacer: Any) -> None:
    """Print what the download will cost and ask above the threshold (CostNotConfirmed: nothing downloaded).

    Timeline and search look the accounts up first (one user read each, which the download's own look-up then
    repeats for free the same UTC day) for their tweet counts; an archive costs nothing to read.
    """
    from twexport_qt.billing.estimates import estimate_archive_import
    from twexport_qt.commands.cost_prompt import confirm_cost, show_estimate
    from twexport_qt.services.cost_estimates import accounts_download_estimate

    options = parsed.options
    if parsed.source_kind == SourceKind.ARCHIVE:
        estimate = estimate_archive_import(ctx.prices, looks_up_reply_parents=gateway is not None
                                           and options.text_format == "reply")
    else:
        estimate = accounts_download_estimate(gateway, pacer, list(parsed.request_sources), ctx.known_owner_id(),
                                              ctx.prices, options, search=parsed.source_kind == SourceKind.SEARCH)
    show_estimate(estimate, simulated=ctx.is_sandbox, max_cost=parsed.max_cost)
    confirm_cost(estimate, yes=parsed.yes, simulated=ctx.is_sandbox, lookup_cost=_lookup_cost(ctx, parsed))


def _estimate_and_confirm_update(ctx: Any, conn: sqlite3.Connection, parsed: ParsedDownload,
                                 request: DownloadRequest, gateway: Any, pacer: Any) -> None:
    """Price `--update` and ask above the threshold, as a download does (CostNotConfirmed: nothing downloaded).

    What the update reads comes from the database first, so an update that is not possible stops before any
    request (UpdateNotPossible); a download that never finished is finished first, priced as that download.
    """
    from twexport_qt.commands.cost_prompt import confirm_cost, show_estimate
    from twexport_qt.services.cost_estimates import accounts_update_estimate
    from twexport_qt.tweets.download import update_scope

    scope = update_scope(conn, request, ctx.data_dir)
    if scope.finishes_download:
        print("This dataset's download never finished: --update finishes it first.")
        _estimate_and_confirm(ctx, parsed, gateway, pacer)
        return
    estimate = accounts_update_estimate(gateway, pacer, scope, ctx.known_owner_id(), ctx.prices, parsed.options)
    show_estimate(estimate, simulated=ctx.is_sandbox, max_cost=parsed.max_cost)
    confirm_cost(estimate, yes=parsed.yes, simulated=ctx.is_sandbox,
                 lookup_cost=lookup_cost(ctx.prices, len(scope.newer_only) + len(scope.read_whole)))


def _lookup_cost(ctx: Any, parsed: ParsedDownload) -> Decimal:
    """What pricing a download read before its question: one user per account (an archive reads nothing)."""
    if parsed.source_kind == SourceKind.ARCHIVE:
        return Decimal(0)
    return lookup_cost(ctx.prices, len(parsed.request_sources))


def _print_rebuild_estimate(conn: sqlite3.Connection, parsed: ParsedDownload, *, simulated: bool) -> None:
    """A rebuild's price is nothing: say so, and what it draws from, instead of an estimate (nothing to confirm).
    Accounts with nothing stored are skipped by the run, which says why."""
    from twexport_qt.tweets.stored_source import rebuild_estimate, stored_tweets

    stored = stored_tweets(conn, parsed.request_sources, simulated=simulated)
    print(f"Building from {stored.total:,} stored tweet{'' if stored.total == 1 else 's'}, no API use.")
    print(f"Estimated cost: {rebuild_estimate(stored).sentence}")


def _print_summary(result: DatasetRun, request: DownloadRequest, *, sandbox: bool) -> None:
    """The wizard's summary sentence, then one line per account (and why one gave nothing), what each filter
    removed, and where the dataset is: for a built dataset each file with its examples and estimated tokens,
    and its card."""
    summary = result.download
    print(summary_text(summary))
    if summary.already_complete and result.build is None:
        print(f"Dataset file: {summary.output_path}")
        print("To download it again, delete or move that file, or choose another --output. To add the tweets "
              "posted since, add --update.")
        return
    if result.build is None:
        for line in account_lines(summary, request, sandbox=sandbox):
            print(line)
        for line in removal_lines(summary.removed):
            print(line)
        print(f"Dataset file: {summary.output_path}")
        return
    for account in summary.problems:  # the build's lines count the others' examples
        print(f"@{account.username}: skipped, {account.message}")
    from twexport_qt.services.dataset_builds import build_lines

    for line in build_lines(result.build):
        print(line)
