"""File → Export through `ExportMenu`: a worker writes the file, the user is told in a message, and "current filter"
means the shared filter state; the file dialog offers CSV and Excel, the options dialog the columns (remembered per
export kind) and the BOM. The app context (Sandbox profile) comes from tests/ui/conftest.py."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from twexport_qt.exports.exporters import EXPORT_KINDS, ExportKind
from twexport_qt.exports.formats import ExportFormat, TableOptions
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.ui.export_menu import CSV_FILTER, XLSX_FILTER, ExportMenu
from twexport_qt.ui.export_options_dialog import ExportOptionsDialog, load_table_options
from twexport_qt.ui.filter_state import FollowerFilterState


@pytest.fixture
def menu(qtbot, context, jobs):
    from twexport_qt.followers.fetch import fetch_followers

    with context.api_session() as api:
        fetch_followers(api.conn, api.gateway, api.pacer, context.clock)
    parent = QWidget()
    qtbot.addWidget(parent)
    return ExportMenu(context, jobs, FollowerFilterState(parent), parent)


@pytest.fixture
def options_dialog(monkeypatch):
    """Stands in for the user at the options dialog: `answer(dialog)` edits it, then it is accepted (or refused)."""
    seen: list[ExportOptionsDialog] = []
    answer = {"edit": lambda dialog: None, "accept": True}

    def exec_(dialog: ExportOptionsDialog) -> int:
        seen.append(dialog)
        answer["edit"](dialog)
        return QDialog.DialogCode.Accepted if answer["accept"] else QDialog.DialogCode.Rejected

    monkeypatch.setattr(ExportOptionsDialog, "exec", exec_)
    return seen, answer


def save_as(monkeypatch, path, selected_filter=CSV_FILTER) -> list[tuple]:
    """The file dialog answers `path`; returns the calls made to it."""
    calls: list[tuple] = []

    def get_save_file_name(*args, **kwargs):
        calls.append(args)
        return str(path), selected_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
    return calls


def action(menu, text):
    return next(a for a in menu.menu.actions() if a.text() == text)


def csv_rows(path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_an_export_runs_as_a_job_and_says_where_it_wrote(qtbot, menu, tmp_path, messages):
    out = tmp_path / "followers.csv"
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        assert menu.export_to(ExportKind.FOLLOWERS, out) is not None
    rows = csv_rows(out)
    assert rows[0][0] == "user_id" and len(rows) == 51  # the sandbox's 50 followers
    assert menu.last_result == (ExportKind.FOLLOWERS, out, 50)
    assert messages.infos()[-1] == f"Exported 50 rows to {out}."


def test_followers_with_the_current_filter_use_the_shared_filter_state(qtbot, menu, tmp_path, monkeypatch,
                                                                     options_dialog):
    everyone = tmp_path / "everyone.csv"
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        menu.export_to(ExportKind.FOLLOWERS, everyone)
    column = csv_rows(everyone)[0].index("followers_count")
    threshold = sorted(int(row[column]) for row in csv_rows(everyone)[1:])[25]  # the upper half
    out = tmp_path / "filtered.csv"
    menu.filter_state.set(FollowerFilter(min_followers=threshold))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    action = next(a for a in menu.menu.actions() if a.text() == "Followers (current filter)…")
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        action.trigger()
    counts = [int(row[column]) for row in csv_rows(out)[1:]]
    assert 0 < len(counts) < 50 and all(count >= threshold for count in counts)


def test_a_failed_export_is_an_error_message_and_no_file(qtbot, menu, tmp_path, messages):
    out = tmp_path / "tweets.csv"
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        menu.export_to(ExportKind.TWEETS, out)  # nothing downloaded yet
    assert messages.errors() == ["There is no tweet download to export yet: download tweets first (Tools → "
                                 "Download tweets)."]
    assert not out.exists() and menu.last_result is None


def test_an_excel_export_with_chosen_columns_is_remembered_for_that_export(qtbot, menu, tmp_path, monkeypatch,
                                                                            options_dialog, context):
    seen, answer = options_dialog
    out = tmp_path / "followers.xlsx"
    calls = save_as(monkeypatch, out, XLSX_FILTER)

    def keep_three(dialog: ExportOptionsDialog) -> None:
        assert not dialog.bom_check.isVisibleTo(dialog)  # a workbook needs no BOM
        for name in EXPORT_KINDS[ExportKind.FOLLOWERS].columns:
            dialog.set_column_checked(name, name in ("username", "followers_count", "created_at"))

    answer["edit"] = keep_three
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        action(menu, "All followers…").trigger()
    sheet = load_workbook(out)["Export"]
    kept = ("username", "created_at", "followers_count")  # in the export's own order: nothing was dragged
    assert tuple(cell.value for cell in sheet[1]) == kept
    assert sheet.max_row == 51 and isinstance(sheet["C2"].value, int)
    assert (tmp_path / "followers.dictionary.csv").is_file()
    remembered = TableOptions(ExportFormat.XLSX, False, kept)
    assert load_table_options(context.data_dir, ExportKind.FOLLOWERS, EXPORT_KINDS[ExportKind.FOLLOWERS].columns) \
        == remembered
    # Next time: the file dialog starts on Excel and the dialog on the same columns; other exports are untouched.
    answer["edit"] = lambda dialog: None
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        action(menu, "All followers…").trigger()
    assert calls[-1][2].endswith("followers.xlsx") and calls[-1][4] == XLSX_FILTER
    assert seen[-1].chosen_columns() == kept
    assert load_table_options(context.data_dir, ExportKind.HIGH_VALUE,
                              EXPORT_KINDS[ExportKind.HIGH_VALUE].columns) == TableOptions()


def test_a_name_without_extension_gets_the_chosen_type_and_csv_can_have_a_bom(qtbot, menu, tmp_path, monkeypatch,
                                                                             options_dialog):
    _, answer = options_dialog
    save_as(monkeypatch, tmp_path / "for_excel", CSV_FILTER)
    answer["edit"] = lambda dialog: dialog.bom_check.setChecked(True)
    with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
        action(menu, "All followers…").trigger()
    data = (tmp_path / "for_excel.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfuser_id,")
    assert menu.last_result.path == tmp_path / "for_excel.csv"


def test_cancelling_the_options_dialog_exports_nothing(menu, tmp_path, monkeypatch, options_dialog, messages):
    _, answer = options_dialog
    answer["accept"] = False
    out = tmp_path / "out"
    out.mkdir()
    save_as(monkeypatch, out / "never.csv")
    action(menu, "DM status…").trigger()
    assert list(out.iterdir()) == [] and menu.last_result is None and messages.texts() == []


def test_the_options_dialog_orders_and_limits_columns(qtbot):
    dialog = ExportOptionsDialog("Followers", ("a", "b", "c"), TableOptions(columns=("c", "a")))
    qtbot.addWidget(dialog)
    assert dialog.chosen_columns() == ("c", "a")  # the remembered order; "b" listed after, unchecked
    dialog.column_list.setCurrentRow(2)
    dialog.down_button.click()  # already last: nothing moves
    dialog.up_button.click()
    dialog.set_column_checked("b", True)
    assert dialog.chosen_columns() == ("c", "b", "a")
    for name in "abc":
        dialog.set_column_checked(name, False)
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()  # nothing to export
    dialog.all_button.click()
    assert dialog.chosen_columns() == ("a", "b", "c") and dialog.options() == TableOptions()


def test_the_lists_of_who_you_follow_export_from_the_menu(qtbot, menu, context, tmp_path, monkeypatch,
                                                          options_dialog):
    labels = [a.text() for a in menu.menu.actions() if a.text()]
    assert labels[5:9] == ["Following…", "Mutuals…", "Not following back…", "Fans…"]
    with context.api_session() as api:
        from twexport_qt.followers.following_fetch import fetch_following

        fetch_following(api.conn, api.gateway, api.pacer, context.clock)
    counts = context.following.counts()
    for label, kind, expected in (("Following…", ExportKind.FOLLOWING, counts.following),
                                  ("Mutuals…", ExportKind.MUTUALS, counts.mutuals),
                                  ("Not following back…", ExportKind.NOT_FOLLOWING_BACK, counts.not_following_back),
                                  ("Fans…", ExportKind.FANS, counts.fans)):
        out = tmp_path / f"{kind}.csv"
        calls = save_as(monkeypatch, out)
        with qtbot.waitSignal(menu.jobs.jobEnded, timeout=10_000):
            action(menu, label).trigger()
        assert calls[-1][2].endswith(EXPORT_KINDS[kind].default_file_name), kind  # File → Export's own default
        rows = csv_rows(out)
        assert rows[0] == list(EXPORT_KINDS[kind].columns) and len(rows) - 1 == expected, kind
        assert menu.last_result == (kind, out, expected)
