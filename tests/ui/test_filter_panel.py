"""The follower filter form on its own: an impossible pair of fields is marked and explained under it, the view is
told its results are stale until the form is valid again; and the shared filter state remembers the last filter
of each profile across starts."""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtWidgets import QWidget

from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.services.following import RelationshipCounts
from twexport_qt.ui.filter_panel import FilterPanel, invalid_field_style
from twexport_qt.ui.filter_state import FollowerFilterState
from twexport_qt.ui.ui_state import ui_state

DAY = 86_400


def make_panel(qtbot) -> FilterPanel:
    panel = FilterPanel()
    qtbot.addWidget(panel)
    panel.show()  # isVisible() of the problem sentences needs a shown window
    return panel


def applied(panel: FilterPanel) -> list[FollowerFilter]:
    filters: list[FollowerFilter] = []
    panel.filterChanged.connect(filters.append)
    return filters


def marked(*fields: QWidget) -> bool:
    return all(field.styleSheet() == invalid_field_style() for field in fields)


def test_a_minimum_above_its_maximum_is_marked_explained_and_makes_the_results_stale(qtbot):
    panel = make_panel(qtbot)
    filters = applied(panel)
    stale: list[bool] = []
    panel.staleChanged.connect(stale.append)

    panel.min_followers.setValue(500)
    panel.flush()
    assert filters[-1].min_followers == 500 and stale == [] and not panel.results_stale

    panel.max_followers.setValue(100)
    panel.flush()
    assert len(filters) == 1  # not applied: the view keeps the last valid filter...
    assert stale == [True] and panel.results_stale  # ...and is told what it shows is stale
    assert panel.followers_problem.isVisible()
    assert panel.followers_problem.text() == ("Minimum followers (500) is greater than maximum followers (100): "
                                              "lower the minimum or raise the maximum.")
    assert marked(panel.min_followers, panel.max_followers)
    assert not panel.following_problem.isVisible() and not marked(panel.min_following, panel.max_following)

    panel.max_followers.setValue(1_000)
    panel.flush()
    assert filters[-1].max_followers == 1_000
    assert stale == [True, False] and not panel.results_stale
    assert not panel.followers_problem.isVisible() and panel.min_followers.styleSheet() == ""


def test_a_date_window_that_ends_before_it_starts_marks_both_dates(qtbot):
    panel = make_panel(qtbot)
    filters = applied(panel)
    panel.set_filter(FollowerFilter(created_after=10 * DAY))
    panel.flush()
    panel.joined_before.set_value(5 * DAY)
    panel.flush()
    assert filters[-1].created_before is None  # the invalid window was not applied
    assert panel.results_stale and panel.joined_problem.isVisible()
    assert "'Joined after' must be earlier than 'joined before'" in panel.joined_problem.text()
    assert marked(panel.joined_after.edit, panel.joined_before.edit)

    panel.clear()
    panel.flush()
    assert not panel.results_stale and not panel.joined_problem.isVisible()
    assert filters[-1] == FollowerFilter()


def test_two_wrong_pairs_are_each_explained_under_their_own_fields(qtbot):
    panel = make_panel(qtbot)
    panel.set_filter(FollowerFilter())
    panel.flush()
    panel.min_followers.setValue(9)
    panel.max_followers.setValue(1)
    panel.min_following.setValue(9)
    panel.max_following.setValue(1)
    panel.flush()
    assert "Minimum followers (9)" in panel.followers_problem.text()
    assert "Minimum following (9)" in panel.following_problem.text()
    assert not panel.error_label.isVisible()


def test_the_form_uses_the_settings_words_for_its_fields(qtbot):
    from PySide6.QtWidgets import QFormLayout, QLabel

    panel = make_panel(qtbot)
    form = panel.layout().itemAt(0).layout()
    assert isinstance(form, QFormLayout)
    label = form.labelForField(panel.min_followers)
    assert isinstance(label, QLabel) and label.text() == "Minimum followers"
    assert panel.joined_after.enabled_box.text() == "Joined after"


# -- remembered filters ------------------------------------------------------------------------------------------
def test_the_last_filter_of_each_profile_is_restored_at_the_next_start(qtbot, tmp_path):
    default = FollowerFilter(min_followers=10)
    first_run = FollowerFilterState()
    assert first_run.restore(tmp_path, "Work", default) == default  # nothing remembered yet
    first_run.set(FollowerFilter(min_followers=10, location_contains="Berlin, DE", tiers=("Big",)))
    assert first_run.restore(tmp_path, "Shop", FollowerFilter()) == FollowerFilter()
    first_run.set(FollowerFilter(verified_only=True))

    next_run = FollowerFilterState()
    assert next_run.restore(tmp_path, "Work", default) == \
        FollowerFilter(min_followers=10, location_contains="Berlin, DE", tiers=("Big",))
    assert next_run.restore(tmp_path, "Shop", FollowerFilter()) == FollowerFilter(verified_only=True)


def test_a_default_changed_in_settings_since_wins_over_the_remembered_filter(tmp_path):
    state = FollowerFilterState()
    state.restore(tmp_path, "Work", FollowerFilter(min_followers=10))
    state.set(FollowerFilter(min_followers=50))
    changed_default = FollowerFilter(min_followers=20)
    assert FollowerFilterState().restore(tmp_path, "Work", changed_default) == changed_default


def test_a_remembered_filter_that_no_longer_reads_is_ignored_without_a_word(tmp_path, messages):
    state = FollowerFilterState()
    state.restore(tmp_path, "Work", FollowerFilter())
    state.set(FollowerFilter(min_followers=5))
    settings = ui_state(tmp_path)
    key = next(key for key in settings.allKeys() if key.startswith("followers-filter/"))
    default = FollowerFilter(max_following=7)
    impossible = json.dumps({"filter": {"min_followers": 9, "max_followers": 1}, "default": default.to_dict()})
    unknown_status = json.dumps({"filter": {"dm_status": "lost"}, "default": default.to_dict()})
    for broken in ("{not json", '{"filter": [1, 2]}', impossible, unknown_status):
        settings.setValue(key, broken)
        settings.sync()
        assert FollowerFilterState().restore(tmp_path, "Work", default) == default
    assert messages.texts() == []


def test_nothing_is_remembered_before_a_profile_is_restored(tmp_path):
    FollowerFilterState().set(FollowerFilter(min_followers=5))
    assert ui_state(tmp_path).allKeys() == []


def test_activity_posts_and_lists_fields_make_the_filter_and_show_it_back(qtbot):
    panel = make_panel(qtbot)
    filters = applied(panel)
    panel.inactive_days.setValue(30)
    panel.min_tweets.setValue(1)
    panel.max_listed.setValue(5)
    panel.flush()
    assert filters[-1] == FollowerFilter(inactive_days=30, min_tweets=1, max_listed=5)
    assert panel.inactive_days.text() == "30 days"

    panel.clear()
    panel.flush()
    assert filters[-1] == FollowerFilter() and panel.inactive_days.text() == "any"
    wanted = FollowerFilter(posted_within_days=7, max_tweets=10, min_listed=2)
    panel.set_filter(wanted)
    panel.flush()
    assert filters[-1] == wanted and panel.current_filter() == wanted


def test_inactive_longer_than_posted_within_is_marked_and_explained(qtbot):
    panel = make_panel(qtbot)
    filters = applied(panel)
    panel.inactive_days.setValue(30)
    panel.posted_within_days.setValue(7)
    panel.flush()
    assert filters == [] and panel.results_stale
    assert panel.activity_problem.isVisible() and "longer than 'inactive for'" in panel.activity_problem.text()
    assert marked(panel.inactive_days, panel.posted_within_days)
    panel.posted_within_days.setValue(90)
    panel.flush()
    assert filters[-1] == FollowerFilter(inactive_days=30, posted_within_days=90) and not panel.results_stale


