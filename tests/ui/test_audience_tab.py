"""The Audience tab shows the domain's numbers for the shared filter, in charts whose hover tells exact counts and
in tables that export as CSV; it counts only while shown, and says so when nothing is stored yet."""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPalette

from twexport_qt.app_context import AppContext
from twexport_qt.core.clock import FakeClock
from twexport_qt.followers.audience_profile import AudienceTable, audience_profile
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.profile_mapping import domain_tiers
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.secrets.backends import SessionOnlyBackend
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings
from twexport_qt.store import followers_repo
from twexport_qt.ui.audience_tab import AudienceTab
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.records_model import VALUE_ROLE

ROOT = Path(__file__).resolve().parents[2]

OWNER = SANDBOX_USER_ID  # the Sandbox profile's account, so known_owner_id() finds these followers
WORDS = ["python", "coffee", "the", "and", "@someone", "https://t.co/abc", "Design", "2024", "music", "AI"]
PLACES = ["", "Oslo", "oslo ", "Lima", "LIMA", "Lima", "Tokyo"]


def followers(n: int, seed: int = 3) -> list[FollowerRecord]:
    rng = random.Random(seed)
    return [
        FollowerRecord(
            user_id=1_000 + i, username=f"user{i}", description=" ".join(rng.sample(WORDS, rng.randrange(0, 5))),
            location=rng.choice(PLACES), created_at=rng.choice([None, rng.randrange(1_200_000_000, 1_767_000_000)]),
            followers_count=int(rng.lognormvariate(5, 2.5)),
        )
        for i in range(n)
    ]


@pytest.fixture
def context(data_dir):
    context = AppContext(data_dir, settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()),
                         clock=FakeClock(), configure_log=False)
    conn = context.connect()
    with conn:
        followers_repo.upsert_followers(conn, OWNER, followers(400), seen_at=1_700_000_000)
        conn.execute("UPDATE followers SET unfollowed_at = 1 WHERE user_id % 10 = 0")  # 10% left
    conn.close()
    yield context
    context.close()


@pytest.fixture
def filter_state(qtbot):
    return FollowerFilterState()


@pytest.fixture
def tab(qtbot, context, jobs, filter_state):
    tab = AudienceTab(context, jobs, filter_state=filter_state)
    qtbot.addWidget(tab)
    tab.resize(1000, 640)
    return tab


def expected_profile(context, follower_filter: FollowerFilter):
    conn = context.connect()
    try:
        return audience_profile(conn, OWNER, follower_filter, int(context.clock.now()),
                                tiers=domain_tiers(context.profile))
    finally:
        conn.close()


def shown(tab: AudienceTab, table: AudienceTable) -> list[tuple]:
    model = tab.panels[table].model
    return [tuple(model.index(row, column).data(VALUE_ROLE) for column in range(model.columnCount()))
            for row in range(model.rowCount())]


def test_the_tab_shows_the_domains_numbers_in_tables_and_charts(tab, context):
    tab.show()
    expected = expected_profile(context, FollowerFilter())
    assert expected.population == 360 and expected.bio_words and expected.locations
    assert shown(tab, AudienceTable.ACCOUNT_AGE) == [(b.label, b.followers, b.share) for b in expected.account_age]
    assert shown(tab, AudienceTable.FOLLOWER_COUNTS) == [
        (b.label, b.followers, b.share) for b in expected.follower_counts]
    assert shown(tab, AudienceTable.BIO_WORDS) == [(w.word, w.uses) for w in expected.bio_words]
    assert shown(tab, AudienceTable.LOCATIONS) == [(p.location, p.followers, p.share) for p in expected.locations]
    assert {w.word for w in expected.bio_words} <= {"python", "coffee", "design", "music", "ai"}
    assert {p.location.casefold() for p in expected.locations} == {"oslo", "lima", "tokyo"}  # spellings merged
    for table, panel in tab.panels.items():
        heights = [bar.value for bar in panel.chart.bars_shown]
        assert heights == [row[1] for row in shown(tab, table)]
        assert panel.export_button.isEnabled()
    assert tab.summary_label.text().startswith("360 followers")


def test_hovering_a_bar_tells_its_exact_count(tab, context):
    tab.show()
    expected = expected_profile(context, FollowerFilter())
    ages = tab.panels[AudienceTable.ACCOUNT_AGE].chart
    busiest = max(range(len(expected.account_age)), key=lambda i: expected.account_age[i].followers)
    item = expected.account_age[busiest]
    view_box = ages.plot.getPlotItem().getViewBox()
    inside = view_box.mapViewToScene(QPointF(busiest, item.followers / 2))
    assert ages.tooltip_at_scene(inside) == (f"{item.followers:,} followers ({item.share * 100:.1f}%) on X for "
                                             f"{item.label}")
    assert ages.tooltip_at_scene(view_box.mapViewToScene(QPointF(busiest, item.followers * 1.02 + 1))) is None
    words = tab.panels[AudienceTable.BIO_WORDS].chart  # horizontal: the most used at the top
    top = expected.bio_words[0]
    rows = len(expected.bio_words)
    at_top = words.plot.getPlotItem().getViewBox().mapViewToScene(QPointF(top.uses / 2, rows - 1))
    assert words.tooltip_at_scene(at_top) == f"“{top.word}”: {top.uses:,} uses in bios"


