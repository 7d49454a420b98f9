"""A sandbox on a FakeClock shared with the download engine (`clock`, `server`)."""

from __future__ import annotations

import pytest

from twexport_qt.core.clock import FakeClock
from twexport_qt.sandbox.testing import running_sandbox

# The shared helpers assert too: keep pytest's detailed assertion messages for them, as in a test module.
pytest.register_assert_rewrite("tests.tweets.download_support")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock):
    with running_sandbox(clock=clock) as running:
        yield running
