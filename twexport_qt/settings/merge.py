"""Three-way merge of settings documents: one process's changes applied over what another saved meanwhile.

The desktop app and command-line jobs each hold the settings they read at start. A save that wrote its whole copy
would undo whatever the other saved since: a command-line fetch ending hours later would turn the DM master switch
back on after the user turned it off in the app. So a save writes only what the saver changed since it last read
the file (`base`), over the file as it is now (`theirs`), field by field. Objects (the settings, each profile,
the profiles by name) merge key by key; anything else (a number, a text, a list such as the tiers) is taken whole
from whichever side changed it, the saver's side when both did; what either side deleted stays deleted.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()  # a key absent from one side: added or deleted there


def merge_changes(base: Any, ours: Any, theirs: Any) -> Any:
    """`theirs` with the changes from `base` to `ours` applied (JSON-like values: dicts, lists, scalars).

    An entry deleted on either side stays deleted (a profile the user deleted in the app does not come back
    because a command-line job changed one of its fields meanwhile)."""
    if ours == base or (theirs is _MISSING and base is not _MISSING):
        return theirs
    if isinstance(base, dict) and isinstance(ours, dict) and isinstance(theirs, dict):
        merged: dict[str, Any] = {}
        for key in [*theirs, *(key for key in ours if key not in theirs)]:
            value = merge_changes(base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING))
            if value is not _MISSING:
                merged[key] = value
        return merged
    return ours
