from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from twexport_qt.tweets.options import DatasetOptions, file_extension, parse_timeframe, sentiment_token


def test_parse_timeframe_full_and_date_only() -> None:
    assert parse_timeframe("202403221530") == datetime(2024, 3, 22, 15, 30, tzinfo=UTC)
    assert parse_timeframe(" 20060322 ") == datetime(2006, 3, 22, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["", "2024", "2024-03-22", "20240322153", "2024032215301", "abcdefghijkl"])
def test_parse_timeframe_rejects_other_layouts_naming_the_expected_one(bad: str) -> None:
    with pytest.raises(ValueError, match="YYYYMMDDHHMM"):
        parse_timeframe(bad)


def test_parse_timeframe_rejects_impossible_dates() -> None:
    with pytest.raises(ValueError, match="not a real date"):
        parse_timeframe("202402301200")


@pytest.mark.parametrize("categories", [1, 2, 4, 6, 8, -3, True])
def test_sentiment_must_be_0_3_5_or_7(categories: int) -> None:
    with pytest.raises(ValueError, match="0 \\(no labels\\), 3, 5 or 7"):
        DatasetOptions(sentiment=categories)


@pytest.mark.parametrize(
    "kwargs",
    [{"limit": 0}, {"limit": -5}, {"limit": 2.5}, {"text_format": "fancy"}, {"output_format": "xlsx"}],
)
def test_other_invalid_values_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        DatasetOptions(**kwargs)  # type: ignore[arg-type]


def test_start_must_precede_end() -> None:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="before its end"):
        DatasetOptions(start=moment, end=moment)


def test_naive_datetimes_are_taken_as_utc() -> None:
    options = DatasetOptions(start=datetime(2024, 1, 1))
    assert options.start == datetime(2024, 1, 1, tzinfo=UTC)


def test_json_round_trip_keeps_every_field() -> None:
    options = DatasetOptions(
        limit=500,
        include_replies=True,
        include_links=False,
        include_quotes=True,
        strip_usertags=True,
        strip_hashtags=True,
        sentiment=5,
        text_format="reply",
        start=datetime(2020, 5, 1, 12, 0, tzinfo=UTC),
        end=datetime(2021, 1, 1, tzinfo=timezone(timedelta(hours=2))),
        output_format="jsonl",
    )
    assert DatasetOptions.from_json(options.to_json()) == options


def test_json_is_stable_and_ignores_unknown_keys() -> None:
    assert DatasetOptions(limit=3).to_json() == DatasetOptions(limit=3).to_json()
    assert DatasetOptions.from_json('{"limit": 3, "added_in_v9": true}') == DatasetOptions(limit=3)


def test_from_json_validates() -> None:
    with pytest.raises(ValueError):
        DatasetOptions.from_json('{"sentiment": 4}')
    with pytest.raises(ValueError):
        DatasetOptions.from_json("[1, 2]")


# ----- dataset fields (issue 16) -------------------------------------------------------------------------

def test_options_saved_before_the_dataset_fields_existed_keep_their_json_and_load() -> None:
    old = ('{"end": null, "include_links": true, "include_quotes": false, "include_replies": false, "limit": null, '
           '"output_format": "csv", "sentiment": 0, "start": null, "strip_hashtags": false, '
           '"strip_usertags": false, "text_format": "simple"}')
    assert DatasetOptions().to_json() == old  # the same job key as before the upgrade: the job resumes
    loaded = DatasetOptions.from_json(old)
    assert loaded == DatasetOptions() and loaded.split is None and loaded.languages == ()


def test_dataset_fields_round_trip_through_json() -> None:
    options = DatasetOptions(output_format="chat-jsonl", system_prompt="You are Alice.", sentiment=3,
                             sentiment_style="token", thread_depth=4, dedupe=True, near_duplicate_threshold=0.9,
                             min_length=20, languages=("en", "pt"), scrub_contacts=True, scrub_mentions=True,
                             scrub_links=True, split=(0.8, 0.1, 0.1), seed=42)
    restored = DatasetOptions.from_json(options.to_json())
    assert restored == options
    assert restored.split == (0.8, 0.1, 0.1) and restored.languages == ("en", "pt")


def test_languages_are_normalized_and_split_lists_become_tuples() -> None:
    options = DatasetOptions(languages=[" EN", "pt", "en", "zh-CN"], split=[1, 0, 0])  # type: ignore[arg-type]
    assert options.languages == ("en", "pt", "zh-cn")
    assert options.split == (1.0, 0.0, 0.0)


@pytest.mark.parametrize(("kwargs", "sentence"), [
    ({"sentiment_style": "emoji"}, "'metadata' or 'token'"),
    ({"thread_depth": 0}, "from 1 to 10"),
    ({"thread_depth": 11}, "from 1 to 10"),
    ({"near_duplicate_threshold": 0}, "above 0 and at most 1"),
    ({"near_duplicate_threshold": 1.5}, "above 0 and at most 1"),
    ({"min_length": -1}, "0 or more"),
    ({"languages": "en"}, "list of X language codes"),
    ({"languages": ("english!",)}, "not a language code"),
    ({"split": (0.8, 0.1)}, "three shares"),
    ({"split": (0.8, 0.1, 0.2)}, "add up to 1"),
    ({"split": (1.2, -0.1, -0.1)}, "add up to 1"),
    ({"split": (0.0, 0.5, 0.5)}, "training share"),
    ({"seed": 1.5}, "whole number"),
])
def test_dataset_fields_are_validated_with_a_sentence(kwargs: dict[str, object], sentence: str) -> None:
    with pytest.raises(ValueError, match=sentence):
        DatasetOptions(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "built"), [
    ({}, False),
    ({"output_format": "jsonl", "min_length": 10, "languages": ("en",), "scrub_contacts": True}, False),
    ({"output_format": "chat-jsonl"}, True),
    ({"output_format": "text-jsonl"}, True),
    ({"dedupe": True}, True),
    ({"split": (0.9, 0.05, 0.05)}, True),
])
def test_needs_build_for_formats_dedupe_and_splits_only(kwargs: dict[str, object], built: bool) -> None:
    assert DatasetOptions(**kwargs).needs_build() is built  # type: ignore[arg-type]


def test_sentiment_tokens_and_file_extensions() -> None:
    assert sentiment_token("POSITIVE") == "<|sentiment:positive|>"
    assert sentiment_token("EXTREMELY NEGATIVE") == "<|sentiment:extremely_negative|>"
    assert [file_extension(f) for f in ("csv", "jsonl", "txt", "chat-jsonl", "text-jsonl")] == [
        "csv", "jsonl", "txt", "jsonl", "jsonl"]
