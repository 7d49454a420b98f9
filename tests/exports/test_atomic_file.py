from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

from twexport_qt.core.errors import Cancelled
from twexport_qt.exports.atomic_file import atomic_write, remove_stale_parts


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

    with pytest.raises(type(error)):
        with atomic_write(target) as file:
            file.write("half of the new export")
            raise error

    assert target.read_text() == "previous export"
    assert _part_files(tmp_path) == []


def test_exception_without_existing_target_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_write(tmp_path / "out.csv") as file:
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
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "out", mode):
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
    old_part = _make_file(tmp_path / ".followers.csv.abc123.part", 2 * 86_400, now)
    fresh_part = _make_file(tmp_path / ".followers.csv.def456.part", 60, now)
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
    link = tmp_path / ".link.part"
    link.symlink_to(elsewhere)
    os.utime(link, (now - 10 * 86_400,) * 2, follow_symlinks=False)
    (tmp_path / ".dir.part").mkdir()

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
