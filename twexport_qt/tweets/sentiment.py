"""Sentiment labels for training examples, from NLTK's VADER analyzer.

VADER's `compound` score runs from -1 (most negative) to +1 (most positive). Labels, by |compound|:

    |compound| < 0.05                 NEUTRAL (VADER's own neutral band), at every category count
    3 categories:  >= 0.05            POSITIVE / NEGATIVE
    5 categories:  0.05 <= x <= 0.5   POSITIVE / NEGATIVE
                   > 0.5              VERY POSITIVE / VERY NEGATIVE
    7 categories:  0.05 <= x <= 1/3   POSITIVE / NEGATIVE
                   1/3 < x <= 2/3     VERY POSITIVE / VERY NEGATIVE
                   > 2/3              EXTREMELY POSITIVE / EXTREMELY NEGATIVE

The cut points and their strict comparisons are the original tool's (a score exactly on a cut point takes the
milder label); its scorer was TextBlob's polarity, with NEUTRAL only at exactly 0. VADER is used instead because
it is built for social-media text (emoji, capitals, "!!!", slang, negations), and its authors put neutral at
|compound| < 0.05 (README "Differences from the original tool").

The lexicon is never downloaded at run time: the `vaderSentiment` package ships `vader_lexicon.txt`, and a
PyInstaller build must bundle it at the same relative path (see `vader_lexicon_file`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from twexport_qt.core.errors import TwExportError

if TYPE_CHECKING:
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

# Relative to the lexicon root; NLTK resolves it against `nltk.data.path` (it refuses absolute paths).
LEXICON_RELATIVE_PATH = "vaderSentiment/vader_lexicon.txt"

NEUTRAL_BAND = 0.05
_VERY_AT_5 = 0.5
_VERY_AT_7 = 1 / 3
_EXTREMELY_AT_7 = 2 / 3


class SentimentUnavailable(TwExportError):
    default_message = (
        "The sentiment lexicon (vader_lexicon.txt) is missing from this installation. "
        "Reinstall TwExport, or turn sentiment labels off."
    )


def vader_lexicon_root() -> Path:
    """The directory that holds `vaderSentiment/vader_lexicon.txt`: the PyInstaller bundle, else site-packages."""
    candidates: list[Path] = []
    bundle_dir = getattr(sys, "_MEIPASS", None)
    if bundle_dir:
        candidates.append(Path(bundle_dir))
    try:
        import vaderSentiment
    except ImportError:
        pass
    else:
        candidates.append(Path(vaderSentiment.__file__).resolve().parent.parent)
    for root in candidates:
        if (root / LEXICON_RELATIVE_PATH).is_file():
            return root
    raise SentimentUnavailable()


def vader_lexicon_file() -> Path:
    """The lexicon file itself; a PyInstaller spec bundles it as `(str(vader_lexicon_file()), "vaderSentiment")`."""
    return vader_lexicon_root() / LEXICON_RELATIVE_PATH


def label_for_compound(compound: float, categories: int) -> str | None:
    """Map a VADER compound score to the label set of `categories` (0, 3, 5 or 7); None for 0."""
    if categories == 0:
        return None
    if categories not in (3, 5, 7):
        raise ValueError(f"Sentiment must be 0, 3, 5 or 7 categories; {categories!r} is not one of them.")
    strength = abs(compound)  # the original's cut points are symmetric: "< -0.5" and "> 0.5" alike
    if strength < NEUTRAL_BAND:
        return "NEUTRAL"
    polarity = "POSITIVE" if compound > 0 else "NEGATIVE"
    if categories == 5 and strength > _VERY_AT_5:
        return f"VERY {polarity}"
    if categories == 7:
        if strength > _EXTREMELY_AT_7:
            return f"EXTREMELY {polarity}"
        if strength > _VERY_AT_7:
            return f"VERY {polarity}"
    return polarity


def _load_analyzer() -> SentimentIntensityAnalyzer:
    import nltk.data
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    root = str(vader_lexicon_root())
    if root not in nltk.data.path:
        nltk.data.path.insert(0, root)
    try:
        return SentimentIntensityAnalyzer(lexicon_file=LEXICON_RELATIVE_PATH)
    except LookupError as error:
        raise SentimentUnavailable() from error


class SentimentLabeler:
    """Labels texts with one of `categories` sentiment labels. The analyzer (about 0.2 s to load) is built on
    first use, so a job without sentiment never pays for it; each labeler owns its analyzer, nothing global."""

    def __init__(self, categories: int) -> None:
        label_for_compound(0.0, categories)  # validates the category count up front
        self.categories = categories
        self._analyzer: SentimentIntensityAnalyzer | None = None

    @property
    def enabled(self) -> bool:
        return self.categories != 0

    def compound(self, text: str) -> float:
        if self._analyzer is None:
            self._analyzer = _load_analyzer()
        return self._analyzer.polarity_scores(text)["compound"]

    def label(self, text: str) -> str | None:
        """The label for `text` (already cleaned), or None when sentiment labels are off."""
        if not self.enabled:
            return None
        return label_for_compound(self.compound(text), self.categories)
