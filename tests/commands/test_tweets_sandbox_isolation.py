"""The Sandbox's simulated tweets stay in the Sandbox: a real profile in the same data folder neither builds a
dataset from them (`tweets download --from-store`) nor exports a Sandbox download (`export tweets`), while the
Sandbox still finds its own. The audit's reproduction, run as a user would."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from twexport_qt import cli, paths
from twexport_qt.core.errors import EXIT_OK
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.settings.storage import save_settings


@pytest.fixture
def two_profiles(data_dir: Path) -> Path:
    """A data folder with the Sandbox and a real X profile "Imported" (no credentials: nothing here calls X)."""
    settings = AppSettings()
    settings.profiles["Imported"] = Profile(name="Imported")
    save_settings(settings, data_dir / paths.SETTINGS_FILE_NAME)
    return data_dir


def run(data_dir: Path, profile: str, *argv: str) -> int:
    return cli.main(["--data-dir", str(data_dir), "--profile", profile, *argv])


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_a_real_profile_sees_none_of_the_sandboxs_tweets_or_downloads(two_profiles: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    assert run(two_profiles, "Sandbox", "tweets", "download", "alice_writes", "--limit", "20",
               "--output", str(out_dir / "a.csv")) == EXIT_OK
    assert len(rows(out_dir / "a.csv")) == 21  # the header and 20 simulated tweets
    capsys.readouterr()

    # A rebuild on the real profile finds nothing stored: the Sandbox's tweets are not real X's.
    assert run(two_profiles, "Imported", "tweets", "download", "alice_writes", "--from-store",
               "--output", str(out_dir / "real.csv")) == EXIT_OK
    out = capsys.readouterr().out
    assert "Building from 0 stored tweets" in out
    assert "@alice_writes: skipped, no tweets of this account are stored yet" in out
    assert not (out_dir / "real.csv").exists() or len(rows(out_dir / "real.csv")) <= 1

    # Its newest download is its own (empty) rebuild, never the Sandbox's dataset.
    assert run(two_profiles, "Imported", "export", "tweets", "--out", str(out_dir / "exported.csv")) == EXIT_OK
    assert "0 examples" in capsys.readouterr().out
    assert len(rows(out_dir / "exported.csv")) <= 1

    # The Sandbox still sees its own tweets and its own newest download.
    assert run(two_profiles, "Sandbox", "tweets", "download", "alice_writes", "--limit", "20", "--from-store",
               "--output", str(out_dir / "again.csv")) == EXIT_OK
    out = capsys.readouterr().out
    assert "free — built from tweets already downloaded" in out and "@alice_writes: 20 written" in out
    assert rows(out_dir / "again.csv") == rows(out_dir / "a.csv")
    assert run(two_profiles, "Sandbox", "export", "tweets", "--out", str(out_dir / "sandbox.csv")) == EXIT_OK
    assert "20 examples" in capsys.readouterr().out


def test_a_real_profile_without_downloads_has_nothing_to_export(two_profiles: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert run(two_profiles, "Sandbox", "tweets", "download", "alice_writes", "--limit", "20",
               "--output", str(tmp_path / "a.csv")) == EXIT_OK
    capsys.readouterr()
    assert run(two_profiles, "Imported", "export", "tweets", "--out", str(tmp_path / "exported.csv")) != EXIT_OK
    assert "There is no tweet download to export yet" in capsys.readouterr().err
    assert not (tmp_path / "exported.csv").exists()


def test_a_dataset_built_from_the_store_in_the_sandbox_draws_on_the_sandboxs_tweets(
        two_profiles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A built format (chat JSONL) is written by a build that reads the store after the download: in the world
    # the download stored its tweets in.
    assert run(two_profiles, "Sandbox", "tweets", "download", "alice_writes", "--limit", "20", "--output-format",
               "chat-jsonl", "--output", str(tmp_path / "chat.jsonl")) == EXIT_OK
    assert "Nothing stored for" not in capsys.readouterr().out
    assert len((tmp_path / "chat.jsonl").read_text(encoding="utf-8").splitlines()) > 0
