"""The opt-out rule: a reply opts out when, after greetings and politeness words, it starts with an opt-out phrase."""

from __future__ import annotations

import pytest

from twexport_qt.campaigns import opt_out
from twexport_qt.campaigns.opt_out import DEFAULT_OPT_OUT_WORDS, matched_phrase, words
from twexport_qt.settings import model


@pytest.mark.parametrize("reply, phrase", [
    ("STOP", "stop"),
    ("stop", "stop"),
    ("Stop.", "stop"),
    ("stop please", "stop"),
    ("STOP!!! 🙅", "stop"),
    ("Please stop", "stop"),
    ("Hi, please stop sending me these", "stop"),
    ("Unsubscribe me", "unsubscribe"),
    ("No thanks", "no thanks"),
    ("no, thanks!", "no thanks"),
    ("Thanks but no thanks", "no thanks"),
    ("I'm not interested", "not interested"),
    ("Sorry, not interested.", "not interested"),
    ("Opt-out", "opt out"),
    ("No me interesa, gracias", "no me interesa"),
    ("NO ME INTERESA", "no me interesa"),
    ("Basta ya", "basta"),
    ("Arrete", "arrête"),            # accents ignored both ways
    ("ARRÊTEZ s'il vous plaît", "arrêtez"),
    ("Merci, mais non merci", "non merci"),
    ("désabonnez-moi svp", "désabonnez-moi"),
    ("Kein Interesse.", "kein Interesse"),
    ("Hallo, bitte abmelden", "abmelden"),
    ("Nein danke", "nein danke"),
    ("Hör auf!", "hör auf"),
    ("Pare de me mandar mensagens", "pare"),
    ("Não tenho interesse", "não tenho interesse"),
    ("nao tenho interesse", "não tenho interesse"),
    ("Obrigado, mas sem interesse", "sem interesse"),
    ("No grazie", "no grazie"),
])
def test_replies_that_opt_out(reply, phrase):
    assert matched_phrase(reply, DEFAULT_OPT_OUT_WORDS) == phrase


@pytest.mark.parametrize("reply", [
    "don't stop",
    "Don’t stop, I love these",
    "I can't stop reading your posts",
    "Thanks, I'll have a look!",
    "Great newsletter, subscribed",
    "stopping by to say hi",          # whole words only: "stopping" is not "stop"
    "Yes please",
    "no",
    "",
    "🙏🙏",
    "Why would I unsubscribe? Love it",
    "you should never stop writing",
])
def test_replies_that_do_not_opt_out(reply):
    assert matched_phrase(reply, DEFAULT_OPT_OUT_WORDS) is None


def test_custom_phrases_match_as_written_and_in_list_order():
    assert matched_phrase("Remove me from your list", ["cancel", "remove me"]) == "remove me"
    assert matched_phrase("please stop", ["please stop"]) == "please stop"  # a phrase that opens with a filler
    assert matched_phrase("stop", ["please stop"]) == "please stop"
    assert matched_phrase("thanks", ["thanks"]) == "thanks"  # a phrase of fillers only still matches as written
    assert matched_phrase("stop", []) is None
    assert matched_phrase("stop", ["!!!"]) is None  # nothing to compare: never matches


def test_words_are_casefolded_unaccented_and_split_on_punctuation():
    assert words("Arrête-ça, STRASSE & Straße! don't") == ["arrete", "ca", "strasse", "strasse", "dont"]


def test_new_profiles_start_from_usable_distinct_defaults():
    assert model.Profile("p").opt_out_words == list(opt_out.DEFAULT_OPT_OUT_WORDS)
    assert all(opt_out.is_usable_phrase(word) for word in DEFAULT_OPT_OUT_WORDS)
    assert len({tuple(words(word)) for word in DEFAULT_OPT_OUT_WORDS}) == len(DEFAULT_OPT_OUT_WORDS)
