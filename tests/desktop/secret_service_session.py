"""The app's secret store on whatever Secret Service DBUS_SESSION_BUS_ADDRESS leads to (run by
test_secret_service.py, which starts a private bus and gnome-keyring on it; not by pytest).

`python -m tests.desktop.secret_service_session write|read|delete PROFILE` opens the store as the app does
(`SecretStore.open()`: keyring's choice of backend), does that one step with the profile's pasted credentials, and
prints one JSON line (desktop_support.RESULT_PREFIX) of what the store said and of what the Secret Service itself
holds for the app, read with secretstorage beside the app's code.
"""

from __future__ import annotations

import json
import sys
from contextlib import closing
from dataclasses import asdict, dataclass

import keyring
import secretstorage

from tests.desktop.desktop_support import RESULT_PREFIX
from twexport_qt.secrets import CREDENTIAL_FIELDS, Credentials, SecretStore
from twexport_qt.secrets.backends import SERVICE_NAME

# Distinct, secret-looking values: each field must come back as itself.
TEST_CREDENTIALS = Credentials(
    consumer_key="ck-secret-service-test-0001",
    consumer_secret="cs-secret-service-test-0002",
    access_token="1234567890-at-secret-service-test-0003",
    access_token_secret="ats-secret-service-test-0004",
    bearer_token="AAAA-bearer-secret-service-test-0005",
)


@dataclass
class StoreReport:
    keyring_backend: str  # module.class of keyring's active backend
    store_is_persistent: bool
    store_description: str
    read_back: dict[str, str | None]  # what a second store (as at the next start) reads for the profile
    entries_in_service: list[str]  # the app's entries ("profile/field") the Secret Service holds, by attribute
    entries_locked: bool  # is the collection holding them locked


def main() -> int:
    action, profile = sys.argv[1], sys.argv[2]
    store = SecretStore.open()
    if action == "write":
        store.set_credentials(profile, TEST_CREDENTIALS)
    elif action == "delete":
        store.delete_profile(profile)
    elif action != "read":
        raise SystemExit(f"unknown action {action!r}: write, read or delete")
    again = SecretStore.open()  # a fresh store reads from the service, not from anything the first one kept
    credentials = again.credentials(profile)
    backend = keyring.get_keyring()
    locked, entries = _entries_in_service()
    report = StoreReport(
        keyring_backend=f"{type(backend).__module__}.{type(backend).__qualname__}",
        store_is_persistent=store.is_persistent,
        store_description=store.backend_description,
        read_back={field: getattr(credentials, field) for field in CREDENTIAL_FIELDS},
        entries_in_service=entries,
        entries_locked=locked,
    )
    print(RESULT_PREFIX + json.dumps(asdict(report)), flush=True)
    return 0


def _entries_in_service() -> tuple[bool, list[str]]:
    """The app's entries as the Secret Service lists them (keyring stores `service` and `username` attributes)."""
    with closing(secretstorage.dbus_init()) as connection:
        items = list(secretstorage.search_items(connection, {"service": SERVICE_NAME}))
        locked = any(item.is_locked() for item in items)
        return locked, sorted(item.get_attributes()["username"] for item in items)


if __name__ == "__main__":
    sys.exit(main())
