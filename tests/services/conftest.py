"""Services are built on `ThreadConnections` exactly as the AppContext builds them: `connections_to(path)`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from twexport_qt.services.connections import ThreadConnections
from twexport_qt.store.database import open_database


@pytest.fixture
def connections_to() -> Iterator[Callable[[Path], ThreadConnections]]:
    """A factory of per-thread connections to a database file; every one is closed after the test."""
    made: list[ThreadConnections] = []

    def make(path: Path) -> ThreadConnections:
        connections = ThreadConnections(lambda: open_database(path, check_same_thread=False))
        made.append(connections)
        return connections

    yield make
    for connections in made:
        connections.close()
