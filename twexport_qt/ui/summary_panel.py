"""Summary statistics of the account's followers: totals, tiers, verified share, DM status, last fetch.

It sits beside the plots and must leave them room on a small screen: the long DM counts take two lines, and a
row whose value does not fit beside its name puts it under the name, instead of the panel widening."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.followers.stats import FollowerSummary


class SummaryPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Summary", parent)
        self._form = QFormLayout()
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._labels: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addStretch(1)

    def text_of(self, key: str) -> str:
        return self._labels[key].text() if key in self._labels else ""

    def show_summary(self, summary: FollowerSummary | None, matching: int | None = None) -> None:
        rows: list[tuple[str, str]] = []
        if summary is None:
            rows.append(("Followers", "not fetched yet: use Tools → Fetch followers"))
        else:
            rows += [
                ("Followers", f"{summary.active:,}"),
                ("Matching filter", f"{matching:,}" if matching is not None else "—"),
                ("New since last fetch", f"{summary.new_since_last_fetch:,}"),
                ("Left (unfollowed)", f"{summary.unfollowed:,}"),
                ("Verified", f"{summary.verified:,} ({summary.verified_share:.1%})"),
                ("Protected", f"{summary.protected:,}"),
            ]
            rows += [(f"Tier: {name}", f"{count:,}") for name, count in summary.tier_counts.items()]
            for step, counts in summary.dm.items():
                rows.append((f"{step.capitalize()} DM", f"{counts.sent:,} sent · {counts.skipped:,} skipped\n"
                                                         f"{counts.failed:,} failed · {counts.pending:,} pending"))
            rows.append(("Last fetch", format_local_datetime(summary.last_fetch_at) or "never completed"))
        self._render(rows)

    def _render(self, rows: list[tuple[str, str]]) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self._labels = {}
        for key, value in rows:
            label = QLabel(value)
            self._labels[key] = label
            self._form.addRow(key, label)
