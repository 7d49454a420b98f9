"""Progress reports from long domain jobs to whoever shows them (a Qt worker, or the CLI)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from twexport_qt.core.timefmt import format_duration


@dataclass(frozen=True)
class Progress:
    done: int
    total: int | None = None          # None: unknown, show a busy indicator
    message: str = ""
    eta_seconds: float | None = None

    def describe(self) -> str:
        """The message, with the time left when known: what the progress views show."""
        if self.eta_seconds is None:
            return self.message
        return f"{self.message} · about {format_duration(self.eta_seconds)} left"

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]
