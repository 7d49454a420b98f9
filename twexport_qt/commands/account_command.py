"""`main.py account sign-in | sign-out | test`: connect a profile to an X account with "Sign in with X" (OAuth 2.0
with PKCE, through the browser and a redirect to 127.0.0.1), revoke that sign-in, or ask X who a profile's
credentials act as and what they may do.

    main.py account sign-in --client-id ID [--profile NAME] [--port N]   # prints the address, opens the browser
    main.py --profile NAME account test
    main.py --profile NAME account sign-out
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from typing import TYPE_CHECKING

from twexport_qt.core.errors import EXIT_BAD_INPUT, EXIT_JOB_STOPPED, EXIT_OK

if TYPE_CHECKING:  # the context is imported when the command runs: it starts logging, maybe the sandbox
    from twexport_qt.app_context import AppContext
    from twexport_qt.settings.model import Profile

PROFILE_HELP = "the profile (default: the active one, or the one given before the command with --profile)"


def register(subparsers: argparse._SubParsersAction) -> None:
    account = subparsers.add_parser("account", help="sign in with X, sign out, or test a profile's connection")
    actions = account.add_subparsers(dest="account_action", metavar="ACTION", required=True)
    sign_in = actions.add_parser(
        "sign-in", help="sign a profile in with X: opens X's page in the browser and waits for your approval",
        description="Sign in with X through your own developer app (required under pay-per-use). Register the "
                    "callback URI http://127.0.0.1:PORT/callback in the app, as a Native App (public client). See "
                    "docs/SIGN_IN.md.")
    sign_in.add_argument("--client-id", metavar="ID", help="your app's OAuth 2.0 Client ID (default: the one the "
                                                           "profile saved at its last sign-in)")
    sign_in.add_argument("--profile", dest="sign_in_profile", metavar="NAME",
                         help="the profile to sign in; created if it does not exist (default: the active profile, "
                              "or 'My X account' when the Sandbox is active)")
    sign_in.add_argument("--port", type=int, metavar="N", help="the loopback port of the callback URI registered "
                                                               "in your app (default: the profile's, 8719 at first)")
    sign_in.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                         help="how long to wait for your approval (default 300)")
    sign_in.add_argument("--no-browser", action="store_true", help="only print the address to open")
    sign_in.set_defaults(handler=_handle_sign_in)
    sign_out = actions.add_parser("sign-out", help="revoke the profile's sign-in at X and delete it from the keyring")
    sign_out.add_argument("--profile", default=argparse.SUPPRESS, metavar="NAME", help=PROFILE_HELP)
    sign_out.set_defaults(handler=_handle_sign_out)
    test = actions.add_parser("test", help="ask X who the profile's credentials act as and what they may do")
    test.add_argument("--profile", default=argparse.SUPPRESS, metavar="NAME", help=PROFILE_HELP)
    test.set_defaults(handler=_handle_test)


def _handle_sign_in(args: argparse.Namespace) -> int:
    from twexport_qt.commands.session import open_command_context
    from twexport_qt.settings.codec import MAX_REDIRECT_PORT, MIN_REDIRECT_PORT
    from twexport_qt.signin.account import profile_for_sign_in

    if args.port is not None and not MIN_REDIRECT_PORT <= args.port <= MAX_REDIRECT_PORT:
        return _fail(f"--port must be between {MIN_REDIRECT_PORT} and {MAX_REDIRECT_PORT}.")
    if args.timeout <= 0:
        return _fail("--timeout must be a number of seconds above 0.")
    context = open_command_context(args)
    try:
        name = args.sign_in_profile or _default_profile_name(context)
        profile = profile_for_sign_in(context, name)
        client_id = (args.client_id or profile.oauth2_client_id).strip()
        if not client_id:
            return _fail("--client-id is needed: your app's OAuth 2.0 Client ID, from developer.x.com → your app → "
                         "Keys and tokens (see docs/SIGN_IN.md).")
        return _sign_in(context, profile, client_id, args.port or profile.oauth2_redirect_port, args)
    finally:
        context.close()


def _sign_in(context: AppContext, profile: Profile, client_id: str, port: int, args: argparse.Namespace) -> int:
    from twexport_qt.commands.interrupts import cancel_on_first_ctrl_c
    from twexport_qt.commands.terminal_progress import TerminalProgress
    from twexport_qt.core.cancel import CancelToken
    from twexport_qt.signin.account import finish_sign_in, save_signed_in_profile, start_sign_in

    flow = start_sign_in(context, profile, client_id, port)
    try:
        print(f"Signing profile {profile.name!r} in with X (callback {flow.redirect_uri}). Open this address in "
              f"your browser if it does not open by itself:\n  {flow.authorize_url}", flush=True)
        if not args.no_browser:
            webbrowser.open(flow.authorize_url)
        print(f"Waiting up to {args.timeout:g} s for your approval on X… (Ctrl+C cancels)", flush=True)
        cancel = CancelToken()
        display = TerminalProgress(sys.stdout, now=context.clock.now)
        restore = cancel_on_first_ctrl_c(cancel, display)
        try:
            report = finish_sign_in(context, flow, profile, cancel, args.timeout)
        finally:
            restore()
            display.close()
    finally:
        flow.close()
    save_signed_in_profile(context, profile, client_id, port, report)
    print(report.sentence)
    if not context.secrets.is_persistent:
        print(f"warning: {context.secrets.backend_description} So this sign-in ends with this command.",
              file=sys.stderr)
    print(f"Profile {profile.name!r} is saved; use it with --profile {_quoted(profile.name)}.")
    return EXIT_OK if report.ok else EXIT_JOB_STOPPED


def _handle_sign_out(args: argparse.Namespace) -> int:
    from twexport_qt.commands.session import open_command_context
    from twexport_qt.signin.account import sign_out_profile

    context = open_command_context(args)
    try:
        if context.is_sandbox:
            return _fail("The Sandbox profile has built-in credentials and no sign-in; name a profile with "
                         "--profile NAME.")
        report = sign_out_profile(context, context.profile)
    finally:
        context.close()
    print(report.sentence)
    return EXIT_OK if report.revoked else EXIT_JOB_STOPPED


def _handle_test(args: argparse.Namespace) -> int:
    from twexport_qt.commands.session import open_command_context
    from twexport_qt.signin.account import check_profile_connection

    context = open_command_context(args)
    try:
        report = check_profile_connection(context, context.profile)
        if report.ok and report.account is not None and not context.is_sandbox:
            context.remember_owner(report.account.id)
    finally:
        context.close()
    print(report.sentence)
    return EXIT_OK if report.ok else EXIT_JOB_STOPPED


def _default_profile_name(context: AppContext) -> str:
    from twexport_qt.signin.account import DEFAULT_PROFILE_NAME

    return DEFAULT_PROFILE_NAME if context.is_sandbox else context.profile.name


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name else name


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT
