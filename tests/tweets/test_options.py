from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from twexport_qt.tweets.options import DatasetOptions, parse_timeframe


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
