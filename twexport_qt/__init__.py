"""TwExport: followers, DM campaigns and tweet datasets for X accounts, in one desktop app."""

__version__ = "0.1.0"
APP_NAME = "TwExport"
ORG_NAME = "TwExport"
