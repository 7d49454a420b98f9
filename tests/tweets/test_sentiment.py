from __future__ import annotations

import sys
from pathlib import Path

import pytest

from twexport_qt.tweets import sentiment
from twexport_qt.tweets.sentiment import (
    LEXICON_RELATIVE_PATH,
    SentimentLabeler,
    SentimentUnavailable,
    label_for_compound,
    vader_lexicon_file,
    vader_lexicon_root,
)


@pytest.mark.parametrize(
    ("compound", "three", "five", "seven"),
    [
        (0.0, "NEUTRAL", "NEUTRAL", "NEUTRAL"),
        (0.0499, "NEUTRAL", "NEUTRAL", "NEUTRAL"),
        (-0.0499, "NEUTRAL", "NEUTRAL", "NEUTRAL"),
        (0.05, "POSITIVE", "POSITIVE", "POSITIVE"),
        (-0.05, "NEGATIVE", "NEGATIVE", "NEGATIVE"),
        # A score exactly on a cut point takes the milder label, as the original's strict comparisons did
        # (test_original_parity.py checks every cut point against a model of the original).
        (0.3333, "POSITIVE", "POSITIVE", "POSITIVE"),
        (1 / 3, "POSITIVE", "POSITIVE", "POSITIVE"),
        (-1 / 3, "NEGATIVE", "NEGATIVE", "NEGATIVE"),
        (0.3334, "POSITIVE", "POSITIVE", "VERY POSITIVE"),
        (0.4999, "POSITIVE", "POSITIVE", "VERY POSITIVE"),
        (0.5, "POSITIVE", "POSITIVE", "VERY POSITIVE"),
        (-0.5, "NEGATIVE", "NEGATIVE", "VERY NEGATIVE"),
        (0.5001, "POSITIVE", "VERY POSITIVE", "VERY POSITIVE"),
        (0.6666, "POSITIVE", "VERY POSITIVE", "VERY POSITIVE"),
        (2 / 3, "POSITIVE", "VERY POSITIVE", "VERY POSITIVE"),
        (-2 / 3, "NEGATIVE", "VERY NEGATIVE", "VERY NEGATIVE"),
        (0.6667, "POSITIVE", "VERY POSITIVE", "EXTREMELY POSITIVE"),
        (-0.6667, "NEGATIVE", "VERY NEGATIVE", "EXTREMELY NEGATIVE"),
        (1.0, "POSITIVE", "VERY POSITIVE", "EXTREMELY POSITIVE"),
        (-1.0, "NEGATIVE", "VERY NEGATIVE", "EXTREMELY NEGATIVE"),
    ],
)
def test_label_for_compound_boundaries(compound: float, three: str, five: str, seven: str) -> None:
    assert label_for_compound(compound, 3) == three
    assert label_for_compound(compound, 5) == five
    assert label_for_compound(compound, 7) == seven


def test_zero_categories_means_no_label() -> None:
    assert label_for_compound(0.9, 0) is None
    labeler = SentimentLabeler(0)
    assert labeler.label("I love this") is None
    assert labeler._analyzer is None  # no lexicon load for a job without sentiment


@pytest.mark.parametrize("categories", [1, 4, 6, 9])
def test_invalid_category_count_is_rejected(categories: int) -> None:
    with pytest.raises(ValueError, match="0, 3, 5 or 7"):
        SentimentLabeler(categories)


# Compound scores from the bundled VADER lexicon, shown so a lexicon change is easy to diagnose.
@pytest.mark.parametrize(
    ("text", "three", "five", "seven"),
    [
        ("The meeting is at 3pm", "NEUTRAL", "NEUTRAL", "NEUTRAL"),  # 0.0
        ("This is fine", "POSITIVE", "POSITIVE", "POSITIVE"),  # 0.2023
        ("Good morning", "POSITIVE", "POSITIVE", "VERY POSITIVE"),  # 0.4404
        ("What a great game", "POSITIVE", "VERY POSITIVE", "VERY POSITIVE"),  # 0.6249
        ("I love this so much, best day ever!", "POSITIVE", "VERY POSITIVE", "EXTREMELY POSITIVE"),  # 0.8741
        ("sorry", "NEGATIVE", "NEGATIVE", "NEGATIVE"),  # -0.0772
        ("I am a bit sad", "NEGATIVE", "NEGATIVE", "VERY NEGATIVE"),  # -0.4767
        ("I hate this", "NEGATIVE", "VERY NEGATIVE", "VERY NEGATIVE"),  # -0.5719
        ("Terrible, awful, horrible disaster. I hate it", "NEGATIVE", "VERY NEGATIVE", "EXTREMELY NEGATIVE"),
    ],
)
def test_vader_labels_for_known_texts(text: str, three: str, five: str, seven: str) -> None:
    assert SentimentLabeler(3).label(text) == three
    assert SentimentLabeler(5).label(text) == five
    assert SentimentLabeler(7).label(text) == seven


def test_lexicon_is_found_in_the_installed_package() -> None:
    assert vader_lexicon_file().is_file()
    assert vader_lexicon_file() == vader_lexicon_root() / LEXICON_RELATIVE_PATH


def test_lexicon_root_prefers_a_pyinstaller_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "vaderSentiment").mkdir()
    (tmp_path / LEXICON_RELATIVE_PATH).write_text("good\t1.9\t0.9\t[2]\n", encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert vader_lexicon_root() == tmp_path


def test_missing_lexicon_is_a_user_facing_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment, "LEXICON_RELATIVE_PATH", "vaderSentiment/missing.txt")
    with pytest.raises(SentimentUnavailable, match="Reinstall"):
        vader_lexicon_root()