# -- relationship ------------------------------------------------------------------------------------------------
def test_the_relationship_choice_makes_the_filter_and_shows_it_back(qtbot):
    panel = make_panel(qtbot)
    filters = applied(panel)
    assert [panel.relationship.itemText(i) for i in range(panel.relationship.count())] == [
        "Any", "Mutuals only", "They follow, you don't"]
    panel.set_relationship_available(True)
    panel.relationship.setCurrentIndex(panel.relationship.findData("mutuals"))
    panel.flush()
    assert filters[-1] == FollowerFilter(relationship="mutuals")
    panel.set_filter(FollowerFilter(relationship="fans", min_followers=3))
    panel.flush()
    assert filters[-1] == FollowerFilter(relationship="fans", min_followers=3)
    assert panel.relationship.currentText() == "They follow, you don't"
    panel.clear()
    panel.flush()
    assert filters[-1] == FollowerFilter() and panel.relationship.currentText() == "Any"


def test_without_a_following_fetch_the_relationship_is_disabled_kept_and_not_applied(qtbot):
    panel = make_panel(qtbot)
    filters = applied(panel)
    assert not panel.relationship.isEnabled()  # until the view says a following fetch completed
    assert panel.relationship.toolTip().startswith("Fetch who you follow first")
    panel.set_filter(FollowerFilter(relationship="mutuals"))  # remembered from an earlier session, say
    panel.flush()
    assert panel.relationship.currentText() == "Any" and filters[-1] == FollowerFilter()  # it would match nobody

    incomplete = RelationshipCounts(following=10, followers=50, mutuals=0, not_following_back=10, fans=50,
                                    following_fetched_at=None, complete=False)
    panel.show_following_counts(incomplete)  # a first fetch that stopped halfway: still nothing to judge by
    panel.flush()
    assert not panel.relationship.isEnabled() and filters[-1] == FollowerFilter()

    panel.show_following_counts(replace(incomplete, following_fetched_at=1_700_000_000, complete=True))
    panel.flush()
    assert panel.relationship.isEnabled() and panel.relationship.currentText() == "Mutuals only"
    assert filters[-1] == FollowerFilter(relationship="mutuals")  # the kept choice applies now
    assert "Mutuals: followers you follow back" in panel.relationship.toolTip()

    panel.show_following_counts(None)  # another account, never fetched
    panel.flush()
    assert not panel.relationship.isEnabled() and filters[-1] == FollowerFilter()


def test_the_relationship_narrows_the_shared_filter_the_views_read(qtbot):
    panel = make_panel(qtbot)
    parent = QWidget()
    qtbot.addWidget(parent)
    state = FollowerFilterState(parent)
    panel.filterChanged.connect(state.set)
    state.set_flush(panel.flush)
    panel.set_relationship_available(True)
    panel.relationship.setCurrentIndex(panel.relationship.findData("fans"))
    assert state.current.relationship == "fans"  # an export right after the click takes it


def test_heading_for_the_words_field_is_told_once(qtbot):
    """Focusing the bio-words field or typing in it tells the view once, so it can load the word matching's
    library off the GUI thread before the filter needs it; other fields do not."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFocusEvent
    from PySide6.QtWidgets import QApplication

    panel = make_panel(qtbot)
    entered: list[bool] = []
    panel.wordsFieldEntered.connect(lambda: entered.append(True))
    QApplication.sendEvent(panel.location, QFocusEvent(QEvent.Type.FocusIn))
    assert entered == []
    QApplication.sendEvent(panel.words, QFocusEvent(QEvent.Type.FocusIn))
    assert entered == [True]
    qtbot.keyClicks(panel.words, "founder")
    QApplication.sendEvent(panel.words, QFocusEvent(QEvent.Type.FocusIn))
    assert entered == [True]

    typed_first = make_panel(qtbot)  # a user who types straight away (the field may already have focus)
    typed_first.wordsFieldEntered.connect(lambda: entered.append(True))
    qtbot.keyClicks(typed_first.words, "news")
    assert entered == [True, True]