def test_a_filter_change_counts_the_filtered_followers(tab, context, filter_state):
    tab.show()
    narrower = FollowerFilter(min_followers=100, location_contains="lima")
    filter_state.set(narrower)
    expected = expected_profile(context, narrower)
    assert 0 < expected.population < 360
    assert tab.profile == expected
    assert shown(tab, AudienceTable.LOCATIONS) == [("Lima", expected.population, 1.0)]


def test_a_hidden_tab_counts_when_it_is_shown(tab, context, filter_state):
    filter_state.set(FollowerFilter(min_followers=1_000))
    assert tab.profile is None and tab.stale  # nothing counted while hidden
    tab.show()
    assert tab.profile == expected_profile(context, FollowerFilter(min_followers=1_000))


def test_new_followers_are_counted_after_a_job_wrote_data(tab, context, jobs):
    tab.show()
    conn = context.connect()
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(user_id=5, username="new", location="Quito")],
                                        seen_at=1_700_000_000)
    conn.close()
    jobs.dataChanged.emit("fetch_followers")
    assert tab.profile is not None and tab.profile.population == 361
    assert ("Quito", 1) in [row[:2] for row in shown(tab, AudienceTable.LOCATIONS)]


def test_a_table_exports_as_csv(tab, tmp_path, messages):
    tab.show()
    target = tmp_path / "words.csv"
    tab.export_table(AudienceTable.BIO_WORDS, target)
    with target.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["Word", "Uses"]
    assert rows[1:] == [[word, str(uses)] for word, uses in shown(tab, AudienceTable.BIO_WORDS)]
    assert messages.infos() == [f"Saved top bio words to {target}."]


def test_an_export_into_the_data_folder_is_refused_with_a_sentence(tab, context, messages):
    tab.show()
    target = context.data_dir / "locations.csv"
    tab.export_table(AudienceTable.LOCATIONS, target)
    assert not target.exists()
    assert len(messages.errors()) == 1 and "data folder" in messages.errors()[0]


def test_an_account_without_followers_shows_empty_tables(qtbot, data_dir, jobs, filter_state):
    empty = AppContext(data_dir / "other", settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()),
                       clock=FakeClock(), configure_log=False)
    try:
        tab = AudienceTab(empty, jobs, filter_state=filter_state)
        qtbot.addWidget(tab)
        tab.show()
        assert tab.profile is not None and tab.profile.population == 0
        assert tab.summary_label.text().startswith("0 followers")
        assert tab.panels[AudienceTable.BIO_WORDS].model.rowCount() == 0
        assert tab.panels[AudienceTable.LOCATIONS].chart.bars_shown == []
    finally:
        empty.close()


def test_before_the_first_fetch_the_tab_says_to_fetch(tab, context, monkeypatch):
    monkeypatch.setattr(context, "known_owner_id", lambda: None)  # an X account never fetched
    tab.show()
    assert tab.profile is None
    assert tab.summary_label.text() == "No followers are stored yet: fetch them first (Tools → Fetch followers)."
    assert not any(panel.export_button.isEnabled() for panel in tab.panels.values())


def test_the_tables_pass_the_model_tester(tab, qtmodeltester):
    tab.show()
    for panel in tab.panels.values():
        qtmodeltester.check(panel.model)


def test_the_charts_follow_a_dark_palette(tab):
    tab.show()
    dark = QPalette(tab.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#3daee9"))
    tab.setPalette(dark)
    for panel in tab.panels.values():
        chart = panel.chart
        assert chart.plot.backgroundBrush().color() == QColor("#1e1e1e")
        assert chart.plot.getAxis("left").textPen().color() == QColor("#eeeeee")
        assert chart.bar_item.opts["brush"] == QColor("#3daee9")


def test_opening_the_tab_does_not_import_nltk_on_the_gui_thread():
    """The Audience tab is built on the GUI thread when first opened; `import nltk` (for the bio-word tokens)
    takes a second or two, so its module must not import it: the first count does, in its worker thread."""
    script = ("import sys, twexport_qt.ui.audience_tab, twexport_qt.followers.audience_profile as profile; "
              "print('nltk' in sys.modules); profile.word_uses(['Hello https://x.co world']); "
              "print('nltk' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
