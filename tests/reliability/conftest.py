"""The reliability suite's shared state: its figures, printed at the end of the run.

Every case records what the issue asks to report (trials, DMs sent twice, followers or tweets lost, pages
requested beyond the one in flight at a kill, bad inputs ending in a traceback); `pytest_terminal_summary`
prints the table, so the figures of each CI run are in its log. Under pytest-xdist (CI runs this folder with
`-n 4`: its cases mostly wait on paced sandboxes) each worker sends its figures to the controller.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

pytest.register_assert_rewrite("tests.reliability.harness")

FIGURES: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
_WORKER_KEY = "reliability_figures"


def _add(case: str, counts: dict[str, int]) -> None:
    for name, value in counts.items():
        FIGURES[case][name] += value


@pytest.fixture
def figures():
    """`figures(case, trials=1, double_dms=0, ...)` adds to the run's table."""
    return lambda case, **counts: _add(case, counts)


def pytest_sessionfinish(session):
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: hand the figures to the controller
        worker_output[_WORKER_KEY] = json.dumps(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for case, counts in json.loads(getattr(node, "workeroutput", {}).get(_WORKER_KEY, "{}")).items():
        _add(case, counts)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    width = max(len(case) for case in FIGURES) + 2
    for case in sorted(FIGURES):
        counts = FIGURES[case]
        first = [name for name in ("trials", "kills", "runs") if name in counts]
        ordered = first + sorted(name for name in counts if name not in first)
        terminalreporter.write_line(case.ljust(width) + "  ".join(f"{name}={counts[name]:,}" for name in ordered))
