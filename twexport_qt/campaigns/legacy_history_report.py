"""The DM history part of the Twitter Exporter import report: what was read, added and left out, in sentences."""

from __future__ import annotations

from twexport_qt.campaigns.legacy_history import HistoryImportResult
from twexport_qt.campaigns.twitter_exporter_db import MAX_USER_ID, LegacyHistory


def describe_history(history: LegacyHistory, result: HistoryImportResult, *, account: str,
                     retry_after_days: int | None, zone: str) -> list[str]:
    """One sentence per fact. `retry_after_days` is None when the profile has no retry message."""
    people = list(history.people.values())
    if not people:
        what = "has no DM or refusal TwExport can use" if history.bad_ids else "records no DMs and no refusals"
        return [f"Twitter Exporter's database {history.path} {what}: the DM log was not changed.",
                *_left_out(history, result)]
    first = sum(1 for person in people if person.dms)
    both = sum(1 for person in people if len(person.dms) > 1)
    refused = sum(1 for person in people if person.skipped)
    sentences = [
        f"Twitter Exporter's database {history.path}: {_n(first, 'follower')} with a first DM, {both:,} of them "
        f"with the retry too, and {_n(refused, 'follower')} X refused DMs to (its times read as this computer's "
        f"local time, {zone}).",
        _added(result, account),
    ]
    if result.added and result.already_logged:
        sentences.append(f"{_n(result.already_logged, 'entry', 'entries')} already in the DM log "
                         f"{_were(result.already_logged)} left as {_pronoun(result.already_logged)} were.")
    if result.failed_replaced:
        sentences.append(f"{_n(result.failed_replaced, 'DM')} TwExport had recorded as failed "
                         f"{_were(result.failed_replaced)} done by Twitter Exporter (sent, or refused by X): "
                         "now recorded as such, so TwExport does not send them again.")
    sentences.append("TwExport never messages again anyone Twitter Exporter messaged twice or could not message.")
    if result.waiting_for_retry:
        sentences.append(_retry_sentence(result, retry_after_days))
    return sentences + _left_out(history, result)


def _added(result: HistoryImportResult, account: str) -> str:
    if not result.added:
        return (f"Nothing changed in the DM log of {account}: everything in the database was already there "
                f"({_n(result.already_logged, 'entry', 'entries')}, from an earlier import or from TwExport's own "
                "sends).")
    parts = [f"{_n(result.firsts_added, 'first DM')} and {_n(result.retries_added, 'retry', 'retries')}, as sent"]
    if result.first_skips_added:
        parts.append(f"{_n(result.first_skips_added, 'follower')} X refused DMs to, as skipped")
    if result.retry_skips_added:
        parts.append(f"the retry of {_n(result.retry_skips_added, 'follower')} X refused DMs to after the first, "
                     "as skipped")
    return f"Added to the DM log of {account}: {'; '.join(parts)}."


def _retry_sentence(result: HistoryImportResult, retry_after_days: int | None) -> str:
    waiting = _n(result.waiting_for_retry, "follower")
    if retry_after_days is None:
        return f"{waiting} got only the first DM; the profile has no retry message, so they get nothing more."
    return (f"{waiting} got only the first DM: TwExport sends them the retry message {_n(retry_after_days, 'day')} "
            f"after it, as Twitter Exporter did ({result.retry_due_now:,} {_are(result.retry_due_now)} due now).")


def _left_out(history: LegacyHistory, result: HistoryImportResult) -> list[str]:
    sentences = []
    parts = []
    bad_ids = sum(history.bad_ids.values())
    if bad_ids:
        parts.append(f"{_n(bad_ids, 'row')} whose id is not an X user id (empty, not a whole number, not positive, "
                     f"or beyond {MAX_USER_ID:,})")
    if history.duplicate_rows:
        parts.append(f"{_n(history.duplicate_rows, 'duplicate row')} (the same follower and time, or a second "
                     "skip_user row)")
    if history.extra_rows:
        parts.append(f"{_n(history.extra_rows, 'dm_status row')} beyond the second DM of "
                     f"{_n(history.people_with_extra_rows, 'follower')} (Twitter Exporter sent at most two; both "
                     "steps are recorded as sent)")
    if result.redundant_skips:
        parts.append(f"{_n(result.redundant_skips, 'skip_user row')} of followers who already had both DMs")
    if parts:
        sentences.append(f"Not imported: {'; '.join(parts)}.")
    if history.bad_timestamps:
        sentences.append(f"{_n(history.bad_timestamps, 'time')} could not be read or {_are(history.bad_timestamps)} "
                         f"impossible (such as {history.bad_timestamp_example}): those entries are recorded at the "
                         "time of this import, so a retry waits its full delay from now.")
    missing = history.not_in_follower_table
    if missing:
        sentences.append(f"{_n(missing, 'id')} {_are(missing)} not in Twitter Exporter's follower table; "
                         "imported all the same (X ids do not change).")
    if result.without_username:
        sentences.append(f"{_n(result.without_username, 'imported follower')} {_are(result.without_username)} not "
                         "among the followers TwExport has fetched, so the DM log shows no username for them "
                         "(fetch followers before importing to have them).")
    return sentences


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def _pronoun(count: int) -> str:
    return "it" if count == 1 else "they"
