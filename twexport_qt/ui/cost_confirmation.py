"""The price of a paid job, said before it starts, and the question asked when it passes the threshold.

The same rule as the CLI (`commands/cost_prompt.py`): every estimate is shown; a job whose estimate passes
`CONFIRM_ABOVE_USD` asks first, "No" unless the user says yes; the Sandbox bills nothing real, so it never asks.
Scheduled runs never come here: the budgets govern them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from twexport_qt.billing.estimates import CONFIRM_ABOVE_USD, CostEstimate
from twexport_qt.billing.prices import format_usd
from twexport_qt.core import messages
from twexport_qt.ui.questions import ask_before

TITLE = "Start a paid job?"
SIMULATED = " (simulated: the Sandbox bills nothing)"


def estimate_text(estimate: CostEstimate, *, simulated: bool) -> str:
    """'Estimated cost: ≈ 2,500 followers: $2.50 as owned reads (…)', marked when the Sandbox is simulated."""
    sentence = estimate.sentence
    if simulated:
        ends_sentence = sentence.endswith(".")
        sentence = sentence.removesuffix(".") + SIMULATED + ("." if ends_sentence else "")
    return f"Estimated cost: {sentence}"


def needs_asking(estimate: CostEstimate, *, simulated: bool) -> bool:
    return estimate.needs_confirmation and not simulated


def confirm_cost(parent: QWidget | None, estimate: CostEstimate, *, what: str, simulated: bool,
                 choice: str = "") -> bool:
    """True if the job may start: the estimate is told (status bar) and, above the threshold outside the Sandbox,
    the user clicks the button named `what`; Enter and Esc answer No. `choice` names the prices of the
    alternatives the user chose between (both refreshes), said with it."""
    told = estimate_text(estimate, simulated=simulated) + (f" {choice}" if choice else "")
    if not needs_asking(estimate, simulated=simulated):
        messages.info(told)
        return True
    text = (f"{told}\n\nThis could cost up to {format_usd(estimate.high)}, more than "
            f"{format_usd(CONFIRM_ABOVE_USD)}. X bills it to the account's developer plan; the profile's budgets "
            f"pause the job before it passes them.\n\n{what}?")
    if ask_before(parent, QMessageBox.Icon.Question, TITLE, text, what):
        return True
    messages.info(f"Not started: {what.lower()} was not confirmed.")
    return False
