"""The do-not-contact service: the list with follower names in one read, adding by any spelling of a username or
by id, removing; each change committed on its own (another connection sees it at once)."""

from __future__ import annotations

import pytest

from twexport_qt.followers.records import FollowerRecord
from twexport_qt.services.do_not_contact import DoNotContactService, UnknownFollower
from twexport_qt.store import dm_repo, followers_repo
from twexport_qt.store.database import open_database

OWNER = 42


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "db.sqlite3"
    conn = open_database(path)
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [FollowerRecord(11, "Grace_H"), FollowerRecord(12, "bob")], 1)
    conn.close()
    return path


@pytest.fixture
def service(db_path, fake_clock, connections_to):
    return DoNotContactService(connections_to(db_path), fake_clock)


def stored(db_path) -> list[tuple[int, str]]:
    conn = open_database(db_path)
    try:
        return [(entry.user_id, entry.reason) for entry in dm_repo.do_not_contact_list(conn, OWNER)]
    finally:
        conn.close()


@pytest.mark.parametrize("typed", ["grace_h", "@GRACE_H", " https://x.com/Grace_H ", "twitter.com/grace_h?s=20"])
def test_a_follower_is_added_by_any_spelling_of_the_username(service, db_path, typed):
    assert service.add(OWNER, typed, " asked ") == 11
    assert stored(db_path) == [(11, "asked")]  # committed: another connection sees it


def test_entries_carry_the_follower_name_and_people_not_fetched_are_listed_by_id(service, fake_clock):
    service.add(OWNER, "12")
    fake_clock.advance(60)
    service.add(OWNER, "999", "added by id")
    assert [(e.user_id, e.username, e.reason, e.added_at) for e in service.entries(OWNER)] == [
        (12, "bob", "", int(fake_clock.now()) - 60), (999, "", "added by id", int(fake_clock.now()))]


def test_adding_again_updates_the_reason(service):
    service.add(OWNER, "bob", "first reason")
    service.add(OWNER, "@bob", "second reason")
    assert [(e.user_id, e.reason) for e in service.entries(OWNER)] == [(12, "second reason")]


@pytest.mark.parametrize(("typed", "sentence"), [
    ("nobody", "No fetched follower is called 'nobody': check the spelling, or fetch followers first."),
    ("   ", "Type a @username or an id."),
    ("@", "Type a @username or an id."),
])
def test_a_name_that_matches_nobody_adds_nothing_and_says_why(service, db_path, typed, sentence):
    with pytest.raises(UnknownFollower) as raised:
        service.add(OWNER, typed)
    assert raised.value.user_message == sentence
    assert stored(db_path) == []


def test_remove_takes_people_off_and_counts_those_who_were_on(service, db_path):
    service.add(OWNER, "11")
    service.add(OWNER, "12")
    assert service.remove(OWNER, [11, 404]) == 1
    assert stored(db_path) == [(12, "")]
