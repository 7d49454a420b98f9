"""How the app reads an X username a person typed or pasted: the one rule, used by every form, file and command.

"@Alice ", "https://x.com/Alice" and "twitter.com/Alice?s=20" all mean "Alice". X usernames ignore case, so
`username_key` is what to compare and de-duplicate on; the spelling shown stays the one typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PROFILE_URL = re.compile(
    r"^(?:https?://)?(?:(?:www|mobile)\.)?(?:x|twitter)\.com/(?P<name>[^/?#\s]*)", re.IGNORECASE
)


def normalize_username(raw: str) -> str:
    """Strip spaces, a profile URL and a leading `@` down to the bare handle (not validated)."""
    candidate = raw.strip()
    match = _PROFILE_URL.match(candidate)
    if match:
        candidate = match.group("name")
    return candidate.removeprefix("@").strip()


def username_key(username: str) -> str:
    """What two spellings of one account share."""
    return normalize_username(username).lower()


def unique_usernames(raw_names: Iterable[str]) -> list[str]:
    """Normalised usernames without blanks and case-insensitive repeats, first spelling kept."""
    seen: dict[str, str] = {}
    for raw in raw_names:
        name = normalize_username(raw)
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())
