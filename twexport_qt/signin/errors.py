"""Why a sign-in did not happen, or no longer works, each in a sentence saying what to do."""

from __future__ import annotations

from twexport_qt.core.errors import EXIT_JOB_STOPPED, AuthError, TwExportError

SIGN_IN_AGAIN = "Sign in again: Settings → X account → Sign in with X… (or `main.py account sign-in`)."


class SignInError(TwExportError):
    """A sign-in that did not complete."""

    default_message = "The sign-in with X did not complete. Try again."
    exit_code = EXIT_JOB_STOPPED


class SignInDenied(SignInError):
    default_message = ("You did not authorize TwExport on X, so nothing was stored. To connect the account, sign in "
                       "again and choose “Authorize app”.")


class SignInTimedOut(SignInError):
    default_message = ("X's answer did not arrive in time. If the browser showed an error about the callback URI, "
                       "check that your app's Callback URI is exactly the one TwExport shows; then sign in again.")


class StateMismatch(SignInError):
    default_message = ("The answer that reached TwExport does not belong to the sign-in it started (its state "
                       "differs), so it was refused. Start the sign-in again from TwExport.")


class PortUnavailable(SignInError):
    """The loopback port for X's redirect is taken by another program."""


class SignInExpired(AuthError):
    """The stored sign-in can no longer be renewed (refresh token spent, revoked or missing): the user must sign
    in again. An AuthError, so jobs treat it like X refusing the credentials."""

    default_message = f"X no longer accepts this profile's sign-in (it was revoked or has expired). {SIGN_IN_AGAIN}"
