"""DM message templates: `Hi {first_name}, thanks for following!`.

Names are written by strangers, so templates are never passed to `str.format` (which would evaluate
`{0.__class__}`-style fields) and follower data is inserted in a single pass: a name that itself contains
`{username}` stays literal text. `{{` and `}}` write literal braces, as in Python format strings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Protocol

MAX_DM_LENGTH = 10_000  # X rejects longer DM texts
PLACEHOLDERS: tuple[str, ...] = ("name", "first_name", "username")

# One token per match: an escaped brace, a {placeholder}, or a stray brace (the last alternative).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_WORD_JOINERS = "'’-"
_PLACEHOLDER_HINT = "use {name}, {first_name} or {username}"


class Addressee(Protocol):
    @property
    def username(self) -> str: ...

    @property
    def name(self) -> str: ...


def validate_template(text: str) -> list[str]:
    """Every problem with `text` as a sentence the user can act on; empty list when the template is usable."""
    problems: list[str] = []
    if not text.strip():
        problems.append("The message is empty: write the text to send.")
    if len(text) > MAX_DM_LENGTH:
        problems.append(
            f"The message has {len(text):,} characters; X allows at most {MAX_DM_LENGTH:,} in a DM."
        )
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if match.group(1) is None:
            problems.append(
                f"Unbalanced brace {token!r} at character {match.start() + 1}: "
                "write {{ or }} for a literal brace."
            )
        elif match.group(1) not in PLACEHOLDERS:
            problems.append(f"Unknown placeholder {token}: {_PLACEHOLDER_HINT}")
    return problems


def render(template: str, follower: Addressee) -> str:
    """The DM text for `follower`. The template must be valid (see `validate_template`)."""
    values = {
        "name": display_name(follower),
        "first_name": first_name(follower),
        "username": follower.username,
    }
    return _substitute(template, values.__getitem__)


def with_opt_out_line(template: str, line: str) -> str:
    """`template` with the opt-out line ("Reply STOP to opt out.") as its last paragraph; `template` when the line
    is empty. The line is plain text: its braces are escaped, so it is sent exactly as written."""
    line = line.strip()
    if not line:
        return template
    return f"{template.rstrip()}\n\n{line.replace('{', '{{').replace('}', '}}')}"


def display_name(follower: Addressee) -> str:
    return (follower.name or "").strip() or follower.username


def first_name(follower: Addressee) -> str:
    """First word of the display name without emoji or punctuation; the username when no word is left.

    NFKC folds the "𝐁𝐨𝐥𝐝" and "ｗｉｄｅ" letters people decorate names with into plain letters.
    """
    normalized = unicodedata.normalize("NFKC", follower.name or "")
    # Anything that is not a letter, mark, digit or in-word joiner separates words: "🚀Ann|Lee" -> Ann, Lee.
    words = "".join(ch if _is_word_char(ch) else " " for ch in normalized).split()
    for word in (raw.strip(_WORD_JOINERS) for raw in words):
        if any(unicodedata.category(ch).startswith("L") for ch in word):
            return word
    return follower.username


def _is_word_char(ch: str) -> bool:
    return ch in _WORD_JOINERS or unicodedata.category(ch)[0] in ("L", "M", "N")


def _substitute(template: str, value_of: Callable[[str], str]) -> str:
    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        if match.group(1) in PLACEHOLDERS:
            return value_of(match.group(1))
        raise ValueError(f"Template problem at {token!r}: validate templates before rendering.")

    return _TOKEN.sub(replace, template)
