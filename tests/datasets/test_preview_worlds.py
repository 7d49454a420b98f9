"""The wizard's preview and free-rebuild estimate, and the Tweet datasets tab's list, read only the active
profile's world: the Sandbox's simulated tweets and downloads never show on a real profile, nor real ones on the
Sandbox (services/downloads.py asks the profile at each call: it can change while the app runs)."""

from __future__ import annotations

from pathlib import Path

from twexport_qt.core.clock import FakeClock
from twexport_qt.services.connections import ThreadConnections
from twexport_qt.services.downloads import DownloadsService
from twexport_qt.store import tweets_repo
from twexport_qt.store.database import open_database
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.records import TweetRecord

T0 = 1_700_000_000


def test_preview_estimate_and_downloads_follow_the_active_profiles_world(tmp_path: Path) -> None:
    path = tmp_path / "twexport.sqlite3"
    conn = open_database(path)
    with conn:
        tweets_repo.upsert_tweets(conn, [TweetRecord(10 + k, 2_001, "alice_writes", T0 + k, f"made up {k}")
                                         for k in range(3)], source="timeline", fetched_at=T0, simulated=True)
        tweets_repo.create_or_resume_job(conn, "sandbox:k", "{}", str(tmp_path / "a.csv"), T0, simulated=True)
    conn.close()
    sandbox_active = [True]
    connections = ThreadConnections(lambda: open_database(path))
    service = DownloadsService(connections, FakeClock(), simulated=lambda: sandbox_active[0])
    try:
        preview = service.preview(["alice_writes"], DatasetOptions())
        assert preview.stored.counts == {"alice_writes": 3} and len(preview.examples) == 3
        assert service.rebuild_estimate(["alice_writes"]).count == 3
        assert len(service.stored_downloads()) == 1

        sandbox_active[0] = False  # switched to a real profile
        preview = service.preview(["alice_writes"], DatasetOptions())
        assert preview.stored.missing == ("alice_writes",) and preview.examples == ()
        assert service.rebuild_estimate(["alice_writes"]).count == 0
        assert service.stored_downloads() == []
    finally:
        connections.close()
