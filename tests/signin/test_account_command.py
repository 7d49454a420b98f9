"""`main.py account sign-in | test | sign-out` against the sandbox: the address is printed and opened, the approval
creates the profile with its token in the keyring, a followers fetch runs on it, and sign-out revokes. What X bills
for the /2/users/me of a sign-in or a test is in `main.py spend`."""

from __future__ import annotations

import webbrowser

import pytest

from tests.signin.signin_support import CLIENT_ID, free_port
from twexport_qt import cli
from twexport_qt.app_context import sandbox_credentials
from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_OK
from twexport_qt.sandbox.testing import browse_consent
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.model import AppSettings, Profile
from twexport_qt.settings.storage import load_settings, save_settings


@pytest.fixture
def base(data_dir, sandbox_server) -> list[str]:
    return ["--data-dir", str(data_dir), "--api-base-url", sandbox_server.base_url]


def test_sign_in_creates_the_profile_then_test_fetch_and_sign_out_work(base, data_dir, sandbox_server, monkeypatch,
                                                                       capsys):
    port = free_port()
    sandbox_server.state.auth.oauth2.register_client(CLIENT_ID, [f"http://127.0.0.1:{port}/callback"])
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or browse_consent(url))

    assert cli.main([*base, "account", "sign-in", "--client-id", CLIENT_ID, "--profile", "My shop",
                     "--port", str(port)]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"Open this address in your browser if it does not open by itself:\n  {opened[0]}" in out
    assert opened[0].startswith(f"{sandbox_server.base_url}/i/oauth2/authorize?response_type=code")
    assert "Signed in as @sandbox_creator" in out and "Profile 'My shop' is saved; use it with --profile " \
                                                       '"My shop".' in out
    settings = load_settings(data_dir / "settings.json").settings
    shop = settings.profiles["My shop"]
    assert (shop.kind, shop.oauth2_client_id, shop.oauth2_redirect_port) == ("x", CLIENT_ID, port)
    assert shop.account_id is not None
    token = SecretStore.open().oauth2_token("My shop")
    assert token is not None and token.access_token not in (data_dir / "settings.json").read_text()

    assert cli.main([*base, "--profile", "My shop", "spend"]) == EXIT_OK
    assert spend_lines(capsys.readouterr().out, "sign-in", "GET /2/users/me") == [
        "sign-in 1 1 1 $0.01", "GET /2/users/me 1 1 1 $0.01"]  # the new profile's first spend: its sign-in

    assert cli.main([*base, "--profile", "My shop", "account", "test"]) == EXIT_OK
    assert "with OAuth 2.0 (Sign in with X)" in capsys.readouterr().out
    assert cli.main([*base, "--profile", "My shop", "followers", "fetch", "--yes"]) == EXIT_OK
    assert "2,500" in capsys.readouterr().out

    assert cli.main([*base, "account", "sign-out", "--profile", "My shop"]) == EXIT_OK
    assert "X revoked the token" in capsys.readouterr().out
    assert SecretStore.open().oauth2_token("My shop") is None
    assert sandbox_server.state.auth.oauth2.scopes_of(token.access_token, sandbox_server.state.clock.now()) is None


def test_sign_in_needs_a_client_id_and_a_usable_port(base, capsys):
    assert cli.main([*base, "account", "sign-in", "--no-browser"]) == EXIT_BAD_INPUT
    assert "--client-id is needed" in capsys.readouterr().err
    assert cli.main([*base, "account", "sign-in", "--client-id", "x", "--port", "80"]) == EXIT_BAD_INPUT
    assert "--port must be between 1024 and 65535" in capsys.readouterr().err


def test_a_denied_sign_in_is_one_sentence_and_saves_nothing(base, data_dir, sandbox_server, monkeypatch, capsys):
    port = free_port()
    sandbox_server.state.auth.oauth2.register_client(CLIENT_ID, [f"http://127.0.0.1:{port}/callback"])
    monkeypatch.setattr(webbrowser, "open", lambda url: browse_consent(url, decision="Cancel"))
    assert cli.main([*base, "account", "sign-in", "--client-id", CLIENT_ID, "--port", str(port)]) != EXIT_OK
    assert capsys.readouterr().err.startswith("error: You did not authorize TwExport on X")
    assert "My X account" not in load_settings(data_dir / "settings.json").settings.profiles


def test_the_sandbox_profile_has_nothing_to_sign_out(base, capsys):
    assert cli.main([*base, "account", "sign-out"]) == EXIT_BAD_INPUT
    assert "built-in credentials" in capsys.readouterr().err
    assert cli.main([*base, "account", "test"]) == EXIT_OK
    assert "with OAuth 1.0a API keys" in capsys.readouterr().out


def spend_lines(printed: str, *labels: str) -> list[str]:
    """The rows of `main.py spend`'s tables that start with `labels`, their columns one space apart."""
    rows = [" ".join(line.split()) for line in printed.splitlines()]
    return [row for row in rows if row.split(" $")[0].rsplit(" ", 3)[0] in labels]


def test_account_test_is_billed_and_spend_shows_it(base, data_dir, capsys):
    """A profile with API keys: X bills the test's /2/users/me, and `spend` says so (it said nothing before)."""
    settings = AppSettings()
    settings.profiles["Shop"] = Profile(name="Shop", kind="x")
    save_settings(settings, data_dir / "settings.json")
    SecretStore.open().set_credentials("Shop", sandbox_credentials())
    assert cli.main([*base, "--profile", "Shop", "spend"]) == EXIT_OK
    assert "Nothing was billed" in capsys.readouterr().out

    assert cli.main([*base, "--profile", "Shop", "account", "test"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("Connected as @sandbox_creator")

    assert cli.main([*base, "--profile", "Shop", "spend"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "Nothing was billed" not in printed
    assert spend_lines(printed, "connection-test", "GET /2/users/me") == [
        "connection-test 1 1 1 $0.01", "GET /2/users/me 1 1 1 $0.01"]
