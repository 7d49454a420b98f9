"""`main.py followers profile`: the four tables of the stored current followers printed, `--top` limiting the word
and location tables, `--csv DIR` writing one file per table (none when the folder is refused), and a sentence
when nothing can be counted."""

from __future__ import annotations

import csv

from twexport_qt import cli, paths
from twexport_qt.commands.audience_command import csv_name
from twexport_qt.followers.audience_profile import AudienceTable
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database


def store(data_dir) -> None:
    """Four current followers of the Sandbox account (the default profile of a new data folder) and one who left."""
    conn = open_database(data_dir / paths.DATABASE_FILE_NAME)
    with conn:
        followers_repo.upsert_followers(conn, SANDBOX_USER_ID, [
            FollowerRecord(user_id=1, username="a", description="Coffee and code", location="Lima", followers_count=0),
            FollowerRecord(user_id=2, username="b", description="coffee, tea @x", location="lima ", followers_count=5),
            FollowerRecord(user_id=3, username="c", description="tea https://t.co/z", location="Oslo",
                           followers_count=50),
            FollowerRecord(user_id=4, username="d", followers_count=5_000),
            FollowerRecord(user_id=5, username="e", description="left coffee", location="Quito"),
        ], seen_at=1_700_000_000)
        conn.execute("UPDATE followers SET unfollowed_at = 1 WHERE user_id = 5")
    conn.close()


def test_the_profile_prints_four_tables_of_the_current_followers(data_dir, capsys):
    store(data_dir)
    assert cli.main(["--data-dir", str(data_dir), "followers", "profile"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 followers: 3 with a bio, 3 with a location, 0 with a known join date.")
    for title in ("Account age", "Their follower counts", "Top bio words", "Top locations"):
        assert f"\n{title}\n" in out
    assert "  coffee     2" in out and "  tea        2" in out and "  code       1" in out
    assert "quito" not in out.lower() and "left" not in out  # who left is not counted
    assert "  Lima              2  66.7%" in out and "  Oslo              1  33.3%" in out
    assert "  1–9                      1  25.0%" in out and "  100–999                  0   0.0%" in out


def test_top_limits_the_word_and_location_tables(data_dir, capsys):
    store(data_dir)
    assert cli.main(["--data-dir", str(data_dir), "followers", "profile", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "  coffee     2" in out and "tea" not in out
    assert "Lima" in out and "Oslo" not in out


def test_csv_writes_one_file_per_table(data_dir, tmp_path, capsys):
    store(data_dir)
    folder = tmp_path / "profile"
    assert cli.main(["--data-dir", str(data_dir), "followers", "profile", "--csv", str(folder)]) == 0
    assert sorted(path.name for path in folder.iterdir()) == sorted(csv_name(table) for table in AudienceTable)
    with (folder / "audience-locations.csv").open(encoding="utf-8", newline="") as file:
        assert list(csv.reader(file)) == [["Location", "Followers", "Share"], ["Lima", "2", "66.7%"],
                                          ["Oslo", "1", "33.3%"]]
    assert f"Wrote 4 tables to {folder}" in capsys.readouterr().out


def test_csv_into_the_data_folder_is_refused_and_writes_nothing(data_dir, capsys):
    store(data_dir)
    assert cli.main(["--data-dir", str(data_dir), "followers", "profile", "--csv", str(data_dir)]) == 2
    assert "data folder" in capsys.readouterr().err
    assert not list(data_dir.glob("audience-*.csv"))


def test_a_bad_top_is_one_sentence(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "followers", "profile", "--top", "0"]) == 2
    assert capsys.readouterr().err == "error: --top must be from 1 to 1,000.\n"
