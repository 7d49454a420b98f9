"""Dating a post from its snowflake id: X's layout, and ids too old to carry a time."""

from __future__ import annotations

from datetime import UTC, datetime

from twexport_qt.core.snowflake import SNOWFLAKE_DATES_FROM, posted_at, snowflake_id_at, snowflake_ms


def test_a_real_post_id_decodes_to_its_time():
    # The post of X's API docs samples, 1212092628029698048, has created_at 2019-12-31T19:26:16.000Z (X gives whole
    # seconds); its id holds the milliseconds too.
    assert snowflake_ms(1_212_092_628_029_698_048) == 1_577_820_376_771
    assert posted_at(1_212_092_628_029_698_048) == int(datetime(2019, 12, 31, 19, 26, 16, tzinfo=UTC).timestamp())


def test_ids_made_at_a_time_decode_to_it_whatever_their_low_bits():
    moment_ms = 1_767_225_600_123
    assert snowflake_ms(snowflake_id_at(moment_ms, low_bits=(1 << 22) - 1)) == moment_ms
    assert posted_at(snowflake_id_at(moment_ms, low_bits=5)) == moment_ms // 1000


def test_ids_before_snowflakes_and_absent_ids_are_unknown():
    assert posted_at(None) is None
    assert posted_at(0) is None
    assert posted_at(29_700_859_247) is None  # the last sequential post ids (November 2010)
    assert posted_at(20) is None
    assert posted_at(snowflake_id_at(SNOWFLAKE_DATES_FROM * 1000)) == SNOWFLAKE_DATES_FROM
