"""The per-tweet filters on a streamed dataset (csv/jsonl/txt): minimum length and scrubbing, with counts."""

from __future__ import annotations

from tests.tweets.download_support import make_gateway, read_rows
from twexport_qt.store.database import open_database
from twexport_qt.tweets.download import DownloadRequest, run_download
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind


def test_short_tweets_are_dropped_and_contacts_scrubbed_with_counts(tmp_path, clock, server):
    conn = open_database(":memory:")
    options = DatasetOptions(min_length=60, scrub_contacts=True)
    output = tmp_path / "carol.csv"
    summary = run_download(conn, make_gateway(server), None, clock,
                           DownloadRequest(("carol_codes",), SourceKind.TIMELINE, options, output))
    rows = read_rows(output)
    assert rows and all(len(row) >= 60 for row in rows)
    assert not any("@example.com" in row or "555-" in row for row in rows)
    assert any("[EMAIL]" in row for row in rows) and any("[PHONE]" in row for row in rows)
    assert summary.removed["too short"] > 0
    assert summary.removed["e-mail addresses"] == sum(row.count("[EMAIL]") for row in rows)
    assert summary.removed["phone numbers"] == sum(row.count("[PHONE]") for row in rows)
    assert summary.written_total == len(rows) == 400 - summary.removed["too short"]
