"""`--self-check` from source, and the PyInstaller binary built and self-checked (CI runs the build)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("Main window opened offscreen", "Fetched 2,500 followers", "Filter", "Exported", "Sentiment lexicon loaded")


def assert_self_check_passed(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    for step in STEPS:
        assert step in result.stdout
    assert result.stdout.rstrip().endswith("SELF-CHECK PASSED")


def env_for(home: Path) -> dict[str, str]:
    return {**os.environ, "TWEXPORT_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}


def test_self_check_from_source_leaves_the_users_data_alone(tmp_path):
    home = tmp_path / "home"
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-check"], capture_output=True, text=True,
                            env=env_for(home), timeout=300, cwd=ROOT)
    assert_self_check_passed(result)
    assert not home.exists()  # it worked in a throw-away folder


@pytest.mark.packaging
@pytest.mark.skipif(os.environ.get("TWEXPORT_RUN_PACKAGING_TESTS") != "1",
                    reason="builds the PyInstaller binary (~1 min); set TWEXPORT_RUN_PACKAGING_TESTS=1 (CI does)")
def test_pyinstaller_binary_passes_its_self_check(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", str(tmp_path / "dist"),
         "--workpath", str(tmp_path / "build"), str(ROOT / "packaging" / "twexport.spec")],
        capture_output=True, text=True, timeout=1200, cwd=ROOT)
    assert build.returncode == 0, build.stderr[-4000:]
    binary = tmp_path / "dist" / "TwExport" / "TwExport"
    assert (tmp_path / "dist" / "TwExport" / "_internal" / "resources" / "twexport.png").is_file()
    result = subprocess.run([str(binary), "--self-check"], capture_output=True, text=True,
                            env=env_for(tmp_path / "home"), timeout=300, cwd=tmp_path)
    assert_self_check_passed(result)
