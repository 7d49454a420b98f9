"""`main.py sandbox serve` as a separate process, for tests that run several real app processes against one
sandbox (the in-process `testing.running_sandbox` cannot be shared across processes).

    with external_sandbox("--fault", "sent-then-drop=0.1", "--state", str(state)) as sandbox:
        subprocess.run([..., "main.py", "dm", ...], env={..."sandbox URL": sandbox.base_url})
        code, stderr = sandbox.stop()
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # where main.py is (run from source, as tests do)
LISTENING = re.compile(r"^X API sandbox listening on (http://127\.0\.0\.1:(\d+)) ")


@dataclass
class ExternalSandbox:
    process: subprocess.Popen[str]
    base_url: str

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def stop(self, how: int = signal.SIGTERM, timeout: float = 10.0) -> tuple[int, str]:
        """End the process (SIGTERM by default; SIGINT is Ctrl+C) and return (exit code, stderr).
        On Windows `send_signal(SIGTERM)` is TerminateProcess, whose exit code is not the sandbox's."""
        if self.process.poll() is None:
            self.process.send_signal(how)
        _, stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode, stderr


@contextmanager
def external_sandbox(*flags: str, port: int = 0, followers: int = 50, env: Mapping[str, str] | None = None,
                     startup_timeout: float = 20.0) -> Iterator[ExternalSandbox]:
    """Start `sandbox serve --port PORT --followers N FLAGS...`, wait for its first line, yield it; killed on
    exit if still running. AssertionError (with its stderr) if it does not start."""
    command = [sys.executable, str(REPO_ROOT / "main.py"), "sandbox", "serve", "--port", str(port),
               "--followers", str(followers), *flags]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ if env is None else env))
    try:
        first = _first_line(process, startup_timeout)
        found = LISTENING.match(first)
        if not found:
            process.kill()
            _, stderr = process.communicate(timeout=10)
            raise AssertionError(f"the sandbox did not start: first line {first!r}, stderr {stderr!r}")
        yield ExternalSandbox(process, found.group(1))
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    # A thread, because a pipe read has no timeout on Windows (select() works on sockets only there).
    stdout = process.stdout
    assert stdout is not None  # started with stdout=PIPE
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""
