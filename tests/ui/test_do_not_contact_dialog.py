from __future__ import annotations

from twexport_qt.followers.records import FollowerRecord
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.store.database import open_database
from twexport_qt.ui.do_not_contact_dialog import DoNotContactDialog

OWNER = 9


def test_add_by_username_or_id_and_remove(qtbot, tmp_path):
    conn = open_database(tmp_path / "db.sqlite3")
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(11, "Grace_H"), FollowerRecord(12, "bob")], 1)
    dialog = DoNotContactDialog(conn, OWNER, lambda: 1_700_000_000)
    qtbot.addWidget(dialog)

    dialog.who.setText("@grace_h")  # case and '@' do not matter
    dialog.reason.setText("asked not to be messaged")
    assert dialog.add_from_inputs()
    dialog.who.setText("12")
    assert dialog.add_from_inputs()
    assert [(e.user_id, e.reason) for e in dm_repo.do_not_contact_list(conn, OWNER)] == [
        (11, "asked not to be messaged"), (12, "")]
    assert dialog.model.row_values(0)[1] == "Grace_H"

    dialog.who.setText("nobody")
    assert not dialog.add_from_inputs() and "No fetched follower" in dialog.message.text()

    dialog.view.selectRow(0)
    dialog.remove_selected()
    assert [e.user_id for e in dm_repo.do_not_contact_list(conn, OWNER)] == [12]
