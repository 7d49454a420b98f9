"""Log file set-up with secret redaction.

tweepy logs every request's headers at DEBUG (``Authorization: Bearer ...``) and requests-oauthlib logs the signed
``OAuth oauth_consumer_key=..., oauth_token=...`` header. The redacting filter sits on our handlers, not on loggers,
so it scrubs records from every logger that propagates to the root, third-party ones included.

The log and its rotated backups (``twexport.log.1`` ...) hold follower names and API responses, so all of them are
readable by the owner only (0600), also after a rotation and when an older version left them with other modes.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from urllib.parse import quote

REDACTED = "[REDACTED]"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
MAX_LOG_BYTES = 2_000_000
LOG_BACKUPS = 3
_HANDLER_NAME = "twexport-file"  # marks the handler configure_logging owns

# Shorter values would redact ordinary words; real keys and tokens are 20+ characters.
_MIN_SECRET_LENGTH = 6

_BEARER = re.compile(r"(Bearer\s+)[^\s'\",;]+", re.IGNORECASE)
# Credential-carrying names as they appear in tweepy, requests-oauthlib and oauthlib debug output. Nonce, timestamp
# and signature method are left readable: they help debugging and reveal nothing.
_SENSITIVE_NAMES = (
    "oauth_consumer_key|oauth_consumer_secret|oauth_token_secret|oauth_token|oauth_signature|oauth_verifier|"
    "client_key|client_secret|resource_owner_key|resource_owner_secret|"
    "consumer_key|consumer_secret|access_token_secret|access_token|bearer_token"
)
# name=value, name="value" (OAuth header, oauthlib Client repr) and name%3Dvalue (signature base string, where
# the name follows "%26", hence a look-behind for letters rather than \b).
_ASSIGNMENT = re.compile(
    rf"((?<![A-Za-z_])(?:{_SENSITIVE_NAMES})(?:=\"?|%3D(?:%22)?))((?:(?!%26|%22|%2C)[^\"',\s&>])+)", re.IGNORECASE
)
# ('name', 'value') and 'name': 'value' (oauthlib's collected params, dict reprs).
_QUOTED_PAIR = re.compile(rf"(['\"](?:{_SENSITIVE_NAMES})['\"]\s*[:,]\s*['\"])([^'\"]+)", re.IGNORECASE)
_OAUTH_SIGNATURE_LINE = re.compile(r"(\bSignature:\s+)\S+")


class SecretRedactor:
    """Replaces known secret values and credential-shaped substrings with ``[REDACTED]``. Thread-safe."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def register(self, value: str | None) -> None:
        """Redact `value` (and its URL-encoded form) from now on. Short or empty values are ignored."""
        if not value or len(value) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            self._secrets.add(value)
            self._secrets.add(quote(value, safe=""))

    def redact(self, text: str) -> str:
        with self._lock:
            # Longest first, so a secret containing another registered secret is removed whole.
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        for pattern in (_BEARER, _ASSIGNMENT, _QUOTED_PAIR, _OAUTH_SIGNATURE_LINE):
            text = pattern.sub(rf"\g<1>{REDACTED}", text)
        return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) through a SecretRedactor; never drops a record."""

    def __init__(self, redactor: SecretRedactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redactor.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when set, so the redacted traceback is what gets written.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redactor.redact(record.stack_info)
        return True


# The one process-wide redactor: secrets are registered from wherever they are read (SecretStore) and
# must be scrubbed from every handler, so this has to be shared.
_redactor = SecretRedactor()


def register_secret(value: str | None) -> None:
    """Never let `value` reach a log file."""
    _redactor.register(value)


def redact(text: str) -> str:
    return _redactor.redact(text)


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler whose active file and backups are all owner-only (0600).

    The stock handler opens each new log file with `open()`, i.e. with the umask's mode (usually 0644), and a
    rotation renames files, so backups keep whatever mode they had. Here the active file is created 0600 before
    `open()` sees it, and every existing backup is narrowed after each rotation.
    """

    def _open(self) -> io.TextIOWrapper:
        _make_private(Path(self.baseFilename))
        return super()._open()

    def rotate(self, source: str, dest: str) -> None:
        # The stock rollover's last step: by now every older backup has been renamed into place.
        super().rotate(source, dest)
        self.secure_backups()

    def secure_backups(self) -> None:
        """Make every backup file that exists owner-only."""
        for index in range(1, self.backupCount + 1):
            backup = Path(self.rotation_filename(f"{self.baseFilename}.{index}"))
            if backup.exists():
                _restrict_mode(backup)


def configure_logging(log_file: Path, level: int = logging.INFO) -> RotatingFileHandler:
    """Send all logging to a rotating, private `log_file`, scrubbed of secrets.

    Calling it again replaces the handler it installed before (e.g. after the data dir changed).
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = PrivateRotatingFileHandler(log_file, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.secure_backups()  # backups written by an older version, or under another umask
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter(_redactor))
    handler.set_name(_HANDLER_NAME)

    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return handler


def _make_private(path: Path) -> None:
    """Create `path` 0600 if missing (so it is never readable by others, not even briefly), else narrow it."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        _restrict_mode(path)


def _restrict_mode(path: Path) -> None:
    # On Windows os.chmod only sets or clears the read-only flag; 0o600 keeps the file writable, so it is harmless
    # there (the user's profile folder is private already). Best effort: a log we cannot chmod (another owner)
    # must not stop the app, and logging a failure from inside the log handler could recurse.
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass
