"""Headless subcommands of `main.py`; each module registers its own argparse subparser."""
