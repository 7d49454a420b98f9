"""The audience service: the domain's profile through a connection of its own, the snapshot kept until `forget`,
and a table written as CSV only where exports may go."""

from __future__ import annotations

import csv

import pytest

from twexport_qt.core.clock import FakeClock
from twexport_qt.followers.audience_profile import AudienceTable, WordCount, audience_profile
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.paths import OutputPathRefused
from twexport_qt.services.audience import AudienceService
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

OWNER = 7
NOW = 1_767_225_600


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "twexport.sqlite3"
    conn = open_database(path)
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [
            FollowerRecord(user_id=i, username=f"u{i}", description="tea lover" if i % 2 else "coffee",
                           location="Oslo" if i % 3 else "Lima", created_at=NOW - 86_400 * 400, followers_count=i * 10)
            for i in range(1, 10)], seen_at=NOW)
    conn.close()
    return path


@pytest.fixture
def service(database):
    return AudienceService(lambda: open_database(database), FakeClock(NOW))


def test_the_service_gives_the_domains_profile(service, database):
    conn = open_database(database)
    expected = audience_profile(conn, OWNER, FollowerFilter(min_followers=30), NOW)
    conn.close()
    assert service.profile(OWNER, FollowerFilter(min_followers=30)) == expected
    assert expected.population == 7


def test_followers_written_later_are_counted_after_forget(service, database):
    assert service.profile(OWNER, FollowerFilter()).population == 9
    conn = open_database(database)
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(user_id=99, username="late")], seen_at=NOW)
    conn.close()
    assert service.profile(OWNER, FollowerFilter()).population == 9  # the kept snapshot: the view forgets it
    service.forget()
    assert service.profile(OWNER, FollowerFilter()).population == 10


def test_a_table_is_written_as_csv(service, tmp_path):
    profile = service.profile(OWNER, FollowerFilter(), top=2)
    assert profile.bio_words == (WordCount("lover", 5), WordCount("tea", 5))
    target = AudienceService.export_table(profile, AudienceTable.BIO_WORDS, tmp_path / "words.csv",
                                          tmp_path / "data")
    with target.open(encoding="utf-8", newline="") as file:
        assert list(csv.reader(file)) == [["Word", "Uses"], ["lover", "5"], ["tea", "5"]]


def test_no_table_is_written_into_the_data_folder(service, tmp_path):
    profile = service.profile(OWNER, FollowerFilter())
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with pytest.raises(OutputPathRefused):
        AudienceService.export_table(profile, AudienceTable.LOCATIONS, data_dir / "locations.csv", data_dir)
    assert not (data_dir / "locations.csv").exists()
