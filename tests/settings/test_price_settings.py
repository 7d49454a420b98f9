"""Settings → Prices in settings.json: only the user's changes and their date are saved, so a newer TwExport's
prices are not masked by a stale copy; a bad entry is named in a sentence and only it falls back to X's price."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from twexport_qt.billing.prices import DEFAULT_PRICES, ResourceKind
from twexport_qt.settings.codec import settings_from_dict, settings_to_dict
from twexport_qt.settings.model import AppSettings, PriceOverride, PriceSettings
from twexport_qt.settings.validation import validate_settings

SEPTEMBER = dt.date(2026, 9, 1)


def loaded(prices: object) -> tuple[AppSettings, list[str]]:
    data = settings_to_dict(AppSettings())
    data["profiles"]["Sandbox"]["daily_cap"] = 55
    data["prices"] = prices
    return settings_from_dict(data)


def test_default_settings_bill_at_xs_prices_and_save_no_copy_of_them():
    settings = AppSettings()
    assert settings.prices.table() == DEFAULT_PRICES
    assert settings_to_dict(settings)["prices"] == {"as_of": None, "overrides": {}}
    again, problems = settings_from_dict(settings_to_dict(settings))
    assert problems == [] and again.prices == PriceSettings()


def test_a_file_without_prices_uses_xs():
    data = settings_to_dict(AppSettings())
    del data["prices"]
    settings, problems = settings_from_dict(data)
    assert problems == [] and settings.prices.table() == DEFAULT_PRICES


def test_only_changed_prices_and_their_date_are_saved_and_read_back_exactly():
    changed = DEFAULT_PRICES.with_price(ResourceKind.POSTS, standard=Decimal("0.006"), as_of=SEPTEMBER)
    settings = AppSettings(prices=PriceSettings.from_prices(changed.as_of, changed.prices))
    assert settings_to_dict(settings)["prices"] == {"as_of": "2026-09-01",
                                                    "overrides": {"posts": {"standard": "0.006"}}}
    again, problems = settings_from_dict(settings_to_dict(settings))
    assert problems == []
    assert again.prices.table() == changed
    assert validate_settings(again) == []


def test_a_changed_date_alone_is_kept():
    prices = PriceSettings.from_prices(SEPTEMBER, DEFAULT_PRICES.prices)
    assert prices == PriceSettings(as_of=SEPTEMBER)
    assert prices.table().as_of == SEPTEMBER and prices.table().prices == DEFAULT_PRICES.prices


def test_a_newer_twexport_changes_the_prices_the_user_did_not_change():
    user = PriceSettings(as_of=SEPTEMBER, overrides={ResourceKind.POSTS: PriceOverride(standard=Decimal("0.006"))})
    # A later TwExport whose table (still older than the user's edit) has a new price for follows.
    newer = DEFAULT_PRICES.with_price(ResourceKind.FOLLOWS, standard=Decimal("0.012"), as_of=dt.date(2026, 8, 15))
    table = user.table(newer)
    assert table.unit_price(ResourceKind.FOLLOWS, owned=False) == Decimal("0.012")
    assert table.unit_price(ResourceKind.POSTS, owned=False) == Decimal("0.006")
    assert table.as_of == SEPTEMBER


def test_edits_older_than_twexports_table_are_outdated_and_unused():
    user = PriceSettings(as_of=SEPTEMBER, overrides={ResourceKind.POSTS: PriceOverride(standard=Decimal("0.006"))})
    newest = DEFAULT_PRICES.with_price(ResourceKind.POSTS, standard=Decimal("0.007"), as_of=dt.date(2027, 1, 1))
    assert user.is_outdated(newest) and not user.is_outdated(DEFAULT_PRICES)
    assert user.table(newest) == newest


@pytest.mark.parametrize(("prices", "problem"), [
    ({"as_of": "2026-09-01", "overrides": {"posts": {"standard": "cheap", "owned": "0.002"}}},
     "Prices, 'Posts read, per post', standard price (USD): must be an amount of US dollars like 0.005, not "
     "'cheap'; X's price ($0.005) is used."),
    ({"as_of": "2026-09-01", "overrides": {"posts": {"standard": "-0.001", "owned": "0.002"}}},
     "Prices, 'Posts read, per post', standard price (USD): must not be negative; X's price ($0.005) is used."),
    ({"as_of": "2026-09-01", "overrides": {"posts": {"standard": 10, "owned": "0.002"}}},
     "Prices, 'Posts read, per post', standard price (USD): must be at most $1 per resource; X's price ($0.005) is "
     "used."),
    ({"as_of": "2026-09-01", "overrides": {"posts": {"standard": "0.0000001", "owned": "0.002"}}},
     "Prices, 'Posts read, per post', standard price (USD): must not be finer than a millionth of a dollar (like "
     "0.000125); X's price ($0.005) is used."),
    ({"as_of": "2026-09-01", "overrides": {"posts": {"owned": "0.002"}, "likes": {"standard": "0.001"}}},
     "Prices: 'likes' is not a resource kind X bills (follows, posts, users, dm_events, dm_create); it was "
     "ignored."),
    ({"as_of": "2026-09-01", "overrides": {"posts": {"owned": "0.002"}, "dm_create": {"owned": "0.001"}}},
     "Prices, 'DM sent, per message', owned-read price (USD): must be empty (X has no owned-read rate for it); it was "
     "ignored."),
    ({"as_of": "2026-09-01", "overrides": {"posts": {"owned": "0.002", "per_post": "1"}}},
     "Prices, 'Posts read, per post': 'per_post' is not a known setting and was ignored."),
])
def test_a_bad_price_is_named_and_only_it_is_lost(prices, problem):
    settings, problems = loaded(prices)
    assert problems == [problem]
    table = settings.prices.table()
    assert table.unit_price(ResourceKind.POSTS, owned=False) == Decimal("0.005")
    assert table.unit_price(ResourceKind.POSTS, owned=True) == Decimal("0.002")  # the good entry is kept
    assert table.as_of == SEPTEMBER and settings.active.daily_cap == 55
    assert validate_settings(settings) == []


def test_an_unreadable_date_keeps_the_changes_dated_as_twexports_table():
    settings, problems = loaded({"as_of": "August", "overrides": {"users": {"standard": "0.02"}}})
    assert problems == ["Prices as of: must be a date like 2026-08-01, not 'August'; the changed prices are taken "
                        "as of 2026-08-01."]
    assert settings.prices.table() == DEFAULT_PRICES.with_price(ResourceKind.USERS, standard=Decimal("0.02"))


def test_prices_that_are_not_an_object_fall_back_to_xs():
    settings, problems = loaded(["0.005"])
    assert problems == ["Prices: must be an object; X's prices of 2026-08-01 are used."]
    assert settings.prices == PriceSettings() and settings.active.daily_cap == 55


def test_validation_names_a_bad_price_before_saving():
    settings = AppSettings(prices=PriceSettings(as_of=SEPTEMBER, overrides={
        ResourceKind.FOLLOWS: PriceOverride(standard=Decimal("-1")),
        ResourceKind.DM_CREATE: PriceOverride(owned=Decimal("0.001")),
    }))
    assert validate_settings(settings) == [
        "Prices, 'Followers / following read, per account', standard price (USD): must not be negative",
        "Prices, 'DM sent, per message', owned-read price (USD): must be empty (X has no owned-read rate for it)",
    ]
    settings.prices.as_of = None
    assert "Prices as of: must be the date the changed prices are from" in validate_settings(settings)

