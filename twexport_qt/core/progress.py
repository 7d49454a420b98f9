"""Progress reports from long domain jobs to whoever shows them (a Qt worker, or the CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Progress:
    done: int
    total: int | None = None          # None: unknown, show a busy indicator
    message: str = ""
    eta_seconds: float | None = None

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]
