"""Shared fixtures: offscreen Qt, a temp data dir, and nothing that reaches the internet."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from twexport_qt.core.clock import FakeClock

# `memory_keyring` / `no_keyring` fixtures; the autouse fixture below keeps every test off the real keyring.
# `messages`: what the user was told during a test (core.messages).
pytest_plugins = ["keyring_fixtures", "message_fixtures"]


@pytest.fixture(autouse=True)
def _isolated_keyring(request):
    """No test may read or write the developer's (or CI's) real OS keyring."""
    if "no_keyring" in request.fixturenames or "memory_keyring" in request.fixturenames:
        yield
        return
    request.getfixturevalue("memory_keyring")
    yield


@pytest.fixture(autouse=True)
def _free_qt_objects_in_the_main_thread(request):
    """Python's cyclic GC runs in whichever thread allocates: if it frees a test's widget in a job thread,
    Shiboken hands the C++ deletion to the GUI thread, which then deletes while holding the GIL and blocks on a
    Qt lock that the job thread holds while it waits for the GIL (a deadlock seen once in a full run). Freeing
    every test's garbage here, in the main thread, after its threads are done, leaves none for them to find.
    Only Qt tests make such garbage; collecting after every test would triple the suite's run time."""
    yield
    if "qtbot" not in request.fixturenames:
        return
    gc.collect()
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A private data dir; TWEXPORT_HOME points there so nothing touches the real user's files."""
    home = tmp_path / "twexport-home"
    home.mkdir()
    monkeypatch.setenv("TWEXPORT_HOME", str(home))
    return home


@pytest.fixture
def sandbox_server(fake_clock):
    """A sandbox on the test's FakeClock with 2,500 followers (three 1000-follower pages)."""
    from twexport_qt.sandbox.testing import running_sandbox

    with running_sandbox(followers=2500, seed=11, clock=fake_clock) as server:
        yield server


@pytest.fixture
def sandbox_gateway(sandbox_server):
    """The app's own XGateway, routed to the sandbox exactly as the Sandbox profile does."""
    from twexport_qt.app_context import sandbox_credentials
    from twexport_qt.gateway.x_gateway import XGateway

    return XGateway(sandbox_credentials(), base_url=sandbox_server.base_url)


@pytest.fixture
def context(data_dir, fake_clock):
    """The app on its Sandbox profile (50 simulated followers) in the test's data dir, on its FakeClock. Modules
    that need another app define their own `context`, which overrides this one."""
    from twexport_qt.app_context import AppContext
    from twexport_qt.sandbox.config import SandboxConfig
    from twexport_qt.secrets.backends import SessionOnlyBackend
    from twexport_qt.secrets.store import SecretStore
    from twexport_qt.settings.model import AppSettings

    ctx = AppContext(data_dir, settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()), clock=fake_clock,
                     sandbox_config=SandboxConfig(followers=50, seed=11), configure_log=False)
    yield ctx
    ctx.close()  # stops the in-process sandbox (after a `jobs` fixture has stopped its threads)
