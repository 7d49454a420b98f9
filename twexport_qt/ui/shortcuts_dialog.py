"""Help → Keyboard shortcuts: every shortcut of the window's menus, read from the actions themselves, so the list
can never disagree with the keys that work."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMenu, QMenuBar, QVBoxLayout, QWidget

from twexport_qt.ui.records_model import Column, RecordTableModel, record_table


@dataclass(frozen=True)
class ShortcutEntry:
    keys: str     # as this platform writes them ("Ctrl+F", "⌘F")
    action: str   # the menu item's words, without its mnemonic ampersand
    menu: str     # where the item is: "File → Export"


COLUMNS: tuple[Column[ShortcutEntry], ...] = (
    Column("Shortcut", lambda entry: entry.keys),
    Column("Does", lambda entry: entry.action),
    Column("Menu", lambda entry: entry.menu),
)


def menu_words(text: str) -> str:
    """A menu text as it reads: mnemonic ampersands gone ("&&" is a literal one), no trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").removesuffix("…")


def shortcut_entries(menu_bar: QMenuBar) -> list[ShortcutEntry]:
    """The menu items that have a shortcut, in menu order."""
    entries: list[ShortcutEntry] = []

    def visit(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                visit(submenu, f"{path} → {menu_words(submenu.title())}")
            elif action.shortcuts():
                entries.append(ShortcutEntry(keys_text(action), menu_words(action.text()), path))

    for top in menu_bar.actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            visit(menu, menu_words(menu.title()))
    return entries


def keys_text(action: QAction) -> str:
    return " or ".join(keys.toString(QKeySequence.SequenceFormat.NativeText) for keys in action.shortcuts())


class ShortcutsDialog(QDialog):
    def __init__(self, menu_bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.model = RecordTableModel(COLUMNS, self)
        table = record_table(self.model)
        table.setSortingEnabled(False)  # in menu order, which groups the keys as the menus do
        table.horizontalHeader().setSortIndicatorShown(False)
        self.model.set_records(shortcut_entries(menu_bar))
        table.resizeColumnsToContents()
        table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(560, 480)
