"""`--api-base-url`: loopback addresses only, so credentials never reach a third party."""

from __future__ import annotations

import pytest

from twexport_qt.core.errors import ConfigError
from twexport_qt.gateway.routing import checked_api_base_url


@pytest.mark.parametrize(("given", "kept"), [
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
    ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
    ("https://localhost:9000", "https://localhost:9000"),
    ("http://[::1]:8765", "http://[::1]:8765"),
    ("http://127.1.2.3:80", "http://127.1.2.3:80"),
])
def test_loopback_addresses_are_accepted(given, kept):
    assert checked_api_base_url(given) == kept


@pytest.mark.parametrize("refused", [
    "https://api.twitter.com", "http://10.0.0.5:8765", "http://127.0.0.1.evil.example:8765",
    "http://user:pw@127.0.0.1:8765", "ftp://127.0.0.1", "127.0.0.1:8765", "http://127.0.0.1:8765/2/",
    "http://192.168.1.2", "http://localhost.evil.example", "", "http://127.0.0.1:99999",
])
def test_anything_else_is_refused_with_a_sentence(refused):
    with pytest.raises(ConfigError, match="loopback only"):
        checked_api_base_url(refused)
