"""The job controller the views run on (its tasks run inline); the app context is tests/conftest.py's `context`.

Test modules that need a differently configured app define their own `context` fixture, which overrides it.
"""

from __future__ import annotations

import pytest

from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel
from twexport_qt.workers.tasks import InlineTaskRunner

# The shared helpers assert too: keep pytest's detailed assertion messages for them, as in a test module.
pytest.register_assert_rewrite("tests.ui.wizard_support")


@pytest.fixture
def jobs(qtbot, context):
    panel = JobPanel(wall_clock=context.clock.now)
    qtbot.addWidget(panel)
    controller = JobController(panel, tasks=InlineTaskRunner())
    yield controller
    controller.shutdown()
    assert not controller.runner.running(), "a download thread outlived the test"
