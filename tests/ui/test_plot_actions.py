"""The Followers tab's plots as a user works them, through the real tab: the follower menu's actions and their
effects (browser, clipboard, do-not-contact list, CSV of the zoom, zoom reset), and the table selection ↔ ringed
point link both ways. The app is the Sandbox profile with its 50 simulated followers fetched (tests/conftest.py)."""

from __future__ import annotations

import csv
from contextlib import closing

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu

from twexport_qt.exports.exporters import ExportKind, export
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.settings.model import Profile
from twexport_qt.ui.followers_tab import FollowersTab
from twexport_qt.ui.plot_actions import (
    COPY_USERNAME_TEXT,
    DO_NOT_CONTACT_REASON,
    DO_NOT_CONTACT_TEXT,
    OPEN_PROFILE_TEXT,
    SIMULATED_PROFILE_TEXT,
)
from twexport_qt.ui.scatter_plot import EXPORT_VISIBLE_TEXT, RESET_ZOOM_TEXT, FollowerScatter


@pytest.fixture
def tab(qtbot, context, jobs):
    from twexport_qt.followers.fetch import fetch_followers

    with context.api_session() as api:
        fetch_followers(api.conn, api.gateway, api.pacer, context.clock)
    tab = FollowersTab(context, jobs)
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: tab.model is not None and tab.model.snapshot is not None
                    and tab.plot_network.points.extent is not None)
    yield tab
    tab.shutdown()


def scene_pos_of(plot: FollowerScatter, user_id: int):
    return plot.plot_item.getViewBox().mapViewToScene(plot.view_pos_of(user_id))


def apart_from_others(plot: FollowerScatter, candidates) -> int:
    """A follower whose point no other point covers, so that the cursor on it finds them."""
    return next(int(user) for user in candidates
                if plot.viewport_pos_of(int(user)) is not None
                and plot.user_at_scene_pos(scene_pos_of(plot, int(user))) == int(user))


def menu_on(plot: FollowerScatter, user_id: int) -> QMenu:
    return plot.context_menu_at(scene_pos_of(plot, user_id))


