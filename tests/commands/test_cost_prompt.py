"""A refused paid job says truly what was read before the question: the price look-up (and its price), or
nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from twexport_qt import cli
from twexport_qt.billing.estimates import estimate_followers_fetch
from twexport_qt.billing.prices import DEFAULT_PRICES
from twexport_qt.commands.cost_prompt import CostNotConfirmed, confirm_cost
from twexport_qt.core.errors import EXIT_BAD_INPUT

BIG = estimate_followers_fetch(48_210, DEFAULT_PRICES, owned_possible=True)


@pytest.mark.parametrize(("lookup_cost", "sentence"), [
    (Decimal("0.03"), "Only the look-up that priced it was read ($0.03 at most); nothing else was requested."),
    (Decimal(0), "Nothing was requested."),
    (None, "Nothing was requested beyond what it took to price the job."),
])
def test_a_refusal_names_what_pricing_read(lookup_cost, sentence):
    with pytest.raises(CostNotConfirmed) as script:
        confirm_cost(BIG, yes=False, simulated=False, interactive=False, lookup_cost=lookup_cost)
    assert script.value.user_message.endswith(f"(and --max-cost USD to cap it). {sentence}")
    with pytest.raises(CostNotConfirmed) as answered_no:
        confirm_cost(BIG, yes=False, simulated=False, interactive=True, ask=lambda question: "n",
                     lookup_cost=lookup_cost)
    assert answered_no.value.user_message == f"Not confirmed. {sentence}"


def test_a_refused_download_says_the_accounts_look_up_was_read(tmp_path, x_profile, sandbox_server, monkeypatch,
                                                               capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a script: no terminal to ask at
    charges = sandbox_server.billing.charges()
    assert cli.main([*x_profile, "tweets", "download", "carol_codes", "--output",
                     str(tmp_path / "carol.csv")]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "Only the look-up that priced it was read ($0.01 at most); nothing else was requested." in err
    assert "Nothing was requested." not in err and "resume" not in err
    read = sandbox_server.billing.charges()[len(charges):]
    assert [charge.endpoint for charge in read] == ["users_lookup"] and sum(c.amount for c in read) <= Decimal("0.01")
