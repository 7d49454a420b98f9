"""What the tweet-download wizard remembers between runs: the dataset options (limit, replies, links, quotes,
stripped tags, sentiment labels and their style, text format, timeframe, quality filters, file format, system
prompt, thread depth, splits and seed: all of `DatasetOptions`) and the folder the last dataset went to.

They are kept in the data folder's UI state (`ui/ui_state.py`) when a download starts, and offered again by the
next wizard. The accounts are not remembered: whose tweets someone studies is their business, and a name
filled in from last time would quietly start a download nobody meant (an archive path would also point the
next user of the computer at a private archive). A remembered value that no longer reads (another version,
a hand-edited file) is ignored: the wizard starts from its defaults.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.ui.ui_state import ui_state

log = logging.getLogger(__name__)

OPTIONS_KEY = "tweet-wizard/options"  # DatasetOptions.to_json()
OUTPUT_FOLDER_KEY = "tweet-wizard/output-folder"


@dataclass(frozen=True)
class WizardChoices:
    """The choices of the last download started; None: nothing (usable) remembered."""

    options: DatasetOptions | None = None
    output_folder: Path | None = None  # an existing folder


def remembered_choices(data_dir: Path) -> WizardChoices:
    state = ui_state(data_dir)
    stored_options, stored_folder = state.value(OPTIONS_KEY), state.value(OUTPUT_FOLDER_KEY)
    options = None
    if isinstance(stored_options, str):
        try:
            options = DatasetOptions.from_json(stored_options)
        except (ValueError, TypeError) as exc:  # ValueError: bad JSON, or options DatasetOptions refuses
            log.info("The remembered tweet download options no longer read (%s); the defaults are shown", exc)
    folder = Path(stored_folder) if isinstance(stored_folder, str) and stored_folder else None
    return WizardChoices(options, folder if folder is not None and folder.is_dir() else None)


def remember_choices(data_dir: Path, options: DatasetOptions, output_path: Path) -> None:
    """Keep the choices of a download that starts, for the next wizard."""
    state = ui_state(data_dir)
    state.setValue(OPTIONS_KEY, options.to_json())
    state.setValue(OUTPUT_FOLDER_KEY, str(output_path.parent))
