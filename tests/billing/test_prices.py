"""The price table: X's 2026-08 prices by default, Owned Reads where a kind has them, edits that stay exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from twexport_qt.billing.prices import (
    DEFAULT_PRICES,
    PriceTable,
    ResourceKind,
    format_usd,
    from_micros,
    to_micros,
)


def test_defaults_are_xs_pay_per_use_prices_of_august_2026():
    prices = DEFAULT_PRICES
    assert prices.as_of == dt.date(2026, 8, 1)
    standard = {kind: prices.unit_price(kind, owned=False) for kind in ResourceKind}
    assert standard == {ResourceKind.FOLLOWS: Decimal("0.010"), ResourceKind.POSTS: Decimal("0.005"),
                        ResourceKind.USERS: Decimal("0.010"), ResourceKind.DM_EVENTS: Decimal("0.010"),
                        ResourceKind.DM_CREATE: Decimal("0.015")}
    assert prices.unit_price(ResourceKind.FOLLOWS, owned=True) == Decimal("0.001")
    assert prices.unit_price(ResourceKind.POSTS, owned=True) == Decimal("0.001")


def test_a_write_is_billed_per_request_and_has_no_owned_rate():
    assert DEFAULT_PRICES.is_per_request(ResourceKind.DM_CREATE)
    assert not DEFAULT_PRICES.is_per_request(ResourceKind.FOLLOWS)
    assert DEFAULT_PRICES.unit_price(ResourceKind.DM_CREATE, owned=True) == Decimal("0.015")
    assert DEFAULT_PRICES.cost(ResourceKind.DM_CREATE, 1000, owned=False) == Decimal("15")


def test_48210_followers_cost_as_the_issue_says():
    assert DEFAULT_PRICES.cost(ResourceKind.FOLLOWS, 48_210, owned=True) == Decimal("48.21")
    assert DEFAULT_PRICES.cost(ResourceKind.FOLLOWS, 48_210, owned=False) == Decimal("482.10")


def test_a_changed_price_is_a_new_table_and_round_trips_through_settings_json():
    changed = DEFAULT_PRICES.with_price(ResourceKind.POSTS, standard=Decimal("0.006"), as_of=dt.date(2026, 9, 1))
    assert DEFAULT_PRICES.unit_price(ResourceKind.POSTS, owned=False) == Decimal("0.005")  # the original is untouched
    assert changed.unit_price(ResourceKind.POSTS, owned=False) == Decimal("0.006")
    assert changed.unit_price(ResourceKind.POSTS, owned=True) == Decimal("0.001")
    assert PriceTable.from_dict(changed.to_dict()) == changed
    with pytest.raises(TypeError):
        changed.prices[ResourceKind.POSTS] = changed.prices[ResourceKind.USERS]


@pytest.mark.parametrize("data", [{"as_of": "August"}, {"prices": {"likes": {"standard": "0.001"}}},
                                  {"prices": {"posts": {"standard": "cheap"}}}, {"prices": {"posts": {}}}])
def test_an_unreadable_saved_table_is_a_sentence(data):
    with pytest.raises(ValueError, match="price table can not be read"):
        PriceTable.from_dict(data)


def test_a_table_refuses_missing_negative_or_sub_micro_prices():
    with pytest.raises(ValueError, match="no price for"):
        PriceTable(prices={ResourceKind.POSTS: DEFAULT_PRICES.price(ResourceKind.POSTS)})
    with pytest.raises(ValueError, match="negative"):
        DEFAULT_PRICES.with_price(ResourceKind.USERS, standard=Decimal("-0.01"))
    with pytest.raises(ValueError, match="millionth"):
        DEFAULT_PRICES.with_price(ResourceKind.USERS, standard=Decimal("0.0000001"))


def test_micro_dollars_are_exact_and_amounts_print_to_the_cent_or_finer():
    assert to_micros(Decimal("0.001")) == 1_000 and from_micros(2_510_000) == Decimal("2.51")
    assert to_micros(Decimal("0.015") * 3) == 45_000
    assert format_usd(Decimal("2.51")) == "$2.51"
    assert format_usd(Decimal("1234.5")) == "$1,234.50"
    assert format_usd(Decimal("0.001")) == "$0.001"
    assert format_usd(Decimal(0)) == "$0.00"
