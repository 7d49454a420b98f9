"""Coloured sentences (problems, cautions, asides) stay readable in light and dark palettes."""

from PySide6.QtGui import QColor

from twexport_qt.ui.palette import TextTone, tone_colour, tone_style


def _contrast(first: QColor, second: QColor) -> float:
    """WCAG contrast ratio of two colours."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_problem_and_caution_colours_read_on_white_and_on_a_dark_window() -> None:
    for tone in (TextTone.PROBLEM, TextTone.CAUTION):
        assert _contrast(QColor(tone_colour(tone, dark=False)), QColor("#ffffff")) >= 4.5
        assert _contrast(QColor(tone_colour(tone, dark=True)), QColor("#2d2d2d")) >= 4.5
        assert tone_colour(tone, dark=True) != tone_colour(tone, dark=False)


def test_quiet_text_uses_the_palette_and_styles_are_label_rules() -> None:
    assert tone_colour(TextTone.QUIET) == "palette(placeholder-text)"
    assert tone_style(TextTone.PROBLEM, dark=False) == "QLabel { color: #b00020; }"
