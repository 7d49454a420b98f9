"""The app's own error types. Each carries a sentence a user can act on; tracebacks go to the log only."""

from __future__ import annotations

# Exit codes of headless commands (README, "Command line").
EXIT_OK = 0
EXIT_JOB_STOPPED = 1     # X refused, the network stayed down, a run stopped early: rerun to resume
EXIT_BAD_INPUT = 2       # settings, arguments, files, the database or the disk need the user's attention
EXIT_BUSY = 75           # the same job runs elsewhere right now (sysexits' EX_TEMPFAIL): try again later
EXIT_CANCELLED = 130


class TwExportError(Exception):
    """Base class: `str(error)` is the user-facing message."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.default_message)

    default_message = "Something went wrong."
    exit_code = EXIT_BAD_INPUT

    @property
    def user_message(self) -> str:
        return str(self)


class Cancelled(TwExportError):
    default_message = "Cancelled."
    exit_code = EXIT_CANCELLED


class SpendLimitReached(Cancelled):
    """A job stopped before a request whose price could pass a spending limit (`billing/guard.py`).

    It ends the job like a cancel, so every fetch, download and campaign keeps what it committed and the next
    run resumes where this one stopped; unlike a cancel the user did not ask for it, so it says which limit,
    and the command line exits with the "job stopped, rerun to resume" code.
    """

    default_message = "A spending limit was reached before the next request."
    exit_code = EXIT_JOB_STOPPED


class BudgetReached(SpendLimitReached):
    """The profile's daily or monthly budget would be passed by the next request: the job pauses until it resets
    (UTC midnight, or the 1st of the month) or the budget is raised."""

    default_message = "The spending budget of this profile is reached."


class MaxCostReached(SpendLimitReached):
    """The next request could take this run past its `--max-cost`."""

    default_message = "This run reached its maximum cost."


class JobStopped(TwExportError):
    """A job stopped by an error, restated with what the user should do next; keeps the cause's exit code."""

    def __init__(self, cause: TwExportError, what_next: str) -> None:
        super().__init__(f"{cause.user_message} {what_next}")
        self.exit_code = cause.exit_code


class ConfigError(TwExportError):
    default_message = "The settings are not valid."


class ApiError(TwExportError):
    """Any failure talking to X (or the sandbox)."""

    default_message = "X API request failed."
    exit_code = EXIT_JOB_STOPPED

    def __init__(self, message: str = "", *, status: int | None = None, api_messages: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.api_messages = api_messages or []


class AuthError(ApiError):
    default_message = "X rejected the credentials. They may be wrong or revoked: re-enter them in Settings."


class ForbiddenError(ApiError):
    default_message = "X refused this request (403 Forbidden)."


class NotFoundError(ApiError):
    default_message = "Not found on X."


class BadRequestError(ApiError):
    default_message = "X rejected the request as malformed (400)."


class RateLimited(ApiError):
    """A 429 from X's rate limits. Callers wait, cancellably.

    `reset_at` (epoch seconds) and `remaining` are what the 429's `x-rate-limit-*` headers said (None: absent).
    With `remaining == 0` the budget is spent until `reset_at`. With `remaining > 0` (`budget_left`) X refused
    by a rule its headers do not describe, such as full-archive search's 1 request per second, and `reset_at`
    is only the end of the 15-minute window (XAPI_FACTS §9.3): waiting for it would stall for nothing.
    """

    default_message = "Rate limit reached."

    def __init__(self, message: str = "", *, reset_at: float | None = None, endpoint: str = "",
                 remaining: int | None = None, limit: int | None = None,
                 api_messages: list[str] | None = None) -> None:
        super().__init__(message, status=429, api_messages=api_messages)
        self.reset_at = reset_at
        self.endpoint = endpoint
        self.remaining = remaining
        self.limit = limit

    @property
    def budget_left(self) -> bool:
        """True when the headers said requests remain: a rule not in the headers was broken."""
        return self.remaining is not None and self.remaining > 0


class UsageCapExceeded(ApiError):
    """Monthly cap or prepaid credits exhausted: waiting for the 15-minute window will not help."""

    default_message = (
        "X says this app's usage cap is exceeded (monthly cap or prepaid credits). "
        "Top up or wait for the next billing cycle."
    )


class NetworkError(ApiError):
    default_message = "Could not reach X: check the network connection. Work resumes where it stopped."


class ServerError(ApiError):
    default_message = "X had a server error (5xx). Try again in a moment."


class PartialAnswer(ServerError):
    """A 200 answer without `data` that carries only `errors`: not an empty page, and not an ending.

    Retried like a 5xx; if it persists the job stops (resumable) instead of treating what it has as complete.
    """

    default_message = "X answered with only errors instead of the data asked for."
