#!/usr/bin/env python3
"""TwExport entry point: `python main.py` opens the app; `python main.py --help` lists the commands."""

import sys

from twexport_qt.cli import main

if __name__ == "__main__":
    sys.exit(main())
