from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import tweepy
from requests.adapters import HTTPAdapter

from twexport_qt.app_logging import LOG_BACKUPS, REDACTED, configure_logging, redact, register_secret

BEARER = "AAAAAAAAAAAAAAAAAAAAAbearerTOKEN%2Fabc%3Dxyz"
CONSUMER_KEY = "consumerKEY1234567890"
CONSUMER_SECRET = "consumerSECRET1234567890"
ACCESS_TOKEN = "12345-accessTOKEN1234567890"
ACCESS_TOKEN_SECRET = "accessSECRET1234567890"


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """Leave the root logger as we found it: other tests must not write to our temp log."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    logging.captureWarnings(False)


class _CannedAdapter(HTTPAdapter):
    """Answers every request locally, so tweepy and requests-oauthlib run their real code paths offline."""

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        response = requests.Response()
        response.status_code = 200
        response.headers["content-type"] = "application/json"
        response._content = b'{"data": {"id": "1", "name": "Me", "username": "me"}}'
        response.url = request.url
        response.request = request
        return response


def _tweepy_client(**auth) -> tweepy.Client:
    client = tweepy.Client(**auth)
    client.session.mount("https://", _CannedAdapter())
    return client


def test_real_tweepy_debug_output_never_contains_credentials(tmp_path: Path, root_logger) -> None:
    log_file = tmp_path / "twexport.log"
    configure_logging(log_file, level=logging.DEBUG)

    _tweepy_client(bearer_token=BEARER).get_user(username="me", user_auth=False)
    _tweepy_client(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        access_token=ACCESS_TOKEN,
        access_token_secret=ACCESS_TOKEN_SECRET,
    ).get_me()

    text = log_file.read_text()
    assert "Making API request" in text and "Authorization" in text  # the headers really were logged
    # Nothing was registered with register_secret here: the patterns alone must catch every form.
    for secret in (BEARER, "AAAAAAAAAAAAAAAAAAAAAbearer", CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN):
        assert secret not in text
    assert ACCESS_TOKEN_SECRET not in text
    assert f"Bearer {REDACTED}" in text
    assert f'oauth_consumer_key="{REDACTED}", oauth_token="{REDACTED}", oauth_signature="{REDACTED}"' in text


def test_tweepy_like_lines_and_registered_secrets_are_scrubbed(tmp_path: Path, root_logger) -> None:
    log_file = tmp_path / "twexport.log"
    configure_logging(log_file, level=logging.DEBUG)
    register_secret("sandbox-secret-value")

    logging.getLogger("tweepy.client").debug(
        "Making API request: GET https://api.twitter.com/2/users/me\nHeaders: %s",
        {"Authorization": "Bearer AAAA-some-bearer-token", "User-Agent": "Python/3.11"},
    )
    logging.getLogger("requests_oauthlib.oauth1_auth").debug(
        "Updated headers: {'Authorization': 'OAuth oauth_nonce=\"123\", oauth_signature_method=\"HMAC-SHA1\", "
        "oauth_consumer_key=\"ck-abcdef\", oauth_token=\"tok-abcdef\", oauth_signature=\"sig%2Babc%3D\"'}"
    )
    logging.getLogger("oauthlib").debug(
        "signature base string: GET&https%3A%2F%2Fx&oauth_consumer_key%3Dck-abcdef%26oauth_token%3Dtok-abcdef"
    )
    logging.getLogger("twexport_qt.gateway").info("retrying with sandbox-secret-value")
    try:
        raise RuntimeError("request failed with Authorization: Bearer AAAA-in-traceback")
    except RuntimeError:
        logging.getLogger("twexport_qt").exception("boom")

    text = log_file.read_text()
    leaks = ("AAAA-some-bearer-token", "ck-abcdef", "tok-abcdef", "sig%2Babc", "sandbox-secret-value")
    for leaked in (*leaks, "AAAA-in-traceback"):
        assert leaked not in text
    assert 'oauth_signature_method="HMAC-SHA1"' in text  # harmless parameters stay readable
    assert "Traceback" in text and "RuntimeError" in text


def test_url_encoded_form_of_a_registered_secret_is_scrubbed() -> None:
    register_secret("abc/def+ghi=")
    assert redact("secret=abc%2Fdef%2Bghi%3D and abc/def+ghi=") == f"secret={REDACTED} and {REDACTED}"


def test_short_values_are_not_registered() -> None:
    register_secret("ab")
    register_secret(None)
    assert redact("ab cab") == "ab cab"


def test_reconfiguring_replaces_the_handler(tmp_path: Path, root_logger) -> None:
    first = configure_logging(tmp_path / "a.log")
    second = configure_logging(tmp_path / "b.log")

    assert first not in root_logger.handlers and second in root_logger.handlers
    logging.getLogger("x").warning("hello")
    assert "hello" in (tmp_path / "b.log").read_text()
    assert "hello" not in (tmp_path / "a.log").read_text()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_log_and_every_rotated_backup_are_private(tmp_path: Path, root_logger) -> None:
    log_file = tmp_path / "twexport.log"
    # What an older version or another umask left behind: a readable log and a readable backup.
    log_file.write_text("old line\n")
    old_backup = tmp_path / "twexport.log.1"
    old_backup.write_text("older line\n")
    for path in (log_file, old_backup):
        os.chmod(path, 0o644)
    previous_umask = os.umask(0o022)  # the usual umask: a plain open() would create 0644 files
    try:
        handler = configure_logging(log_file)
        assert _mode(log_file) == 0o600 and _mode(old_backup) == 0o600
        handler.maxBytes = 300  # force several rotations
        for index in range(40):
            logging.getLogger("twexport_qt.test").warning("follower name number %d, padded to rotate", index)
    finally:
        os.umask(previous_umask)

    backups = [tmp_path / f"twexport.log.{index}" for index in range(1, LOG_BACKUPS + 1)]
    assert all(path.exists() for path in backups)  # rotation really happened, up to the last backup
    assert {path.name: _mode(path) for path in [log_file, *backups]} == {
        path.name: 0o600 for path in [log_file, *backups]
    }
    assert "padded to rotate" in log_file.read_text()  # the new active file is still written


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_new_log_file_is_private_from_the_start(tmp_path: Path, root_logger) -> None:
    log_file = tmp_path / "logs" / "twexport.log"
    previous_umask = os.umask(0o000)
    try:
        configure_logging(log_file)
    finally:
        os.umask(previous_umask)

    assert _mode(log_file) == 0o600
