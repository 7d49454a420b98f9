"""The documented shape of a chat-jsonl record (what `datasets`' JSON loader, TRL and hosted fine-tuning read),
checked field by field: the `datasets` library is not installed for tests, so this is the real check."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

ROLES = ("system", "user", "assistant")


def check_chat_line(line: str) -> dict[str, Any]:
    """Parse one chat-jsonl line and assert it has the documented shape; returns the record."""
    assert line.endswith("\n") and "\n" not in line[:-1], "one record per line"
    record = json.loads(line)
    assert isinstance(record, dict) and set(record) <= {"messages", "sentiment"}, record
    messages = record["messages"]
    assert isinstance(messages, list) and len(messages) >= 2
    for position, message in enumerate(messages):
        assert set(message) == {"role", "content"}, message
        assert message["role"] in ROLES and isinstance(message["content"], str) and message["content"]
        assert message["role"] != "system" or position == 0, "a system turn only comes first"
    turns = [message["role"] for message in messages if message["role"] != "system"]
    assert turns[0] == "user" and turns[-1] == "assistant"
    assert all(a != b for a, b in pairwise(turns)), f"roles alternate: {turns}"
    if "sentiment" in record:
        assert isinstance(record["sentiment"], str)
    return record
