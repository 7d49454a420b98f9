"""One tweet dataset, start to end: the download (or rebuild, or update) and, for the formats built from the store,
the build that writes the files and their card.

`tweets/` may not import `datasets/` (it sits below it), so the download engine only stores what a built
dataset needs and this module runs the build after it. The command line and the wizard both run datasets through
`run_dataset`, so a dataset reads the same however it was made.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from twexport_qt.billing.estimates import CostEstimate
from twexport_qt.billing.prices import PriceTable, ResourceKind, format_usd
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.clock import Clock
from twexport_qt.core.progress import ProgressCallback
from twexport_qt.datasets.builder import BuildReport, BuildRequest, build_dataset
from twexport_qt.store.tweets_repo import AccountState
from twexport_qt.tweets.download import DownloadRequest, DownloadSummary, run_download
from twexport_qt.tweets.download_report import removal_lines
from twexport_qt.tweets.options import DatasetOptions

if TYPE_CHECKING:
    from twexport_qt.gateway.pacing import Pacer, WaitNotice
    from twexport_qt.gateway.x_gateway import XGateway


@dataclass(frozen=True)
class DatasetRun:
    """What one run did: the download's summary and, for a built format, the build's report."""

    download: DownloadSummary
    build: BuildReport | None = None  # None: a streamed format (the download wrote the file)

    @property
    def output_path(self) -> Path:
        return self.download.output_path


def built_usernames(summary: DownloadSummary) -> tuple[str, ...]:
    """The accounts a build draws from: those the download read to their end, in its order (X's spelling)."""
    return tuple(account.username for account in summary.accounts if account.state == AccountState.DONE)


def run_dataset(conn: sqlite3.Connection, gateway: XGateway | None, pacer: Pacer | None, clock: Clock,
                request: DownloadRequest, *, progress: ProgressCallback | None = None,
                cancel: CancelToken | None = None, on_wait: Callable[[WaitNotice], None] | None = None,
                data_dir: Path | None = None) -> DatasetRun:
    """Run (or resume, or update) `request`'s download, then build its files from the store when its format is
    built (`DatasetOptions.needs_build`). The build reads only the store: it makes no request, and running it
    again after a kill writes the same files. Raises what `run_download` raises."""
    summary = run_download(conn, gateway, pacer, clock, request, progress=progress, cancel=cancel,
                           on_wait=on_wait, data_dir=data_dir)
    if not request.options.needs_build():
        return DatasetRun(summary)
    build = BuildRequest(built_usernames(summary), request.options, summary.output_path, write_card=True,
                         simulated=request.simulated)  # the Sandbox's tweets for the Sandbox, real ones otherwise
    return DatasetRun(summary, build_dataset(conn, build, progress=progress, cancel=cancel))


def build_lines(report: BuildReport) -> list[str]:
    """A build told in lines, for the command line (the wizard shows the same facts): what it drew from, what
    each filter removed, each file with its examples and estimated tokens, and the card."""
    tweets = f"{report.tweets_read:,} stored tweet{'' if report.tweets_read == 1 else 's'}"
    lines = [f"Built from {tweets}, no API use ({report.requests} requests)."]
    lines += removal_lines(report.removed, report.near_duplicate_threshold)
    for account in report.accounts:
        lines.append(f"@{account.username}: {account.examples:,} examples from {account.tweets_read:,} stored tweets")
    for built in report.files:
        name = f"{built.split}: " if built.split else ""
        lines.append(f"{name}{built.path} — {built.examples:,} examples, ≈ {built.estimated_tokens:,} tokens")
    if report.missing:
        lines.append(f"Nothing stored for: {', '.join('@' + name for name in report.missing)}.")
    if report.card_path is not None:
        lines.append(f"Dataset card: {report.card_path}")
    return lines


def with_thread_lookups(estimate: CostEstimate, options: DatasetOptions, prices: PriceTable) -> CostEstimate:
    """A download's estimate with the look-ups of chat turns above a reply's parent (`thread_depth` > 1).

    The download's own estimate already counts one look-up per post (a reply's parent and its author); each
    further turn may cost one more post and author read per example written, at most `estimate.count` of them
    (the posts the low end reads: the limit, or all reachable). Only tweets missing from the store are read,
    so this widens the high end only.
    """
    hops = options.thread_depth - 1 if options.output_format == "chat-jsonl" and options.include_replies else 0
    if hops <= 0 or estimate.is_free:
        return estimate
    per_hop = prices.cost(ResourceKind.POSTS, 1, owned=False) + prices.cost(ResourceKind.USERS, 1, owned=False)
    extra = per_hop * estimate.count * hops
    sentence = (f"{estimate.sentence}; up to {format_usd(extra)} more for the {hops} earlier turn"
                f"{'' if hops == 1 else 's'} above each reply's parent (thread depth {options.thread_depth}), "
                "read only when not stored yet")
    return dataclasses.replace(estimate, high=estimate.high + extra, sentence=sentence)
