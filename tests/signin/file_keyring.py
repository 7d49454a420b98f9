"""A keyring in one JSON file, which several test processes share (the in-memory one lives in a single process).

Subprocesses load it through keyring's own `PYTHON_KEYRING_BACKEND=tests.signin.file_keyring.FileKeyring`, with the
file named by `TWEXPORT_TEST_KEYRING_FILE`. Each write replaces the file whole (os.replace), so a reader never sees
half of one; ordering of writes is what the app's token lock provides.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors
from keyring.compat.properties import classproperty

FILE_ENV = "TWEXPORT_TEST_KEYRING_FILE"
BACKEND_ENV_VALUE = "tests.signin.file_keyring.FileKeyring"


class FileKeyring(keyring.backend.KeyringBackend):
    @classproperty
    def priority(cls) -> float:
        # keyring instantiates every backend class it knows when it looks for one: without the file to use, this
        # one is not viable (and never chosen unless named).
        if FILE_ENV not in os.environ:
            raise RuntimeError(f"{FILE_ENV} is not set")
        return 1

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = Path(path) if path is not None else Path(os.environ.get(FILE_ENV, "keyring.json"))

    def _entries(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return {}

    def _write(self, entries: dict[str, str]) -> None:
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(entries), encoding="utf-8")
        os.replace(temporary, self.path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}\t{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries[f"{service}\t{username}"] = password
        self._write(entries)

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        if entries.pop(f"{service}\t{username}", None) is None:
            raise keyring.errors.PasswordDeleteError(username)
        self._write(entries)
