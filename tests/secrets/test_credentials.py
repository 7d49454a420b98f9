from __future__ import annotations

from twexport_qt.secrets import Credentials

FULL = Credentials(
    consumer_key="ck-AAAAAAAAAAAA",
    consumer_secret="cs-BBBBBBBBBBBB",
    access_token="at-CCCCCCCCCCCC",
    access_token_secret="ats-DDDDDDDDDDDD",
    bearer_token="bt-EEEEEEEEEEEE",
)


def test_repr_and_str_show_which_fields_are_set_but_no_value() -> None:
    partial = Credentials(consumer_key="ck-AAAAAAAAAAAA")
    for text in (repr(FULL), str(FULL), f"{FULL!r}", repr([FULL]), repr(partial)):
        for secret in ("ck-AAAA", "cs-BBBB", "at-CCCC", "ats-DDDD", "bt-EEEE"):
            assert secret not in text
    assert "consumer_key=<set>" in repr(partial)
    assert "bearer_token=<missing>" in repr(partial)


def test_user_context_needs_all_four_oauth_values() -> None:
    assert FULL.has_user_context
    assert not Credentials(consumer_key="a", consumer_secret="b", access_token="c").has_user_context
    empty_secret = Credentials(consumer_key="a", consumer_secret="b", access_token="c", access_token_secret="")
    assert not empty_secret.has_user_context


def test_bearer() -> None:
    assert FULL.has_bearer
    assert not Credentials().has_bearer
    assert not Credentials(bearer_token="").has_bearer
