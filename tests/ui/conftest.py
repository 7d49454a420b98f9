"""The app context and job controller the tweet wizard and the Tweet datasets tab run on.

Test modules that need a differently configured app define their own `context` fixture, which overrides this one.
"""

from __future__ import annotations

import pytest

from twexport_qt.app_context import AppContext
from twexport_qt.sandbox.config import SandboxConfig
from twexport_qt.secrets.backends import SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings
from twexport_qt.ui.job_controller import JobController
from twexport_qt.ui.job_panel import JobPanel
from twexport_qt.workers.tasks import InlineTaskRunner

# The shared helpers assert too: keep pytest's detailed assertion messages for them, as in a test module.
pytest.register_assert_rewrite("tests.ui.wizard_support")


@pytest.fixture
def context(data_dir, fake_clock):
    ctx = AppContext(data_dir, settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()), clock=fake_clock,
                     sandbox_config=SandboxConfig(followers=50, seed=11), configure_log=False)
    yield ctx
    ctx.close()  # stops the in-process sandbox (after `jobs` below has stopped its threads)


@pytest.fixture
def jobs(qtbot, context):
    panel = JobPanel(wall_clock=context.clock.now)
    qtbot.addWidget(panel)
    controller = JobController(panel, tasks=InlineTaskRunner())
    yield controller
    controller.shutdown()
    assert not controller.runner.running(), "a download thread outlived the test"
