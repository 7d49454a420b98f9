"""Move from Twitter Exporter in one step, for the command line and the File menu alike: its config.json into a
profile and the keyring, and its database's DM history into the DM log.

Everything is read and checked before anything is written: config.json, the database, and which X account the
history belongs to (the profile's known account, or X's answer for the imported keys). Then, in this order: the
DM history (one transaction), the keys, the settings. Bad input therefore changes nothing, and a failure while
writing (a locked keyring, a full disk) is mended by importing again, which only adds what is missing. The
history goes first because it is what keeps people from being messaged twice: the profile must not exist
without it.

Asking X whose the keys are is a billed read: it goes into the spend ledger under the profile imported into (whose
keys, so whose X app, they are), within that profile's budgets, even when the import then stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from twexport_qt.app_context import AppContext
from twexport_qt.app_logging import register_secret
from twexport_qt.campaigns.legacy_history import HistoryImportResult, import_history
from twexport_qt.campaigns.legacy_history_report import describe_history
from twexport_qt.campaigns.twitter_exporter_db import LegacyDatabaseError, LegacyHistory, read_twitter_exporter_db
from twexport_qt.core.errors import TwExportError
from twexport_qt.secrets.credentials import CREDENTIAL_FIELDS, Credentials
from twexport_qt.settings.legacy_config import (
    ImportReport,
    LegacyConfigPlan,
    LegacyImportError,
    apply_legacy_config,
    plan_legacy_config,
)
from twexport_qt.signin.account import AccountJob, billed_to

DEFAULT_PROFILE_NAME = "Imported"
SECONDS_PER_DAY = 86_400
_MESSAGE_LABELS = {"message": "First message", "retry_message": "Retry message"}


class LegacyDatabaseMissing(LegacyDatabaseError):
    """config.json names a database that is not there (the caller says how to name another one)."""

    def __init__(self, path: Path | None, hint: str = "") -> None:
        self.path = path
        where = f"{path} does not exist" if path is not None else "is not named by a usable db_file in config.json"
        super().__init__(f"Twitter Exporter's database {where}. Nothing was imported. {hint}".strip())


class OwnerUnknown(TwExportError):
    """X could not say whose the imported keys are; the history cannot be filed under an account."""

    def __init__(self, cause: TwExportError) -> None:
        super().__init__(f"TwExport asked X which account the imported keys belong to (the DM history is kept per "
                         f"account) and got no answer: {cause.user_message} Nothing was imported; import again "
                         "once that is fixed.")
        self.exit_code = cause.exit_code


@dataclass
class TwitterExporterImport:
    """What one import did, for the report the CLI prints and the File menu shows."""

    config: ImportReport
    history: LegacyHistory | None  # None: settings only, as asked
    result: HistoryImportResult | None  # None: nothing to add (no history asked for, or an empty one)
    account: str  # whose DM log the history went into, as the report names it
    zone: str  # the time zone the old times were read in
    retry_after_days: int | None  # None: the profile sends no retry

    @property
    def changed_dm_log(self) -> bool:
        return self.result is not None and self.result.added > 0

    def describe(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        config = self.config
        lines = [f"Imported Twitter Exporter's config.json into profile {config.profile_name!r}: "
                 f"{', '.join(config.imported) or 'nothing'}."]
        for name, text in config.templates.items():
            if text.strip():
                lines.append(f"{_MESSAGE_LABELS[name]}, with Twitter Exporter's greeting kept:")
                lines += [f"    {line}" for line in text.split("\n")]
        if config.problems:
            lines += ["Skipped:", *(f"  • {problem}" for problem in config.problems)]
        if config.notes:
            lines += ["Notes:", *(f"  • {note}" for note in config.notes)]
        lines.append("DM history:")
        if self.history is None:
            lines.append("  • Not imported (settings only): people Twitter Exporter messaged may be messaged again.")
        else:
            result = self.result or HistoryImportResult(0)
            lines += [f"  • {sentence}" for sentence in describe_history(
                self.history, result, account=self.account, retry_after_days=self.retry_after_days, zone=self.zone)]
        return lines


def import_twitter_exporter(
    context: AppContext, config: Path, profile_name: str = DEFAULT_PROFILE_NAME, *,
    database: Path | None = None, with_history: bool = True, tz: tzinfo | None = None,
) -> TwitterExporterImport:
    """Import `config` (and its db_file, or `database`) into profile `profile_name`, and save the settings.

    `tz` is the zone the old times were written in (None: this computer's). Raises a TwExportError sentence, with
    nothing imported, for bad input or when the history's account cannot be known.
    """
    now = int(context.clock.now())
    plan = plan_legacy_config(config, profile_name, context.settings, context.secrets)
    history = _read_history(plan, database, now, tz) if with_history else None
    profile = plan.profile
    retry_days = profile.retry_after_days if profile.retry_message.strip() else None
    result, account = None, ""
    if history is not None and history.people:
        owner_id, account = _owner_of(context, plan)
        profile.account_id = owner_id
        conn = context.connect()
        try:
            result = import_history(conn, owner_id, history, now=now,
                                    retry_after_seconds=None if retry_days is None else retry_days * SECONDS_PER_DAY)
        finally:
            conn.close()
    _save(context, plan)
    if result is not None and profile_name == context.settings.active_profile:
        context.remember_owner(result.owner_id)  # this session may have cached the account of earlier keys
    return TwitterExporterImport(plan.report, history, result, account, _zone_name(tz), retry_days)


def _read_history(plan: LegacyConfigPlan, database: Path | None, now: int, tz: tzinfo | None) -> LegacyHistory:
    path = database or plan.report.legacy_db_file
    if path is None or not path.exists():
        raise LegacyDatabaseMissing(path)
    return read_twitter_exporter_db(path, now=now, tz=tz)


def _owner_of(context: AppContext, plan: LegacyConfigPlan) -> tuple[int, str]:
    """The X account the history belongs to: the profile's, if known (and its keys unchanged), else X's answer."""
    profile = plan.profile
    if profile.account_id is not None:
        return profile.account_id, f"account id {profile.account_id} (profile {profile.name!r})"
    credentials = _credentials_after_import(context, plan)
    if not credentials.has_user_context:
        raise LegacyImportError(
            "The DM history is kept per X account, and TwExport asks X which account the keys belong to, but "
            f"profile {profile.name!r} would not have all four twitter keys. Nothing was imported: complete the keys "
            "in config.json and import again.")
    base_url = context.api_base_url_for(profile)
    with billed_to(context, profile, AccountJob.TWITTER_EXPORTER_IMPORT) as spend:
        try:
            me = spend.gateway(credentials, base_url=base_url).me()
        except TwExportError as error:
            raise OwnerUnknown(error) from error
    owner_id = int(me["id"])
    return owner_id, f"@{me.get('username', '?')} (account id {owner_id})"


def _credentials_after_import(context: AppContext, plan: LegacyConfigPlan) -> Credentials:
    """The profile's keys as they will be once imported: config.json's valid ones over those already stored."""
    stored = context.secrets.credentials(plan.report.profile_name)
    for value in plan.secrets.values():
        register_secret(value)  # used before the keyring has seen them: keep them out of the log all the same
    values = {name: getattr(stored, name) for name in CREDENTIAL_FIELDS}
    return Credentials(**{**values, **plan.secrets})


def _save(context: AppContext, plan: LegacyConfigPlan) -> None:
    name = plan.report.profile_name
    previous = context.settings.profiles.get(name)
    apply_legacy_config(plan, context.settings, context.secrets)
    try:
        context.save_settings()
    except BaseException:
        if previous is None:  # the app keeps showing what is saved, not a profile that exists only in memory
            del context.settings.profiles[name]
        else:
            context.settings.profiles[name] = previous
        raise


def _zone_name(tz: tzinfo | None) -> str:
    if tz is not None:
        return str(tz)
    return datetime.now().astimezone().tzname() or "local time"
