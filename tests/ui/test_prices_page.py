"""Settings → Prices: shows the prices the app bills at, saves only what differs from X's (as TwExport knows
them), names a cell that is no amount, resets to X's prices, and a saved change is what the app bills at next."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel

from twexport_qt.billing.prices import DEFAULT_PRICES, ResourceKind
from twexport_qt.settings.model import AppSettings, PriceOverride, PriceSettings
from twexport_qt.ui.settings_dialog import SettingsDialog
from twexport_qt.ui.settings_dialog.prices_page import COL_OWNED, COL_STANDARD, NO_OWNED_RATE, PricesPage

ROW = {kind: row for row, kind in enumerate(ResourceKind)}
SEPTEMBER = dt.date(2026, 9, 1)


@pytest.fixture
def page(qtbot):
    page = PricesPage()
    qtbot.addWidget(page)
    return page


def cell(page: PricesPage, kind: ResourceKind, column: int) -> str:
    return page.table.item(ROW[kind], column).text()


def type_into(page: PricesPage, kind: ResourceKind, column: int, text: str) -> None:
    page.table.item(ROW[kind], column).setText(text)


def test_it_shows_xs_prices_and_says_it_applies_to_all_profiles(page):
    page.load(AppSettings())
    assert cell(page, ResourceKind.FOLLOWS, COL_STANDARD) == "0.010"
    assert cell(page, ResourceKind.FOLLOWS, COL_OWNED) == "0.001"
    assert page.as_of_edit.date() == QDate(2026, 8, 1)
    assert page.reset_button.text() == "Reset to X's prices of 2026-08-01"
    assert any("apply to all profiles" in label.text() for label in page.findChildren(QLabel))


def test_a_write_has_no_owned_read_price_to_edit(page):
    page.load(AppSettings())
    owned = page.table.item(ROW[ResourceKind.DM_CREATE], COL_OWNED)
    assert owned.text() == NO_OWNED_RATE
    assert not owned.flags() & Qt.ItemFlag.ItemIsEditable


def test_saving_keeps_only_the_changed_prices_and_their_date(page):
    settings = AppSettings()
    page.load(settings)
    type_into(page, ResourceKind.POSTS, COL_STANDARD, "$0.006")
    page.as_of_edit.setDate(QDate(2026, 9, 1))
    assert page.table.item(ROW[ResourceKind.POSTS], COL_STANDARD).font().bold()  # differs from X's
    page.save(settings)
    assert page.problems() == []
    assert settings.prices == PriceSettings(SEPTEMBER, {ResourceKind.POSTS: PriceOverride(standard=Decimal("0.006"))})


def test_unchanged_prices_save_nothing(page):
    settings = AppSettings()
    page.load(settings)
    page.save(settings)
    assert settings.prices == PriceSettings()


def test_it_shows_the_users_prices_and_reset_brings_back_xs(page):
    changed = {ResourceKind.FOLLOWS: PriceOverride(owned=Decimal("0.002"))}
    settings = AppSettings(prices=PriceSettings(SEPTEMBER, changed))
    page.load(settings)
    assert cell(page, ResourceKind.FOLLOWS, COL_OWNED) == "0.002"
    assert page.as_of_edit.date() == QDate(2026, 9, 1)
    page.reset_button.click()
    assert cell(page, ResourceKind.FOLLOWS, COL_OWNED) == "0.001"
    page.save(settings)
    assert settings.prices == PriceSettings()


def test_a_cell_that_is_no_amount_is_named_and_keeps_xs_price(page):
    settings = AppSettings()
    page.load(settings)
    type_into(page, ResourceKind.USERS, COL_STANDARD, "ten cents")
    page.save(settings)
    assert page.problems() == ["Prices, 'User look-up, per account', standard price (USD): must be an amount of "
                               "US dollars like 0.005, not 'ten cents'"]
    assert settings.prices.table() == DEFAULT_PRICES


def test_outdated_edits_are_said_to_be_unused(page):
    old = PriceSettings(dt.date(2026, 7, 1), {ResourceKind.POSTS: PriceOverride(standard=Decimal("0.004"))})
    page.load(AppSettings(prices=old))
    assert not page.outdated_label.isHidden()
    assert "older than X's prices of 2026-08-01" in page.outdated_label.text()
    assert cell(page, ResourceKind.POSTS, COL_STANDARD) == "0.005"  # X's, which the app uses


def test_a_price_saved_in_the_dialog_is_what_the_app_bills_at(qtbot, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.tabs.tabText(dialog.tabs.indexOf(dialog.prices_page)) == "Prices"
    type_into(dialog.prices_page, ResourceKind.FOLLOWS, COL_OWNED, "0.0015")
    dialog.prices_page.as_of_edit.setDate(QDate(2026, 9, 1))
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert context.prices.unit_price(ResourceKind.FOLLOWS, owned=True) == Decimal("0.0015")
    assert context.prices.as_of == SEPTEMBER
    saved = json.loads(context.settings_file.read_text(encoding="utf-8"))
    assert saved["prices"] == {"as_of": "2026-09-01", "overrides": {"follows": {"owned": "0.0015"}}}


def test_the_dialog_refuses_a_price_out_of_range_by_name(qtbot, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    type_into(dialog.prices_page, ResourceKind.POSTS, COL_STANDARD, "5")
    dialog.accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert dialog.problems_label.text() == \
        "Please fix:\n• Prices, 'Posts read, per post', standard price (USD): must be at most $1 per resource"
    assert context.prices == DEFAULT_PRICES and not context.settings_file.exists()
