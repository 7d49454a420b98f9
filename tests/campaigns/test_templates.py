from __future__ import annotations

from dataclasses import dataclass

import pytest

from twexport_qt.campaigns.templates import MAX_DM_LENGTH, first_name, render, validate_template


@dataclass
class Person:
    username: str
    name: str


def test_valid_template_has_no_problems():
    assert validate_template("Hi {first_name} ({name}, @{username}) {{literal}}") == []


def test_unknown_placeholder_is_named_with_the_alternatives():
    assert validate_template("Hi {firstname}!") == [
        "Unknown placeholder {firstname}: use {name}, {first_name} or {username}"
    ]


@pytest.mark.parametrize("text", ["Hi {name", "Hi name}", "{ {name}"])
def test_unbalanced_braces_are_reported(text):
    problems = validate_template(text)
    assert problems and all("Unbalanced brace" in problem for problem in problems)


def test_attribute_lookup_is_not_a_placeholder():
    assert validate_template("{name.__class__}") == [
        "Unknown placeholder {name.__class__}: use {name}, {first_name} or {username}"
    ]


def test_empty_and_too_long_messages_are_rejected():
    assert validate_template("   ") == ["The message is empty: write the text to send."]
    assert "at most 10,000" in validate_template("x" * (MAX_DM_LENGTH + 1))[0]
    assert validate_template("x" * MAX_DM_LENGTH) == []


def test_render_fills_every_placeholder():
    text = render("Hi {first_name}! {name} / @{username} {{ok}}", Person("jamal_1n", "Jamal Smith"))
    assert text == "Hi Jamal! Jamal Smith / @jamal_1n {ok}"


def test_names_with_braces_and_format_fields_stay_literal():
    stranger = Person("evil", "{username} {0.__class__} {{x}}")
    assert render("{name}|{username}", stranger) == "{username} {0.__class__} {{x}}|evil"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Wen Novak 🎨", "Wen"),
        ("🚀 Zoë Ali", "Zoë"),
        ("Tanya O'Brien", "Tanya"),
        ("Jean-Luc Picard", "Jean-Luc"),
        ("𝐉𝐨𝐡𝐧 Bold", "John"),
        ('=HYPERLINK("http://evil.example","Ann")', "HYPERLINK"),
        ("@Ann Lee", "Ann"),
        ("🔥🔥", "fallback_user"),
        ("", "fallback_user"),
        ("123 Ann", "Ann"),
    ],
)
def test_first_name_strips_emoji_and_punctuation(name, expected):
    assert first_name(Person("fallback_user", name)) == expected


def test_empty_display_name_falls_back_to_username():
    assert render("{name}", Person("sam", "  ")) == "sam"
