"""Settings → Prices: what X charges per resource, editable because X changes its prices more often than TwExport
is released. The ledger bills at these prices and every estimate and budget check uses them.

Unlike the other pages this one is app-wide (X bills every account alike), so it loads from and saves into the
whole settings draft, not a profile. It shows TwExport's built-in table with the user's changes; saving keeps only
the prices that differ from the built-in table, and their date (`settings.model.PriceSettings`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twexport_qt.billing.prices import DEFAULT_PRICES, Price, PriceTable, ResourceKind, format_usd
from twexport_qt.settings.model import AppSettings, PriceSettings
from twexport_qt.settings.validation import (
    PRICE_FIELD_LABELS,
    PRICE_KIND_LABELS,
    PRICES_AS_OF_LABEL,
    field_problem,
    parse_usd,
)
from twexport_qt.ui.palette import TextTone, tone_style

COL_KIND, COL_STANDARD, COL_OWNED = 0, 1, 2
PRICE_COLUMNS = {COL_STANDARD: "standard", COL_OWNED: "owned"}
NO_OWNED_RATE = "—"  # writes have no Owned Read rate
APP_WIDE_NOTE = ("These prices apply to all profiles: X bills every account at the same rates. Prices are in US "
                 "dollars per resource. The owned-read price applies to reads of the signed-in account's own data "
                 "(its followers, its posts); where TwExport can not tell, it counts the standard price.")


class PricesPage(QWidget):
    TITLE: ClassVar[str] = "Prices"

    def __init__(self, parent: QWidget | None = None, *, built_in: PriceTable = DEFAULT_PRICES) -> None:
        super().__init__(parent)
        self._built_in = built_in
        # Cell texts that are no amount, per (kind, "standard"/"owned"): saved as X's price, named by `problems`.
        self._unreadable: dict[tuple[ResourceKind, str], str] = {}
        note = QLabel(APP_WIDE_NOTE)
        note.setWordWrap(True)
        self.outdated_label = QLabel()
        self.outdated_label.setWordWrap(True)
        self.outdated_label.setStyleSheet(tone_style(TextTone.CAUTION))
        self.outdated_label.hide()

        self.table = QTableWidget(len(ResourceKind), 3)
        self.table.setHorizontalHeaderLabels(["Resource", *(PRICE_FIELD_LABELS[name]
                                                            for name in PRICE_COLUMNS.values())])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(COL_KIND, QHeaderView.ResizeMode.Stretch)
        for row, kind in enumerate(ResourceKind):
            label = QTableWidgetItem(PRICE_KIND_LABELS[kind])  # as problems name the row
            label.setFlags(label.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, COL_KIND, label)
            for column in PRICE_COLUMNS:
                self.table.setItem(row, column, QTableWidgetItem())
            if built_in.price(kind).owned is None:
                cell = self._cell(kind, COL_OWNED)
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                cell.setToolTip(f"X bills {kind.value} per request and has no owned-read rate for it.")
        self.table.itemChanged.connect(self._mark_changed)

        self.as_of_edit = QDateEdit()
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.as_of_edit.setToolTip("The date X's price list showed these prices; change it when you update them.")
        self.reset_button = QPushButton(f"Reset to X's prices of {built_in.as_of.isoformat()}")
        self.reset_button.setToolTip("The prices this version of TwExport knows; your changes are dropped on Save.")
        self.reset_button.clicked.connect(self.reset)
        date_row = QHBoxLayout()
        date_row.addWidget(QLabel(PRICES_AS_OF_LABEL))
        date_row.addWidget(self.as_of_edit)
        date_row.addStretch(1)
        date_row.addWidget(self.reset_button)

        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.outdated_label)
        layout.addWidget(self.table)
        layout.addLayout(date_row)

    def _cell(self, kind: ResourceKind, column: int) -> QTableWidgetItem:
        item = self.table.item(list(ResourceKind).index(kind), column)
        assert item is not None  # every cell is made in __init__
        return item

    def load(self, settings: AppSettings) -> None:
        """Show the prices the app bills at: TwExport's table with the user's changes (unless a newer TwExport's
        table made them outdated: then it says so)."""
        prices = settings.prices
        self._unreadable.clear()
        self._show(prices.table(self._built_in))
        if prices.is_outdated(self._built_in) and prices.as_of is not None:
            self.outdated_label.setText(
                f"Your prices of {prices.as_of.isoformat()} are older than X's prices of "
                f"{self._built_in.as_of.isoformat()} that this TwExport knows, so those are used; saving drops "
                "yours.")
            self.outdated_label.show()
        else:
            self.outdated_label.hide()

    def reset(self) -> None:
        """X's prices as this TwExport knows them; nothing is saved before the dialog is."""
        self._unreadable.clear()
        self._show(self._built_in)

    def _show(self, table: PriceTable) -> None:
        for kind in ResourceKind:
            price = table.price(kind)
            self._cell(kind, COL_STANDARD).setText(str(price.standard))
            self._cell(kind, COL_OWNED).setText(NO_OWNED_RATE if price.owned is None else str(price.owned))
        self.as_of_edit.setDate(QDate(table.as_of.year, table.as_of.month, table.as_of.day))

    def save(self, settings: AppSettings) -> None:
        """Write the prices that differ from TwExport's, and the date, into `settings` (the dialog's draft).
        A cell that is no amount keeps X's price; `problems` names it. Out-of-range amounts are kept for the
        settings validation to name."""
        self._unreadable.clear()
        shown = {}
        for kind in ResourceKind:
            default = self._built_in.price(kind)
            standard = self._amount(kind, COL_STANDARD, default.standard)
            owned = self._amount(kind, COL_OWNED, default.owned) if default.owned is not None else None
            shown[kind] = Price(standard, owned, default.per_request)
        shown_date = self.as_of_edit.date()
        as_of = dt.date(shown_date.year(), shown_date.month(), shown_date.day())
        settings.prices = PriceSettings.from_prices(as_of, shown, self._built_in)

    def _amount(self, kind: ResourceKind, column: int, default: Decimal) -> Decimal:
        text = self._cell(kind, column).text().strip()
        try:
            return parse_usd(text, example="0.005")
        except ValueError:
            self._unreadable[(kind, PRICE_COLUMNS[column])] = text
            return default

    def problems(self) -> list[str]:
        """Cells that are no dollar amount, in the table's words (`settings.validation` names amounts out of range)."""
        found = []
        for (kind, name), text in self._unreadable.items():
            try:
                parse_usd(text, example="0.005")
            except ValueError as exc:
                found.append(field_problem(f"prices.overrides.{kind.value}.{name}", str(exc)))
        return found

    def _mark_changed(self, item: QTableWidgetItem) -> None:
        """A price that differs from X's (as TwExport knows it) is bold, and its tooltip shows X's."""
        if item.column() not in PRICE_COLUMNS:
            return
        kind = list(ResourceKind)[item.row()]
        default = self._built_in.price(kind)
        built_in = default.standard if item.column() == COL_STANDARD else default.owned
        if built_in is None:
            return
        try:
            changed = parse_usd(item.text()) != built_in
        except ValueError:
            changed = True
        font = item.font()
        if font.bold() != changed:
            font.setBold(changed)
            item.setFont(font)  # emits itemChanged again: then nothing differs and this returns above
        item.setToolTip(f"X's price of {self._built_in.as_of.isoformat()}: {format_usd(built_in)}")

