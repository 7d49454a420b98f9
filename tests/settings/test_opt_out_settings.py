"""The opt-out words and line of a profile: saved and loaded, validated by name, mapped onto the campaign."""

from __future__ import annotations

import json
from pathlib import Path

from twexport_qt.profile_mapping import campaign_settings
from twexport_qt.settings import AppSettings, Profile, load_settings, save_settings
from twexport_qt.settings.model import DEFAULT_OPT_OUT_WORDS
from twexport_qt.settings.validation import MAX_OPT_OUT_LINE_LENGTH, MAX_OPT_OUT_WORDS, validate_settings


def _with(profile: Profile) -> AppSettings:
    settings = AppSettings()
    settings.profiles[profile.name] = profile
    return settings


def test_defaults_off_line_and_multilingual_words():
    profile = Profile("Work")
    assert profile.opt_out_line == ""
    assert {"stop", "unsubscribe", "no thanks", "not interested", "basta", "no me interesa", "arrête",
            "désabonner", "kein Interesse", "abmelden", "pare", "não tenho interesse"} <= set(profile.opt_out_words)
    assert profile.opt_out_words is not Profile("Other").opt_out_words  # no shared mutable default


def test_round_trip(tmp_path: Path):
    path = tmp_path / "settings.json"
    settings = _with(Profile("Work", opt_out_words=["stop", "Ça suffit"], opt_out_line="Reply STOP to opt out."))
    save_settings(settings, path)
    result = load_settings(path)
    assert result.problems == [] and result.settings == settings
    saved = json.loads(path.read_text(encoding="utf-8"))["profiles"]["Work"]
    assert saved["opt_out_words"] == ["stop", "Ça suffit"] and saved["opt_out_line"] == "Reply STOP to opt out."


def test_settings_written_before_these_fields_get_the_defaults(tmp_path: Path):
    path = tmp_path / "settings.json"
    save_settings(_with(Profile("Work")), path)
    document = json.loads(path.read_text(encoding="utf-8"))
    for name in ("opt_out_words", "opt_out_line"):
        del document["profiles"]["Work"][name]
    path.write_text(json.dumps(document), encoding="utf-8")
    result = load_settings(path)
    assert result.problems == []
    assert result.settings.profiles["Work"].opt_out_words == list(DEFAULT_OPT_OUT_WORDS)


def test_bad_values_are_named_and_replaced_by_the_defaults(tmp_path: Path):
    path = tmp_path / "settings.json"
    save_settings(_with(Profile("Work")), path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["profiles"]["Work"].update(opt_out_words="stop", opt_out_line=["Reply STOP"])
    path.write_text(json.dumps(document), encoding="utf-8")
    result = load_settings(path)
    assert any(p.startswith("Profile 'Work', opt-out words: must be a list") for p in result.problems)
    assert any(p.startswith("Profile 'Work', opt-out line: must be text") for p in result.problems)
    work = result.settings.profiles["Work"]
    assert (work.opt_out_words, work.opt_out_line) == (list(DEFAULT_OPT_OUT_WORDS), "")


def test_validation_names_each_problem():
    def problems(**fields) -> list[str]:
        return [p for p in validate_settings(_with(Profile("Work", **fields))) if "opt-out" in p]

    assert problems() == [] and problems(opt_out_words=[]) == []  # an empty list: no reply opts out
    assert problems(opt_out_words=["stop", "  ", "?!"]) == [
        "Profile 'Work', opt-out words: must each have a letter or digit, or they can never match a reply "
        "(not '  ')"]
    assert "at most 200" in problems(opt_out_words=["w"] * (MAX_OPT_OUT_WORDS + 1))[0]
    assert "at most 60 characters" in problems(opt_out_words=["x" * 61])[0]
    assert problems(opt_out_line="Reply\nSTOP") == ["Profile 'Work', opt-out line: must be a single line"]
    assert "at most 200" in problems(opt_out_line="x" * (MAX_OPT_OUT_LINE_LENGTH + 1))[0]


def test_the_campaign_gets_the_profiles_words_and_line():
    campaign = campaign_settings(Profile("Work", message="Hi", opt_out_words=["stop", " halt "],
                                         opt_out_line="Reply STOP to opt out."))
    assert campaign.opt_out_words == ("stop", "halt")
    assert campaign.template_for("first", "Regular") == "Hi\n\nReply STOP to opt out."
