"""Does a follower's reply ask us to stop? The opt-out phrases and the one rule that matches them.

The rule, the same for every language: after dropping the greetings and politeness words a reply may open with
("hi", "please", "ok", "thanks but", "por favor", "bitte"…), the reply must *start with* an opt-out phrase, word
for word, ignoring case, accents and punctuation. So "STOP", "stop please", "Please stop!", "Hi, unsubscribe me",
"Thanks but no thanks", "Non merci" and "NÃO TENHO INTERESSE" opt out; "don't stop", "I can't stop reading your
posts" and "Great, I'll have a look" do not. A negation in front of a phrase never matches, because the phrase
must come first; a phrase further into a longer message ("…so please stop") is missed on purpose, as guessing
the meaning of whole sentences is not this module's job.

Why a simple rule is enough: any reply already stops the retry (`replies.py`); the phrase only decides whether
the follower is also put on the do-not-contact list, and that errs on the side of not writing to them again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# Defaults for a new profile (settings.model takes its default from here).
DEFAULT_OPT_OUT_WORDS: tuple[str, ...] = (
    # English
    "stop", "unsubscribe", "opt out", "remove me", "no thanks", "not interested", "leave me alone",
    # Spanish
    "basta", "no me interesa", "no gracias", "dame de baja",
    # French
    "arrête", "arrêtez", "désabonner", "désabonnez-moi", "non merci", "pas intéressé",
    # German
    "kein Interesse", "abmelden", "nein danke", "aufhören", "hör auf",
    # Portuguese
    "pare", "parar", "não tenho interesse", "sem interesse", "não obrigado", "não obrigada",
    # Italian
    "non mi interessa", "no grazie",
)
# What the settings offer as the line that ends every DM, when the user turns it on.
DEFAULT_OPT_OUT_LINE = "Reply STOP to opt out."
MAX_OPT_OUT_WORDS = 200
MAX_OPT_OUT_WORD_LENGTH = 60

# Words a reply may open with before the phrase that matters, normalized (see `words`). Only leading ones are
# dropped: "stop, thanks" keeps "stop" first anyway, and "thanks" later in a reply changes nothing.
_LEADING_FILLERS = frozenset("""
    hi hello hey dear ok okay yes sorry please pls plz thanks thank you thx ty but just i im am
    hola por favor gracias pero si
    bonjour salut merci mais svp sil vous plait oui
    hallo hi bitte danke aber ja
    ola oi obrigado obrigada mas sim
    ciao grazie
""".split())
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_A_WORD = re.compile(r"[\W_]+")


def words(text: str) -> list[str]:
    """`text` as comparable words: case-folded, accents removed, apostrophes dropped ("don't" -> "dont"),
    every other non-letter, non-digit a separator. "Arrête-ça !" -> ["arrete", "ca"]."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    unaccented = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_A_WORD.sub(" ", _APOSTROPHES.sub("", unaccented)).split()


def is_usable_phrase(phrase: str) -> bool:
    """A phrase that can ever match: it has at least one letter or digit."""
    return bool(words(phrase))


def matched_phrase(reply: str, phrases: Iterable[str]) -> str | None:
    """The first of `phrases` (as written in the settings) that `reply` opts out with, or None."""
    said = words(reply)
    meant = _without_leading_fillers(said)
    for phrase in phrases:
        wanted = words(phrase)
        if not wanted:
            continue
        # A phrase that itself opens with a filler ("please stop") is compared both ways: as written against the
        # reply as written, and without its fillers against the reply without its own.
        if _starts_with(said, wanted) or _starts_with(meant, _without_leading_fillers(wanted)):
            return phrase
    return None


def _without_leading_fillers(tokens: Sequence[str]) -> list[str]:
    start = 0
    while start < len(tokens) and tokens[start] in _LEADING_FILLERS:
        start += 1
    return list(tokens[start:])


def _starts_with(tokens: Sequence[str], prefix: Sequence[str]) -> bool:
    return bool(prefix) and list(tokens[:len(prefix)]) == list(prefix)
