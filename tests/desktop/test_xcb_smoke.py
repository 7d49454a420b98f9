"""The app on a real X server, as a Linux desktop user runs it: Qt's xcb platform (the rest of the suite runs Qt
offscreen, which needs none of the xcb libraries and no window system).

The session (xcb_smoke_session.py, in its own process with its own display, home and data folder) starts the app
the way `python main.py --data-dir DIR` does, fetches the Sandbox's followers, moves the X pointer over two points
of the plot and reads the tooltips, takes a screenshot and closes the window.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.desktop.desktop_support import QT_MESSAGE_PREFIX, RESULT_PREFIX, require_xcb_libraries, run_module

SESSION_TIMEOUT_S = 240


def test_first_fetch_and_hover_tooltips_under_a_real_x_server(x_display: str, desktop_env: dict[str, str],
                                                               tmp_path: Path) -> None:
    require_xcb_libraries()
    data_dir, screenshot = tmp_path / "data", tmp_path / "screen.png"
    # Secrets: keyring's null backend, so the app keeps them in memory (the Secret Service has its own test).
    env = {**desktop_env, "QT_QPA_PLATFORM": "xcb", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}

    session = run_module("tests.desktop.xcb_smoke_session", str(data_dir), str(screenshot), env=env,
                         timeout=SESSION_TIMEOUT_S)

    told = f"exit code {session.returncode}\nstdout:\n{session.stdout}\nstderr:\n{session.stderr}"
    report = _report_of(session.stdout, told)
    assert not report["driver_error"], report["driver_error"] + told
    assert session.returncode == 0, told
    qt_messages = [line for line in session.stderr.splitlines() if line.startswith(QT_MESSAGE_PREFIX)]
    assert qt_messages == [], told
    assert report["platform"] == "xcb"
    assert "Sandbox" in report["window_title"]
    assert report["started_on_welcome_page"]  # a fresh data folder: the first run's welcome, then "Try the Sandbox"
    assert report["followers_plotted"] > 0
    hovers = report["hovers"]
    assert len({hover["follower_id"] for hover in hovers}) == 2
    for hover in hovers:  # the tooltip names the follower under the pointer, as the database knows them
        assert hover["tooltip"].startswith(f"@{hover['username']} "), hover
    # The screen as the X server shows it: a drawn window (widgets, text, plot points), not a blank or black one.
    assert screenshot.stat().st_size > 10_000
    assert report["screenshot_colours"] > 50, report
    assert report["plot_colours"] > 5, report


def _report_of(stdout: str, told: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    assert len(lines) == 1, f"no report from the session: {told}"
    report: dict[str, Any] = json.loads(lines[0].removeprefix(RESULT_PREFIX))
    return report
