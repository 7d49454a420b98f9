from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

from twexport_qt.core.errors import Cancelled
from twexport_qt.exports import atomic_file
from twexport_qt.exports.atomic_file import STALE_PART_AGE_SECONDS, atomic_write, remove_stale_parts
from twexport_qt.exports.safe_csv import write_csv


def _part_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(".*.part"))


def test_writes_content_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "followers.csv"

    with atomic_write(target) as file:
        file.write("a,b\r\n")

    assert target.read_bytes() == b"a,b\r\n"  # newline="" by default: no translation
    assert _part_files(tmp_path) == []


def test_target_does_not_exist_until_the_block_completes(tmp_path):
    target = tmp_path / "out.csv"

    with atomic_write(target) as file:
        file.write("partial")
        assert not target.exists()
        [part] = _part_files(tmp_path)
        assert part.name.startswith(".out.csv.") and part.name.endswith(".part")

    assert target.read_text() == "partial"


def test_replaces_an_existing_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")

    with atomic_write(target) as file:
        file.write("new")

    assert target.read_text() == "new"


@pytest.mark.parametrize("error", [RuntimeError("boom"), Cancelled(), KeyboardInterrupt()])
def test_exception_removes_temp_file_and_keeps_existing_target(tmp_path, error):
    target = tmp_path / "out.csv"
    target.write_text("previous export")

    with pytest.raises(type(error)), atomic_write(target) as file:
        file.write("half of the new export")
        raise error

    assert target.read_text() == "previous export"
    assert _part_files(tmp_path) == []


def test_exception_without_existing_target_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic_write(tmp_path / "out.csv") as file:
        file.write("x")
        raise RuntimeError

    assert list(tmp_path.iterdir()) == []


def test_binary_mode(tmp_path):
    target = tmp_path / "out.bin"

    with atomic_write(target, "wb") as file:
        file.write(b"\x00\xff")

    assert target.read_bytes() == b"\x00\xff"


@pytest.mark.parametrize("mode", ["a", "r", "w+", "x"])
def test_rejects_modes_that_are_not_plain_writes(tmp_path, mode):
    with pytest.raises(ValueError), atomic_write(tmp_path / "out", mode):
        pass
    assert list(tmp_path.iterdir()) == []


def test_very_long_file_name(tmp_path):
    target = tmp_path / ("é" * 120 + ".csv")  # 244 bytes: the temp name must not exceed 255

    with atomic_write(target) as file:
        file.write("ok")

    assert target.read_text() == "ok"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_finished_file_gets_the_mode_of_a_normal_new_file(tmp_path, umask):
    target = tmp_path / "out.csv"
    previous = os.umask(umask)
    try:
        with atomic_write(target) as file:
            file.write("x")
            [part] = _part_files(tmp_path)
            assert stat.S_IMODE(part.stat().st_mode) == 0o600  # private while incomplete
    finally:
        os.umask(previous)

    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def _make_file(path: Path, age_seconds: float, now: float) -> Path:
    path.write_text("x")
    os.utime(path, (now - age_seconds, now - age_seconds))
    return path


def test_remove_stale_parts_removes_only_old_part_files(tmp_path):
    now = time.time()
    old_part = _make_file(tmp_path / ".followers.csv.abc12_yz.part", 2 * 86_400, now)
    fresh_part = _make_file(tmp_path / ".followers.csv.def45678.part", 60, now)
    old_export = _make_file(tmp_path / "followers.csv", 10 * 86_400, now)
    visible_part = _make_file(tmp_path / "download.part", 10 * 86_400, now)  # not ours: no leading dot

    removed = remove_stale_parts(tmp_path, now=now)

    assert removed == [old_part]
    assert not old_part.exists()
    assert fresh_part.exists() and old_export.exists() and visible_part.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_remove_stale_parts_ignores_symlinks_and_directories(tmp_path):
    now = time.time()
    elsewhere = _make_file(tmp_path / "precious.txt", 10 * 86_400, now)
    link = tmp_path / ".link.abcdefgh.part"
    link.symlink_to(elsewhere)
    os.utime(link, (now - 10 * 86_400,) * 2, follow_symlinks=False)
    (tmp_path / ".dir.abcdefgh.part").mkdir()

    assert remove_stale_parts(tmp_path, now=now) == []
    assert link.is_symlink() and elsewhere.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_mode_is_right_without_proc_filesystem(tmp_path, monkeypatch):
    import twexport_qt.exports.atomic_file as atomic_file

    def no_proc(*args, **kwargs):
        raise FileNotFoundError("/proc/self/status")

    monkeypatch.setattr(atomic_file, "open", no_proc, raising=False)
    previous = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "out.csv") as file:
            file.write("x")
        assert os.umask(0o027) == 0o027  # the umask was restored after being read
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o640


