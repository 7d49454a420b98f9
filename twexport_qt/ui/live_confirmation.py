"""The question every path asks before live DMs can go out: how many people (and, before a send, what it costs),
and "No" unless the user says yes."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from twexport_qt.billing.estimates import CostEstimate
from twexport_qt.campaigns.live_gate import LiveAudience
from twexport_qt.ui.cost_confirmation import estimate_text
from twexport_qt.ui.questions import ask_before

TITLE = "Send live DMs?"


def confirm_live_sending(parent: QWidget | None, audience: LiveAudience, *, what: str = "Turn live sending on",
                         cost: CostEstimate | None = None, simulated: bool = False) -> bool:
    """True only if the user clicks the button named `what`; Enter and Esc answer No. `cost`: what the send
    about to start costs (one question answers both, whatever the price)."""
    price = f"\n\n{estimate_text(cost, simulated=simulated)}" if cost is not None else ""
    text = (f"Live sending messages your real followers, not test accounts.\n\nRight now that is "
            f"{audience.describe()}{price}\n\n{what}?")
    return ask_before(parent, QMessageBox.Icon.Warning, TITLE, text, what)
