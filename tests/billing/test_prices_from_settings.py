"""The ledger bills at the prices in Settings → Prices: the app's context reads them for every job, so a price
the user changed (X changed it) is what the next job's answers are recorded at, while X's sandbox still bills
its own."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from tests.billing.conftest import DAY
from twexport_qt.app_context import AppContext
from twexport_qt.billing.prices import ResourceKind
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.settings.model import AppSettings, PriceOverride, PriceSettings


def fetch(context: AppContext) -> None:
    with context.api_session(job="fetch-followers") as session:
        fetch_followers(session.conn, session.gateway, session.pacer, context.clock)


def spent_today(context: AppContext) -> Decimal:
    return context.spend.spent_today(context.profile.name)


def test_a_changed_price_is_what_the_ledger_bills_at(context):
    # X raised the Owned Read of followers to $0.002; the user entered it in Settings and saved (a new draft).
    changed = copy.deepcopy(context.settings)
    changed.prices = PriceSettings(dt.date(2026, 9, 1), {ResourceKind.FOLLOWS: PriceOverride(owned=Decimal("0.002"))})
    context.settings = changed
    fetch(context)
    # 50 followers at the changed $0.002 and /2/users/me once at X's $0.010 for a user
    assert spent_today(context) == Decimal("0.11")
    assert context.sandbox is not None and context.sandbox.billing.total() == Decimal("0.06")  # X's own bill

    context.settings = AppSettings(profiles=changed.profiles)  # Reset to X's prices, saved
    context.clock.advance(DAY)  # a new UTC day: X bills every follower again
    fetch(context)
    today = dt.datetime.fromtimestamp(context.clock.now(), dt.UTC).date()
    assert spent_today(context) == context.sandbox.billing.total(day=today) == Decimal("0.06")
