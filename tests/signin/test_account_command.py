"""`main.py account sign-in | test | sign-out` against the sandbox: the address is printed and opened, the approval
creates the profile with its token in the keyring, a followers fetch runs on it, and sign-out revokes."""

from __future__ import annotations

import webbrowser

import pytest

from tests.signin.signin_support import CLIENT_ID, free_port
from twexport_qt import cli
from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_OK
from twexport_qt.sandbox.testing import browse_consent
from twexport_qt.secrets.store import SecretStore
from twexport_qt.settings.storage import load_settings


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