def action(menu: QMenu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


def selected_users(tab: FollowersTab) -> list[int]:
    return [tab.model.follower_id_at(index.row()) for index in tab.table.selectionModel().selectedRows()]


def username_of(tab: FollowersTab, user_id: int) -> str:
    return tab.context.followers.follower_row(tab.owner_id, user_id).record.username


# -- the context menu -----------------------------------------------------------------------------------------

def test_a_sandbox_followers_menu_says_it_has_no_profile_on_x(tab):
    plot = tab.plot_network
    user = apart_from_others(plot, plot.points.ids)
    menu = menu_on(plot, user)
    sections = [a.text() for a in menu.actions() if a.isSeparator() and a.text()]
    assert sections == [f"@{username_of(tab, user)}"]
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [SIMULATED_PROFILE_TEXT, COPY_USERNAME_TEXT, DO_NOT_CONTACT_TEXT, EXPORT_VISIBLE_TEXT,
                     RESET_ZOOM_TEXT]
    assert not action(menu, SIMULATED_PROFILE_TEXT).isEnabled()  # never a stranger's page for a simulated name
    assert "simulated" in action(menu, SIMULATED_PROFILE_TEXT).toolTip()
    assert not any("Plot Options" in text or text == "Export..." for text in texts)


class UrlRecorder(QObject):
    """Stands in for the browser: QDesktopServices hands it the URLs it would open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser():
    recorder = UrlRecorder()
    QDesktopServices.setUrlHandler("https", recorder, "open")
    yield recorder
    QDesktopServices.unsetUrlHandler("https")


def test_a_real_accounts_follower_opens_on_x(tab, context, browser):
    owner = tab.owner_id
    context.settings.profiles["Main"] = Profile(name="Main", kind="x", account_id=owner)  # same followers
    context.switch_profile("Main")
    tab.profile_changed()
    plot = tab.plot_network
    user = apart_from_others(plot, plot.points.ids)
    action(menu_on(plot, user), OPEN_PROFILE_TEXT).trigger()
    assert browser.opened == [f"https://x.com/{username_of(tab, user)}"]


def test_copy_username_puts_it_on_the_clipboard(tab, messages):
    plot = tab.plot_network
    user = apart_from_others(plot, plot.points.ids)
    action(menu_on(plot, user), COPY_USERNAME_TEXT).trigger()
    username = username_of(tab, user)
    assert QGuiApplication.clipboard().text() == username
    assert messages.infos()[-1] == f"Copied the username {username}."


def test_add_to_do_not_contact_puts_the_follower_on_the_list_and_says_so(tab, context, messages):
    plot = tab.plot_network
    user = apart_from_others(plot, plot.points.ids)
    assert context.do_not_contact.entries(tab.owner_id) == []
    action(menu_on(plot, user), DO_NOT_CONTACT_TEXT).trigger()  # a task: inline in these tests
    [entry] = context.do_not_contact.entries(tab.owner_id)
    assert (entry.user_id, entry.reason) == (user, DO_NOT_CONTACT_REASON)
    assert messages.infos()[-1].startswith(f"@{username_of(tab, user)} is on the do-not-contact list")


def read_csv(path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_export_visible_points_writes_exactly_the_coloured_followers_in_the_zoom(
        qtbot, tab, context, tmp_path, monkeypatch, messages):
    followers = tab.model.snapshot.followers
    tab.apply_filter(FollowerFilter(min_followers=int(np.median(followers))))  # half of them are greyed
    plot = tab.plot_network
    points = plot.points
    x0, x1 = np.nanpercentile(points.x, [20, 90])
    y0, y1 = np.nanpercentile(points.y, [10, 80])
    plot.plot_item.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
    (x0, x1), (y0, y1) = plot.plot_item.getViewBox().viewRange()
    in_zoom = (points.x >= x0) & (points.x <= x1) & (points.y >= y0) & (points.y <= y1)
    coloured = np.isin(points.ids, [tab.model.follower_id_at(row) for row in range(tab.model.rowCount())])
    expected = points.ids[in_zoom & coloured]
    assert 0 < len(expected) < np.count_nonzero(in_zoom)  # some in the zoom are greyed: they are left out

    out = tmp_path / "zoom.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    with qtbot.waitSignal(tab.jobs.jobEnded, timeout=10_000):
        action(plot.context_menu_at(plot.plot_item.getViewBox().sceneBoundingRect().center()),
               EXPORT_VISIBLE_TEXT).trigger()
    written = read_csv(out)
    assert sorted(int(row[0]) for row in written[1:]) == sorted(expected.tolist())
    # Cell for cell what File → Export → Followers writes for them.
    everyone = tmp_path / "everyone.csv"
    with closing(context.connect()) as conn:
        export(conn, tab.owner_id, ExportKind.FOLLOWERS, everyone)
    exported = {row[0]: row for row in read_csv(everyone)}
    assert written[0] == exported["user_id"]
    assert all(row == exported[row[0]] for row in written[1:])
    assert messages.infos()[-1] == f"Exported the {len(expected):,} followers in view to {out}."


def test_a_zoom_with_only_greyed_followers_writes_nothing_and_says_why(qtbot, tab, tmp_path, messages):
    tab.apply_filter(FollowerFilter(min_followers=10**12))  # everyone greyed
    plot = tab.plot_network
    out = tmp_path / "none.csv"
    with qtbot.waitSignal(tab.jobs.jobEnded, timeout=10_000):
        tab.plot_actions.export_visible_to(plot.points_in_view(), out)
    assert not out.exists()
    assert messages.errors()[-1].startswith("No follower matching the filter is in view")


def test_reset_zoom_shows_every_follower_again(tab):
    plot = tab.plot_network
    view_box = plot.plot_item.getViewBox()
    framed = np.ravel(view_box.viewRange())
    user = apart_from_others(plot, plot.points.ids)
    view_box.setRange(xRange=(framed[0], (framed[0] + framed[1]) / 2), padding=0)
    action(plot.context_menu_at(view_box.sceneBoundingRect().center()), RESET_ZOOM_TEXT).trigger()
    assert np.ravel(view_box.viewRange()) == pytest.approx(framed)
    assert plot.viewport_pos_of(user) is not None


# -- table selection ↔ ringed point -----------------------------------------------------------------------

def test_selecting_a_row_rings_its_follower_on_both_plots(tab):
    user = tab.model.follower_id_at(7)
    tab.table.selectRow(7)
    assert tab.plot_network.highlighted_user == user
    tab.plot_tabs.setCurrentWidget(tab.plot_age)  # the hidden plot gets its points now: the ring comes with them
    assert tab.plot_age.highlighted_user == user
    tab.table.clearSelection()
    assert tab.plot_network.highlighted_user is None and tab.plot_age.highlighted_user is None


def test_clicking_a_point_selects_and_shows_its_row(qtbot, tab):
    plot = tab.plot_network
    last_rows = [tab.model.follower_id_at(row) for row in range(tab.model.rowCount() - 1, 0, -1)]
    user = apart_from_others(plot, last_rows)  # far down the table: it must scroll
    row = tab.model.row_of_follower(user)
    assert not tab.table.viewport().rect().intersects(tab.table.visualRect(tab.model.index(row, 0)))
    qtbot.mouseClick(plot.mouse_area, Qt.MouseButton.LeftButton, pos=plot.viewport_pos_of(user))
    assert selected_users(tab) == [user]
    assert tab.table.viewport().rect().intersects(tab.table.visualRect(tab.model.index(row, 0)))
    assert plot.highlighted_user == user


def test_a_row_whose_follower_is_not_plotted_clears_the_ring(tab, context):
    with closing(context.connect()) as conn, conn:
        undated = conn.execute("SELECT user_id FROM followers WHERE owner_id = ? ORDER BY rowid LIMIT 1",
                               (tab.owner_id,)).fetchone()[0]
        conn.execute("UPDATE followers SET created_at = NULL WHERE user_id = ?", (undated,))
    tab.refresh()  # the age plot has no place for a follower without a join date
    tab.plot_tabs.setCurrentWidget(tab.plot_age)
    dated = tab.model.follower_id_at(0 if tab.model.follower_id_at(0) != undated else 1)
    tab.table.selectRow(tab.model.row_of_follower(dated))
    assert tab.plot_age.highlighted_user == dated
    tab.table.selectRow(tab.model.row_of_follower(undated))
    assert tab.plot_age.highlighted_user is None  # nowhere to ring: no stale ring either
    assert tab.plot_network.highlighted_user == undated


def test_the_selection_and_its_ring_outlive_a_filter_change_that_keeps_the_row(tab):
    followers = np.sort(tab.model.snapshot.followers)
    user = tab.model.follower_id_at(3)  # sorted by followers, largest first: high above the median
    tab.table.selectRow(3)
    tab.apply_filter(FollowerFilter(min_followers=int(followers[len(followers) // 2])))
    assert selected_users(tab) == [user]
    assert tab.plot_network.highlighted_user == user
    tab.apply_filter(FollowerFilter(min_followers=int(followers[-1]) + 1))  # nobody: the row is gone
    assert selected_users(tab) == []
    assert tab.plot_network.highlighted_user is None


def test_a_new_model_after_a_profile_change_is_followed(qtbot, tab):
    first = tab.model
    tab.profile_changed()  # a new model, and with it a new selection model
    assert tab.model is not first
    tab.table.selectRow(2)
    qtbot.waitUntil(lambda: tab.plot_network.highlighted_user == tab.model.follower_id_at(2))