# ---- stale part files are swept by the next export -------------------------------------------------------


def test_stale_part_age_is_minutes_not_a_day():
    assert 10 * 60 <= STALE_PART_AGE_SECONDS <= 60 * 60


def test_a_killed_exports_part_file_is_removed_by_the_next_export_into_that_folder(tmp_path):
    now = time.time()
    leftover = _make_file(tmp_path / ".followers.csv.q8w7e6r5.part", STALE_PART_AGE_SECONDS + 60, now)
    other_target = _make_file(tmp_path / ".skipped.csv.a1b2c3d4.part", 3 * 3600, now)  # any export's leftover

    write_csv(tmp_path / "dm_status.csv", ["a"], [("x",)])

    assert not leftover.exists() and not other_target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dm_status.csv"]


def test_a_part_file_of_a_writer_still_in_progress_is_kept(tmp_path):
    now = time.time()
    in_progress = _make_file(tmp_path / ".followers.csv.z9y8x7w6.part", STALE_PART_AGE_SECONDS - 120, now)

    with atomic_write(tmp_path / "followers.csv") as file:
        file.write("new")

    assert in_progress.exists()
    assert (tmp_path / "followers.csv").read_text() == "new"


def test_two_writers_in_one_folder_do_not_remove_each_others_part_files(tmp_path):
    with atomic_write(tmp_path / "a.csv") as first:
        first.write("a")
        with atomic_write(tmp_path / "b.csv") as second:
            second.write("b")
        [first_part] = _part_files(tmp_path)
        assert first_part.name.startswith(".a.csv.")

    assert (tmp_path / "a.csv").read_text() == "a" and (tmp_path / "b.csv").read_text() == "b"


def test_only_names_of_our_exact_shape_are_swept(tmp_path):
    now = time.time()
    old = 10 * 86_400
    others = [
        _make_file(tmp_path / name, old, now)
        for name in (".config.part", ".followers.csv.abc.part", ".x.ABCDEFGH.part", ".abcdefgh.part",
                     "visible.abcdefgh.part", ".followers.csv.abcdefgh.partial")
    ]

    assert remove_stale_parts(tmp_path, now=now) == []
    assert all(path.exists() for path in others)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_the_sweep_before_an_export_never_follows_symlinks(tmp_path):
    now = time.time()
    precious_dir = tmp_path / "elsewhere"
    precious_dir.mkdir()
    precious_file = _make_file(precious_dir / "precious.txt", 10 * 86_400, now)
    precious_part = _make_file(precious_dir / ".old.abcdefgh.part", 10 * 86_400, now)  # only reachable via link
    export_dir = tmp_path / "exports"
    export_dir.mkdir()
    file_link = export_dir / ".followers.csv.abcdefgh.part"
    file_link.symlink_to(precious_file)
    dir_link = export_dir / ".folder.csv.abcdefgh.part"
    dir_link.symlink_to(precious_dir, target_is_directory=True)
    for link in (file_link, dir_link):
        os.utime(link, (now - 10 * 86_400,) * 2, follow_symlinks=False)

    with atomic_write(export_dir / "followers.csv") as file:
        file.write("x")

    assert file_link.is_symlink() and dir_link.is_symlink()
    assert precious_file.read_text() == "x" and precious_part.exists()
    assert (export_dir / "followers.csv").read_text() == "x"


def test_the_export_goes_ahead_when_the_folder_cannot_be_swept(tmp_path, monkeypatch, caplog):
    def unlistable(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(atomic_file.os, "scandir", unlistable)

    with atomic_write(tmp_path / "out.csv") as file:
        file.write("ok")

    assert (tmp_path / "out.csv").read_text() == "ok"
    assert "stale part files" in caplog.text


def test_a_part_file_that_cannot_be_removed_is_skipped(tmp_path, monkeypatch):
    now = time.time()
    first = _make_file(tmp_path / ".a.csv.aaaaaaaa.part", 10 * 86_400, now)
    second = _make_file(tmp_path / ".b.csv.bbbbbbbb.part", 10 * 86_400, now)
    real_unlink = os.unlink

    def refuse_first(path, *args, **kwargs):
        if Path(path) == first:
            raise PermissionError(13, "Permission denied", str(path))
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(atomic_file.os, "unlink", refuse_first)

    assert remove_stale_parts(tmp_path, now=now) == [second]
    assert first.exists() and not second.exists()
