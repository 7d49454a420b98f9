"""The audience profile: exact bins and counts on a known population, bio words as NLTK tokens them without stop
words, URLs, mentions and numbers, locations counted together across case and spacing, and the filter obeyed."""

from __future__ import annotations

import numpy as np
import pytest
from nltk.tokenize import wordpunct_tokenize

from twexport_qt.followers.audience_profile import (
    SECONDS_PER_YEAR,
    AudienceTable,
    LocationCount,
    WordCount,
    account_age_histogram,
    audience_profile,
    follower_count_histogram,
    location_key,
    profile_table,
    stop_words,
    top_locations,
    top_words,
    word_uses,
)
from twexport_qt.followers.filters import FollowerFilter
from twexport_qt.followers.records import FollowerRecord
from twexport_qt.followers.snapshot import UNKNOWN_DATE
from twexport_qt.store import followers_repo
from twexport_qt.store.database import open_database

NOW = 1_767_225_600  # 2026-01-01 UTC
OWNER = 42
YEAR = SECONDS_PER_YEAR


def years_ago(years: float) -> int:
    return int(NOW - years * YEAR)


# -- histograms ---------------------------------------------------------------------------------------------


def test_account_ages_fall_in_whole_year_bins_with_the_oldest_open_ended():
    created = np.array([years_ago(0.1), years_ago(0.99), years_ago(1.01), years_ago(3.5), years_ago(3.2),
                        years_ago(19.9), years_ago(20.0) - 1, years_ago(30), NOW + 86_400, UNKNOWN_DATE],
                       dtype=np.int64)
    bins = account_age_histogram(created, NOW)
    counts = {item.label: item.followers for item in bins if item.followers}
    # A date after now (the clock behind X's) is under a year; an unknown date is in no bin.
    assert counts == {"under 1 year": 3, "1 year": 1, "3 years": 2, "19 years": 1, "20+ years": 2}
    assert len(bins) == 21 and bins[0].low == 0 and bins[0].high == 0 and bins[-1].high is None
    assert sum(item.followers for item in bins) == 9
    assert bins[0].share == pytest.approx(3 / 9)


def test_follower_counts_fall_in_powers_of_ten():
    counts = np.array([0, 0, 1, 9, 10, 99, 100, 999, 1_000, 9_999, 10_000, 123_456, 999_999, 1_000_000,
                       10_000_000, 80_000_000], dtype=np.int32)
    bins = follower_count_histogram(counts)
    assert [(item.label, item.followers) for item in bins] == [
        ("0", 2), ("1–9", 2), ("10–99", 2), ("100–999", 2), ("1K–9.9K", 2), ("10K–99.9K", 1),
        ("100K–999.9K", 2), ("1M–9.9M", 1), ("10M+", 2)]
    assert [(item.low, item.high) for item in bins][:3] == [(0, 0), (1, 9), (10, 99)]
    assert bins[-1].high is None
    assert sum(item.share for item in bins) == pytest.approx(1.0)


def test_an_empty_population_has_empty_bins():
    assert all(item.followers == 0 and item.share == 0 for item in account_age_histogram(np.zeros(0, np.int64), NOW))
    assert all(item.followers == 0 for item in follower_count_histogram(np.zeros(0, np.int64)))


# -- bio words ----------------------------------------------------------------------------------------------


def test_stop_words_are_the_shipped_english_list():
    words = stop_words()
    assert {"the", "and", "i", "you're", "amp"} <= words
    assert "python" not in words and "#" not in "".join(words)


def test_bio_words_leave_out_stop_words_urls_mentions_numbers_and_single_letters():
    bios = [
        "I am the Python dev at @acme_corp. Find me: https://example.com/me and www.example.org/about",
        "python, coffee & 2024 vibes; x y z #Python",
        "Coffee lover 100% — the best COFFEE",
    ]
    words = top_words(word_uses(["\n".join(bios)]))
    assert words == (WordCount("coffee", 3), WordCount("python", 3), WordCount("best", 1),
                     WordCount("dev", 1), WordCount("find", 1), WordCount("lover", 1), WordCount("vibes", 1))
    texts = {item.word for item in words}
    assert not texts & {"acme_corp", "acme", "https", "example", "com", "www", "org", "about", "2024", "100"}


def test_bio_words_are_nltks_word_tokens_whatever_the_script():
    bios = ["Café owner, naïve; नमस्ते दुनिया — 東京 lover", "don't stop_me now", "ÉCOLE école"]
    expected: dict[str, int] = {}
    for bio in bios:  # wordpunct_tokenize's word tokens, lower-cased: the bio-words filter's tokens
        for token in wordpunct_tokenize(bio.lower()):
            if token[0].isalnum() or token[0] == "_":
                expected[token] = expected.get(token, 0) + 1
    assert dict(word_uses(bios)) == expected
    assert word_uses(bios)["नमस्ते"] == 1  # combining marks stay inside the word
    assert word_uses(bios)["école"] == 2


def test_top_words_keep_the_top_n_most_used_ties_alphabetically():
    uses = {"zebra": 5, "apple": 5, "mango": 7, "kiwi": 1, "the": 99, "42": 50, "a": 9}
    assert top_words(uses, top=3) == (WordCount("mango", 7), WordCount("apple", 5), WordCount("zebra", 5))


# -- locations ----------------------------------------------------------------------------------------------


def test_locations_are_counted_together_across_case_and_spacing_and_shown_as_most_spelled():
    spellings = {"London": 2, " london ": 1, "LONDON": 1, "London, UK": 1, "New  York": 1, "new york": 2,
                 "": 9, "   ": 3}
    assert top_locations(spellings) == (
        LocationCount("London", 4, 4 / 8), LocationCount("new york", 3, 3 / 8), LocationCount("London, UK", 1, 1 / 8))
    assert location_key("  São   PAULO ") == "são paulo"
    assert top_locations(spellings, top=1) == (LocationCount("London", 4, 4 / 8),)  # shares of all given


# -- the whole profile from the database -----------------------------------------------------------------------


def follower(user_id: int, *, age: float | None, followers: int, bio: str = "", location: str = "") -> FollowerRecord:
    return FollowerRecord(user_id=user_id, username=f"user{user_id}", description=bio, location=location,
                          created_at=None if age is None else years_ago(age), followers_count=followers)


POPULATION = [
    follower(1, age=0.5, followers=0, bio="Python developer https://t.co/x", location="London"),
    follower(2, age=2.5, followers=5, bio="python and coffee @friend", location="london "),
    follower(3, age=2.7, followers=50, bio="Coffee coffee", location="Paris"),
    follower(4, age=None, followers=500, bio="", location=""),
    follower(5, age=12, followers=5_000, bio="the developer", location="LONDON"),
    follower(6, age=25, followers=2_000_000, bio="2025 news", location="Paris"),
]
LEFT = follower(7, age=1.5, followers=7, bio="python python python", location="Oslo")


@pytest.fixture
def conn():
    conn = open_database(":memory:")
    with conn:
        followers_repo.upsert_followers(conn, OWNER, [*POPULATION, LEFT], seen_at=NOW)
        conn.execute("UPDATE followers SET unfollowed_at = ? WHERE user_id = ?", (NOW, LEFT.user_id))
    yield conn
    conn.close()


def test_the_profile_counts_the_current_followers_exactly(conn):
    profile = audience_profile(conn, OWNER, FollowerFilter(), NOW)
    assert (profile.population, profile.known_join_date, profile.with_bio, profile.with_location) == (6, 5, 5, 5)
    ages = {item.label: item.followers for item in profile.account_age if item.followers}
    assert ages == {"under 1 year": 1, "2 years": 2, "12 years": 1, "20+ years": 1}
    counts = {item.label: item.followers for item in profile.follower_counts if item.followers}
    assert counts == {"0": 1, "1–9": 1, "10–99": 1, "100–999": 1, "1K–9.9K": 1, "1M–9.9M": 1}
    assert profile.bio_words == (WordCount("coffee", 3), WordCount("developer", 2), WordCount("python", 2),
                                 WordCount("news", 1))
    assert profile.locations == (LocationCount("London", 3, 3 / 5), LocationCount("Paris", 2, 2 / 5))


def test_the_profile_obeys_the_filter_numeric_and_text_criteria_and_those_who_left(conn):
    everyone = audience_profile(conn, OWNER, FollowerFilter(include_unfollowed=True), NOW)
    assert everyone.population == 7 and WordCount("python", 5) in everyone.bio_words
    assert LocationCount("Oslo", 1, 1 / 6) in everyone.locations
    popular = audience_profile(conn, OWNER, FollowerFilter(min_followers=50), NOW)
    assert popular.population == 4
    assert popular.locations == (LocationCount("Paris", 2, 2 / 3), LocationCount("LONDON", 1, 1 / 3))
    londoners = audience_profile(conn, OWNER, FollowerFilter(location_contains="london"), NOW)
    assert londoners.population == 3 and londoners.with_bio == 3
    assert londoners.bio_words[:2] == (WordCount("developer", 2), WordCount("python", 2))
    coffee = audience_profile(conn, OWNER, FollowerFilter(description_words="coffee"), NOW)
    assert coffee.population == 2 and coffee.bio_words[0] == WordCount("coffee", 3)


def test_top_limits_the_word_and_location_tables(conn):
    profile = audience_profile(conn, OWNER, FollowerFilter(), NOW, top=1)
    assert profile.bio_words == (WordCount("coffee", 3),) and len(profile.locations) == 1


def test_no_followers_give_an_empty_profile(conn):
    profile = audience_profile(conn, 999, FollowerFilter(), NOW)
    assert profile.population == profile.with_bio == 0
    assert profile.bio_words == profile.locations == ()


def test_tables_hold_the_profiles_figures(conn):
    profile = audience_profile(conn, OWNER, FollowerFilter(), NOW)
    locations = profile_table(profile, AudienceTable.LOCATIONS)
    assert locations.header == ("Location", "Followers", "Share")
    assert locations.rows == (("London", 3, "60.0%"), ("Paris", 2, "40.0%"))
    ages = profile_table(profile, AudienceTable.ACCOUNT_AGE)
    assert ages.rows[0] == ("under 1 year", 1, "20.0%") and len(ages.rows) == 21
    assert profile_table(profile, AudienceTable.BIO_WORDS).rows[0] == ("coffee", 3)
    assert profile_table(profile, AudienceTable.FOLLOWER_COUNTS).header[0] == "Their followers"
