"""The do-not-contact dialog over `context.do_not_contact`: adding by @username (any spelling) or id, removing, and
reading the list off the GUI thread. The app context comes from tests/ui/conftest.py; tasks run inline."""

from __future__ import annotations

import threading

import pytest

from twexport_qt.core.timefmt import format_local_datetime
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.store import followers_repo
from twexport_qt.ui.do_not_contact_dialog import DoNotContactDialog
from twexport_qt.workers.tasks import InlineTaskRunner, TaskRunner

OWNER = 9


@pytest.fixture
def service(context):
    conn = context.connect()
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(11, "Grace_H"), FollowerRecord(12, "bob")], 1)
    conn.close()
    return context.do_not_contact


def listed(service) -> list[tuple[int, str, str]]:
    return [(e.user_id, e.username, e.reason) for e in service.entries(OWNER)]


def shown(dialog: DoNotContactDialog, row: int) -> list[str]:
    """The texts of a row of the dialog's table."""
    return [dialog.model.data(dialog.model.index(row, column)) for column in range(dialog.model.columnCount())]


def test_add_by_username_or_id_and_remove(qtbot, service, fake_clock):
    dialog = DoNotContactDialog(service, OWNER, InlineTaskRunner())
    qtbot.addWidget(dialog)

    dialog.who.setText("https://x.com/grace_h")  # case, '@' and a profile link do not matter
    dialog.reason.setText("asked not to be messaged")
    dialog.add_from_inputs()
    assert dialog.who.text() == "" and dialog.reason.text() == ""
    dialog.who.setText("12")
    dialog.add_from_inputs()
    assert listed(service) == [(11, "Grace_H", "asked not to be messaged"), (12, "bob", "")]
    assert dialog.model.records() == service.entries(OWNER)
    assert dialog.model.records()[0].added_at == int(fake_clock.now())
    assert shown(dialog, 0) == ["11", "Grace_H", "asked not to be messaged", format_local_datetime(fake_clock.now())]

    dialog.who.setText("nobody")
    dialog.add_from_inputs()
    assert "No fetched follower is called 'nobody'" in dialog.message.text() and dialog.who.text() == "nobody"
    dialog.who.setText("  ")
    dialog.add_from_inputs()
    assert dialog.message.text() == "Type a @username or an id."

    dialog.view.selectRow(0)
    dialog.remove_selected()
    assert listed(service) == [(12, "bob", "")] and dialog.model.rowCount() == 1


def test_someone_not_fetched_is_listed_by_id_without_a_name(qtbot, service):
    service.add(OWNER, "777", "added by id")
    dialog = DoNotContactDialog(service, OWNER, InlineTaskRunner())
    qtbot.addWidget(dialog)
    assert shown(dialog, 0)[:3] == ["777", "", "added by id"]


def test_the_list_is_read_off_the_gui_thread(qtbot, service, monkeypatch):
    """At a million followers reading the list took seconds: the dialog opens at once and fills when it arrives."""
    service.add(OWNER, "12")
    readers: list[bool] = []
    real_entries = service.entries

    def entries(owner_id):
        readers.append(threading.current_thread() is threading.main_thread())
        return real_entries(owner_id)

    monkeypatch.setattr(service, "entries", entries)
    tasks = TaskRunner()
    dialog = DoNotContactDialog(service, OWNER, tasks)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert readers == [False] and dialog.model.record(0).username == "bob"
    tasks.shutdown()
