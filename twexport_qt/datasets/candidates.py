"""The tweets a build keeps, column by column, so a million of them fit in a few hundred MB.

As objects (a record, its ints, a wrapper) a kept tweet costs about 800 bytes; as rows of typed arrays plus
its cleaned text, about 250. The builder fills it a page at a time, filters it (duplicates, the limit) by
selecting rows, and rebuilds a `TweetRecord` (without its raw text, which no layout needs once the text is
cleaned) only for the replies it lays out: the other rows are laid out from their `CandidateRow`.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from twexport_qt.tweets.records import TweetRecord

_NONE = -1  # tweet and account ids are positive


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """One row of the table as laid out: cheaper than its `TweetRecord`, which only replies need."""

    row: int
    tweet_id: int
    created_at: int
    conversation_id: int | None
    in_reply_to_tweet_id: int | None
    account: str


class CandidateTable:
    """Kept tweets in read order: id, time, thread, parent, author and account of each, and its cleaned text."""

    def __init__(self) -> None:
        self.accounts: list[str] = []  # the account names rows refer to by index
        self._account_numbers: dict[str, int] = {}
        self._ids = array("q")
        self._created = array("q")
        self._conversations = array("q")
        self._parents = array("q")
        self._authors = array("q")
        self._account_of = array("l")
        self.texts: list[str] = []
        self.scrubbed: dict[int, Counter[str]] = {}  # by tweet id: what scrubbing replaced, for the few with any

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, account: str, record: TweetRecord, text: str, scrubbed: Counter[str] | None = None) -> None:
        self.add_many(account, [record], [text])
        if scrubbed:
            self.scrubbed[record.id] = scrubbed

    def add_many(self, account: str, records: Sequence[TweetRecord], texts: Sequence[str]) -> None:
        """Append `records` of `account` with their cleaned `texts`, a page at a time: one extend per column
        costs a fifth of one append per column and tweet."""
        number = self._account_numbers.get(account)
        if number is None:
            number = self._account_numbers[account] = len(self.accounts)
            self.accounts.append(account)
        self._ids.extend([record.id for record in records])
        self._created.extend([record.created_at for record in records])
        self._conversations.extend([_NONE if (value := record.conversation_id) is None else value
                                    for record in records])
        self._parents.extend([_NONE if (value := record.in_reply_to_tweet_id) is None else value
                              for record in records])
        self._authors.extend([_NONE if (value := record.author_id) is None else value for record in records])
        self._account_of.extend([number] * len(records))
        self.texts.extend(texts)

    def account(self, row: int) -> str:
        return self.accounts[self._account_of[row]]

    def tweet_id(self, row: int) -> int:
        return self._ids[row]

    def record(self, row: int) -> TweetRecord:
        """The row's tweet as a record, its raw text left empty (see `texts` for the cleaned one)."""
        author, conversation, parent = self._authors[row], self._conversations[row], self._parents[row]
        return TweetRecord(self._ids[row], None if author == _NONE else author,
                           self.accounts[self._account_of[row]], self._created[row], "",
                           None if conversation == _NONE else conversation, None if parent == _NONE else parent)

    def replies(self) -> Iterator[TweetRecord]:
        """The rows that answer another tweet, as records (only those need their thread looked up)."""
        parents = self._parents
        return (self.record(row) for row in range(len(parents)) if parents[row] != _NONE)

    def rows(self) -> Iterator[CandidateRow]:
        """Every row, in order, with what laying it out needs but its record (built only for replies)."""
        account_names = self.accounts
        for row, (tweet_id, created_at, conversation_id, parent_id, account_number) in enumerate(zip(
                self._ids, self._created, self._conversations, self._parents, self._account_of, strict=True)):
            yield CandidateRow(row, tweet_id, created_at, None if conversation_id == _NONE else conversation_id,
                               None if parent_id == _NONE else parent_id, account_names[account_number])

    def select(self, rows: Iterable[int]) -> CandidateTable:
        """A table of `rows` only, in the order given."""
        # One numpy take per column instead of a Python append per row and column (a 1M-row table is
        # filtered in well under a second).
        chosen_rows = np.fromiter(rows, dtype=np.intp)
        chosen = CandidateTable()
        chosen.accounts, chosen._account_numbers = self.accounts, self._account_numbers
        for column, target in ((self._ids, chosen._ids), (self._created, chosen._created),
                               (self._conversations, chosen._conversations), (self._parents, chosen._parents),
                               (self._authors, chosen._authors), (self._account_of, chosen._account_of)):
            if len(column):
                target.frombytes(np.frombuffer(column, dtype=np.dtype(column.typecode))[chosen_rows].tobytes())
        texts = self.texts
        chosen.texts = [texts[row] for row in chosen_rows.tolist()]
        chosen.scrubbed = self.scrubbed
        return chosen
