"""The one place that talks to tweepy.

`XGateway` builds a `tweepy.Client` for a profile's credentials, routes it (to the sandbox, or to X with a
timeout), turns every tweepy/requests failure into a `core.errors` type with a sentence a user can act on,
and records the `x-rate-limit-*` headers of every response. It never sleeps: waiting is the caller's job
(see `pacing.py`), so it can be cancelled and shown as a countdown.

X bills every successful answer per resource returned (per request for a DM sent), so each one is reported to an
optional `on_answer` hook as an `AnswerReceipt`: which endpoint, about whom, with which auth, and the ids of what
came back. The gateway does not price anything; `billing/` decides what a receipt costs and keeps the ledger.
Before each billable request an optional `before_request` hook hears of it as a `PlannedRequest` (at most how
many objects it can return), so a spending limit (`billing/guard.py`) can stop the job before X bills it.

Results are returned as plain JSON dicts (`Page`), so domain code needs no tweepy types.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import requests

from twexport_qt.core import errors
from twexport_qt.gateway import routing
from twexport_qt.gateway.endpoints import (
    ENDPOINT_DM_EVENTS,
    ENDPOINT_DM_SEND,
    ENDPOINT_FOLLOWERS,
    ENDPOINT_FOLLOWING,
    ENDPOINT_ME,
    ENDPOINT_SEARCH_ALL,
    ENDPOINT_TWEETS,
    ENDPOINT_USER_TWEETS,
    ENDPOINT_USERS,
    ENDPOINT_USERS_BY,
)
from twexport_qt.gateway.rate_limits import RateLimitBook, RateLimitState, endpoint_key, parse_headers

if TYPE_CHECKING:  # tweepy (with requests-oauthlib) is imported when the first gateway is made
    import tweepy

log = logging.getLogger(__name__)

# `most_recent_tweet_id` dates a follower's last post (its snowflake encodes the time, core/snowflake.py);
# X leaves it out for users who never posted (XAPI_FACTS §9.6).
USER_FIELDS = [
    "created_at", "description", "location", "profile_image_url", "protected", "public_metrics",
    "url", "verified", "verified_type", "receives_your_dm", "most_recent_tweet_id",
]
# `note_tweet` carries a long post's whole text: without it X sends only a ~280-character preview in `text`
# (XAPI_FACTS §9.2). Every tweet read asks for it: timelines, search, `GET /2/tweets` and `includes.tweets`.
TWEET_FIELDS = [
    "author_id", "conversation_id", "created_at", "entities", "in_reply_to_user_id",
    "public_metrics", "referenced_tweets", "lang", "note_tweet",
]
TWEET_EXPANSIONS = ["referenced_tweets.id", "referenced_tweets.id.author_id", "in_reply_to_user_id", "author_id"]
DM_EVENTS_PAGE_SIZE = 100  # the API maximum: a DM history page holds at most this many events
# X's 24-hour caps (e.g. on posting) come in their own headers, next to the 15-minute x-rate-limit-* ones.
DAILY_CAP_HEADER_PREFIXES = ("x-user-limit-24hour", "x-app-limit-24hour")


class CredentialsLike(Protocol):
    """The values the gateway reads (secrets.Credentials, a test's own); read-only, so frozen records fit."""

    @property
    def consumer_key(self) -> str | None: ...
    @property
    def consumer_secret(self) -> str | None: ...
    @property
    def access_token(self) -> str | None: ...
    @property
    def access_token_secret(self) -> str | None: ...
    @property
    def bearer_token(self) -> str | None: ...


@dataclass
class Page:
    """One API response: raw JSON objects, includes, the 200-with-errors list and the next cursor."""

    data: list[dict[str, Any]]
    includes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    next_token: str | None = None
    result_count: int = 0

    def require_data(self, what: str) -> Page:
        """This page, unless X answered with only `errors`: then PartialAnswer, which the pacer retries.

        An empty page is `{"meta": {"result_count": 0}}`. A 200 with `errors` and no `data` is something else (X
        could not serve the page); taking it for an empty last page would end a fetch as if it were complete.
        Call it where "no data" is never a valid answer to the question asked.
        """
        if self.data or not self.errors:
            return self
        detail = "; ".join(str(e.get("detail") or e.get("title") or e.get("message") or "") for e in self.errors[:3])
        raise errors.PartialAnswer(f"X answered {what} with only errors ({detail or 'no details'}).")

    def require_answer_about(self, requested: Iterable[object], what: str) -> Page:
        """For look-ups of ids or names, where "none of them exists" is a valid answer: X then names each one
        in an error. Only errors that name none of them mean X could not answer (PartialAnswer)."""
        if self.data or not self.errors:
            return self
        wanted = {str(value).lower() for value in requested}
        named = {str(error.get(key, "")).lower() for error in self.errors for key in ("value", "resource_id")}
        return self if wanted & named else self.require_data(what)


@dataclass(frozen=True)
class AnswerReceipt:
    """What one successful answer of X returned, for whoever keeps the bill (`billing/`).

    X bills reads per resource in the answer, `includes` too, and writes per accepted request. Whether a read
    is an Owned Read (cheaper) depends on the auth and on whose `{id}` the path names, so both are here.
    """

    endpoint: str                      # as `endpoints.py` names it, e.g. "GET /2/users/:id/followers"
    user_context: bool                 # signed as the user (OAuth 1.0a or 2.0 user token), not as the app
    subject_id: int | None             # the `{id}` in the path (None: the path names nobody)
    signed_in_id: int | None           # the signed-in account, if the gateway knows it (None: unknown)
    data_ids: tuple[str, ...]          # ids of the objects in `data` (a DM sent: its event id)
    included_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # `includes` section -> ids

    @property
    def resource_count(self) -> int:
        return len(self.data_ids) + sum(len(ids) for ids in self.included_ids.values())


AnswerHook = Callable[[AnswerReceipt], None]


@dataclass(frozen=True)
class PlannedRequest:
    """A billable request about to be sent, for whoever guards the spending: what it can cost at most follows
    from the endpoint, the auth, whose `{id}` it names and how many objects X may return in `data`."""

    endpoint: str
    user_context: bool
    subject_id: int | None
    signed_in_id: int | None
    max_results: int                   # the most objects `data` can hold (a DM sent: 1)


RequestHook = Callable[[PlannedRequest], None]


def _raw(obj: Any) -> dict[str, Any]:
    return getattr(obj, "data", obj)


def _to_page(response: tweepy.Response) -> Page:
    data = response.data
    if data is None:
        items: list[dict[str, Any]] = []
    elif isinstance(data, list):
        items = [_raw(item) for item in data]
    else:
        items = [_raw(data)]
    includes = {name: [_raw(obj) for obj in objs] for name, objs in (response.includes or {}).items()}
    meta = response.meta or {}
    return Page(
        data=items,
        includes=includes,
        errors=list(response.errors or []),
        next_token=meta.get("next_token"),
        result_count=int(meta.get("result_count", len(items))),
    )


class UserTokenSource(Protocol):
    """Where an OAuth 2.0 user token ("Sign in with X") comes from: `signin.token_keeper.UserTokenKeeper`.

    `access_token()` is asked before each request (it renews a token about to expire); after X refused a token
    (401), `renewed_access_token(refused)` is asked once for a new one. Both raise a `core.errors` type with a
    sentence ("Sign in again ...") when the sign-in cannot be renewed.
    """

    def access_token(self) -> str: ...
    def renewed_access_token(self, refused: str) -> str: ...


class Signing(enum.StrEnum):
    """How one request is signed."""

    OAUTH1 = "oauth1"  # as the user: an OAuth 1.0a signature with the four keys (tweepy's user_auth=True)
    OAUTH2_USER = "oauth2-user"  # as the user: the signed-in OAuth 2.0 user token, sent as a Bearer token
    APP = "app"  # as the app: the app-only Bearer token

    @property
    def user_context(self) -> bool:
        return self is not Signing.APP


class XGateway:
    """One per thread: tweepy's session is not shared across threads."""

    def __init__(
        self,
        credentials: CredentialsLike,
        *,
        base_url: str | None = None,
        timeout: float | tuple[float, float] = routing.DEFAULT_TIMEOUT,
        on_rate_limit: Callable[[RateLimitState], None] | None = None,
        on_answer: AnswerHook | None = None,
        signed_in_id: int | None = None,
        before_request: RequestHook | None = None,
        user_token: UserTokenSource | None = None,
    ) -> None:
        """`on_answer` hears of every successful answer (in the calling thread, after the answer was read);
        `signed_in_id` is the signed-in account's id if already known (`me()` learns it otherwise);
        `before_request` hears of every billable request before it is sent, and may stop it by raising
        (a `SpendLimitReached`: the request is then never sent); `user_token` is the profile's OAuth 2.0 user
        token ("Sign in with X"): with it, the gateway acts as the account through that token, before any
        OAuth 1.0a keys, and keeps the app-only Bearer token for what only the app may do (full-archive search,
        usage)."""
        self._credentials = credentials
        import tweepy

        self.client = tweepy.Client(
            bearer_token=credentials.bearer_token,
            consumer_key=credentials.consumer_key,
            consumer_secret=credentials.consumer_secret,
            access_token=credentials.access_token,
            access_token_secret=credentials.access_token_secret,
            wait_on_rate_limit=False,  # tweepy would block in time.sleep; pacing.py waits cancellably
        )
        routing.mount(self.client.session, base_url, timeout)
        self.client.session.hooks["response"].append(self._on_response)
        self._user_token = user_token
        # tweepy sends one Bearer token per client: the user's token goes through a second client that shares the
        # first one's session (its routing, timeout and hooks), so both tokens can be used by one gateway.
        self._user_client: tweepy.Client | None = None
        if user_token is not None:
            self._user_client = tweepy.Client(bearer_token=None, wait_on_rate_limit=False)
            self._user_client.session = self.client.session
        self.rate_limits = RateLimitBook()
        self._on_rate_limit = on_rate_limit
        self._on_answer = on_answer
        self._before_request = before_request
        self.signed_in_id = signed_in_id
        self.access_level: str | None = None  # X's `x-access-level` of the OAuth 1.0a keys, once an answer said it

    # -- auth ------------------------------------------------------------------------------------------
    @property
    def has_user_context(self) -> bool:
        """Whether this gateway acts as the account (signed in with X, or the four OAuth 1.0a keys)."""
        return self._user_token is not None or self._has_oauth1_keys

    @property
    def _has_oauth1_keys(self) -> bool:
        c = self._credentials
        return all((c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret))

    @property
    def has_bearer(self) -> bool:
        return bool(self._credentials.bearer_token)

    @property
    def user_signing(self) -> Signing | None:
        """How requests made as the account are signed: the OAuth 2.0 user token first, else OAuth 1.0a."""
        if self._user_token is not None:
            return Signing.OAUTH2_USER
        return Signing.OAUTH1 if self._has_oauth1_keys else None

    def _signing_for_reads(self) -> Signing:
        # Reads work with either; user context makes "my followers / my tweets" Owned Reads (cheaper on X).
        signing = self.user_signing
        if signing is not None:
            return signing
        if self.has_bearer:
            return Signing.APP
        raise errors.AuthError("No X credentials are set for this profile: add them in Settings.")

    def _signing_as_user(self, what: str) -> Signing:
        signing = self.user_signing
        if signing is None:
            raise errors.AuthError(
                f"{what} needs you signed in with X (Settings → X account), or user-context API keys (consumer "
                "key/secret and access token/secret) with Read, Write and Direct Messages permission."
            )
        return signing

    # -- endpoints -------------------------------------------------------------------------------------
    def me(self) -> dict[str, Any]:
        signing = self._signing_as_user("Identifying the signed-in account")
        page = self._call(ENDPOINT_ME, None, 1, signing, "get_me",
                          user_fields=USER_FIELDS).require_data("the question who is signed in")
        if not page.data:
            raise errors.ApiError("X did not return the signed-in account.")
        me = page.data[0]
        try:
            self.signed_in_id = int(me["id"])
        except (KeyError, TypeError, ValueError):
            pass  # the callers say what is wrong with an answer without an id
        return me

    def followers_page(self, user_id: int, pagination_token: str | None = None, max_results: int = 1000) -> Page:
        return self._call(
            ENDPOINT_FOLLOWERS, user_id, max_results, self._signing_for_reads(), "get_users_followers", user_id,
            max_results=max_results, pagination_token=pagination_token, user_fields=USER_FIELDS,
        )

    def following_page(self, user_id: int, pagination_token: str | None = None, max_results: int = 1000) -> Page:
        """A page of the accounts `user_id` follows (X lists the most recently followed first), with the same user
        fields as a followers page."""
        return self._call(
            ENDPOINT_FOLLOWING, user_id, max_results, self._signing_for_reads(), "get_users_following", user_id,
            max_results=max_results, pagination_token=pagination_token, user_fields=USER_FIELDS,
        )

    def users_by_ids(self, ids: list[int]) -> Page:
        return self._call(ENDPOINT_USERS, None, len(ids), self._signing_for_reads(), "get_users",
                          ids=_at_most_100(ids), user_fields=USER_FIELDS)

    def users_by_usernames(self, usernames: list[str]) -> Page:
        return self._call(ENDPOINT_USERS_BY, None, len(usernames), self._signing_for_reads(), "get_users",
                          usernames=_at_most_100(usernames), user_fields=USER_FIELDS)

    def user_tweets_page(
        self,
        user_id: int,
        *,
        pagination_token: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        exclude: list[str] | None = None,
        max_results: int = 100,
        since_id: int | None = None,
    ) -> Page:
        # `since_id`: only tweets newer than this one (an update reads what was posted since the last download).
        return self._call(
            ENDPOINT_USER_TWEETS, user_id, max_results, self._signing_for_reads(), "get_users_tweets", user_id,
            pagination_token=pagination_token, start_time=start_time, end_time=end_time, exclude=exclude,
            since_id=since_id, max_results=max_results, tweet_fields=TWEET_FIELDS, expansions=TWEET_EXPANSIONS,
            user_fields=["username", "name"],
        )

    def search_all_page(
        self,
        query: str,
        *,
        next_token: str | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        max_results: int = 500,
    ) -> Page:
        if not self.has_bearer:
            raise errors.AuthError("Full-archive search needs a Bearer token (app-only auth): add it in Settings.")
        return self._call(
            ENDPOINT_SEARCH_ALL, None, max_results, Signing.APP, "search_all_tweets", query, next_token=next_token,
            start_time=start_time, end_time=end_time, max_results=max_results, tweet_fields=TWEET_FIELDS,
            expansions=TWEET_EXPANSIONS, user_fields=["username", "name"],
        )

    def tweets_by_ids(self, ids: list[int]) -> Page:
        return self._call(ENDPOINT_TWEETS, None, len(ids), self._signing_for_reads(), "get_tweets",
                          _at_most_100(ids), tweet_fields=TWEET_FIELDS, expansions=["author_id"],
                          user_fields=["username", "name"])

    def send_dm(self, participant_id: int, text: str) -> dict[str, Any]:
        """Returns {'dm_conversation_id', 'dm_event_id'}. 403 -> ForbiddenError: this person can't be messaged."""
        signing = self._signing_as_user("Sending DMs")
        self._plan(PlannedRequest(ENDPOINT_DM_SEND, True, participant_id, self.signed_in_id, 1))
        response = self._invoke(signing, "create_direct_message", participant_id=participant_id, text=text)
        sent = dict(response.data or {})
        # X bills each request it accepted; the event id names it (a missing one still costs the same).
        self._report(AnswerReceipt(ENDPOINT_DM_SEND, True, participant_id, self.signed_in_id,
                                   (str(sent.get("dm_event_id") or ""),)))
        return sent

    def dm_events_with(self, participant_id: int, pagination_token: str | None = None) -> Page:
        signing = self._signing_as_user("Reading DM history")
        return self._call(
            ENDPOINT_DM_EVENTS, participant_id, DM_EVENTS_PAGE_SIZE, signing, "get_direct_message_events",
            participant_id=participant_id, pagination_token=pagination_token, max_results=DM_EVENTS_PAGE_SIZE,
            dm_event_fields=["id", "text", "event_type", "created_at", "sender_id", "dm_conversation_id"],
        )

    def post_usage(self, days: int = 7) -> dict[str, Any]:
        """X's count of Post reads for the app's project (`GET /2/usage/tweets`, app Bearer only, not billed):
        `project_usage` and `project_cap` this billing cycle and, per day of the last `days`, the usage."""
        if not self.has_bearer:
            raise errors.AuthError("Reading X's usage count needs a Bearer token (app-only auth): add it in Settings.")
        if not 1 <= days <= 90:
            raise ValueError("X reports usage for 1 to 90 days")
        response = self._invoke(Signing.APP, "request", "GET", "/2/usage/tweets", params={
            "days": days, "usage.fields": "cap_reset_day,daily_client_app_usage,daily_project_usage,project_cap,"
                                          "project_id,project_usage"})
        try:
            body = response.json()
        except ValueError as exc:  # a truncated body: a proxy or a dropped connection cut it
            raise errors.NetworkError("X sent an unreadable response; the connection may have dropped.") from exc
        data = body.get("data") if isinstance(body, dict) else None
        return dict(data) if isinstance(data, dict) else {}

    # -- plumbing --------------------------------------------------------------------------------------
    def _call(self, endpoint: str, subject_id: int | None, at_most: int, signing: Signing, method: str, /,
              *args: Any, **kwargs: Any) -> Page:
        """tweepy's `method(*args, **kwargs)`, signed as `signing`, as a Page; `at_most`: how many objects its
        `data` can hold (the guard's worst case)."""
        self._plan(PlannedRequest(endpoint, signing.user_context, subject_id, self.signed_in_id, at_most))
        page = _to_page(self._invoke(signing, method, *args, **kwargs))
        self._report(AnswerReceipt(
            endpoint, signing.user_context, subject_id, self.signed_in_id, _ids(page.data),
            {section: _ids(objects) for section, objects in page.includes.items() if objects}))
        return page

    def _plan(self, request: PlannedRequest) -> None:
        """Tell the spending guard what is about to be asked; its refusal (raised) stops the request unsent."""
        if self._before_request is not None:
            self._before_request(request)

    def _report(self, receipt: AnswerReceipt) -> None:
        """Tell the bill keeper; never let it fail the answer: X has billed it, asking again would bill twice."""
        if self._on_answer is None or not receipt.resource_count:
            return
        try:
            self._on_answer(receipt)
        except Exception:
            log.exception("Could not record what X billed for %s", receipt.endpoint)

    def _invoke(self, signing: Signing, method: str, *args: Any, **kwargs: Any) -> Any:
        """tweepy's `method`, signed as `signing`. A user token X refuses (401) is renewed once and the request
        sent again: an access token lives two hours, a long job outlives it, and another process may have
        rotated the sign-in meanwhile."""
        if signing is not Signing.OAUTH2_USER:
            # search_all_tweets takes no `user_auth` (it is always the app's Bearer token).
            if method != "search_all_tweets":
                kwargs["user_auth"] = signing is Signing.OAUTH1
            return self._mapped(getattr(self.client, method), *args, **kwargs)
        assert self._user_client is not None and self._user_token is not None  # OAUTH2_USER is chosen only with both
        # tweepy's user-context methods default to OAuth 1.0a: the user token is a Bearer token (XAPI_FACTS §9.1).
        kwargs["user_auth"] = False
        token = self._user_client.bearer_token = self._user_token.access_token()
        try:
            return self._mapped(getattr(self._user_client, method), *args, **kwargs)
        except errors.AuthError as refused:
            if refused.status != 401:
                raise
            log.info("X refused the signed-in token (401); renewing it once")
            self._user_client.bearer_token = self._user_token.renewed_access_token(token)
            return self._mapped(getattr(self._user_client, method), *args, **kwargs)

    def _mapped(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`method(*args, **kwargs)` with every tweepy/requests failure turned into a `core.errors` type."""
        import tweepy

        try:
            return method(*args, **kwargs)
        except tweepy.TooManyRequests as exc:
            raise _rate_limit_error(exc) from exc
        except tweepy.Unauthorized as exc:
            raise errors.AuthError(status=401, api_messages=exc.api_messages) from exc
        except tweepy.Forbidden as exc:
            raise errors.ForbiddenError(_forbidden_message(exc), status=403, api_messages=exc.api_messages) from exc
        except tweepy.NotFound as exc:
            raise errors.NotFoundError(status=404, api_messages=exc.api_messages) from exc
        except tweepy.BadRequest as exc:
            detail = "; ".join(exc.api_messages) or "no details"
            raise errors.BadRequestError(f"X rejected the request: {detail}", status=400,
                                         api_messages=exc.api_messages) from exc
        except tweepy.TwitterServerError as exc:
            raise errors.ServerError(status=exc.response.status_code, api_messages=exc.api_messages) from exc
        except tweepy.HTTPException as exc:
            raise errors.ApiError(f"X answered {exc.response.status_code}: {exc}", status=exc.response.status_code,
                                  api_messages=exc.api_messages) from exc
        except requests.JSONDecodeError as exc:  # a truncated body: a proxy or a dropped connection cut it
            raise errors.NetworkError("X sent an unreadable response; the connection may have dropped.") from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise errors.NetworkError() from exc
        except requests.RequestException as exc:
            raise errors.NetworkError(f"Network problem talking to X: {type(exc).__name__}.") from exc
        except ValueError as exc:
            # tweepy parses timestamps only with milliseconds: a format change at X must not look like a
            # network drop (which would be retried); it needs an update of the app.
            log.error("Unexpected data from X", exc_info=True)
            raise errors.ApiError(f"X sent data in a format this version of TwExport does not understand "
                                  f"({exc}). Please update TwExport.") from exc

    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Every answer: its rate-limit headers, and the permission X says the OAuth 1.0a keys have."""
        access_level = response.headers.get("x-access-level")
        if access_level:
            self.access_level = access_level
        state = parse_headers(endpoint_key(response.request.method or "GET", response.request.url or ""),
                              response.headers)
        if state is not None:
            self.rate_limits.record(state)
            if self._on_rate_limit is not None:
                self._on_rate_limit(state)


def _ids(objects: list[dict[str, Any]]) -> tuple[str, ...]:
    """The ids of an answer's objects (X's objects always carry one)."""
    return tuple(str(obj.get("id", "")) for obj in objects)


def _at_most_100(values: list) -> list:
    if not 1 <= len(values) <= 100:
        raise ValueError("X looks up 1 to 100 items per request")
    return values


def _rate_limit_error(exc: tweepy.TooManyRequests) -> errors.ApiError:
    body: dict[str, Any] = {}
    try:
        body = exc.response.json()
    except ValueError:
        pass
    if "usage-capped" in str(body.get("type", "")) or body.get("title") == "UsageCapExceeded":
        return errors.UsageCapExceeded(status=429, api_messages=exc.api_messages)
    request = exc.response.request
    key = endpoint_key(request.method or "GET", request.url or "")
    headers = exc.response.headers
    daily_spent, daily_reset = _daily_cap_spent(headers)
    if daily_spent:
        # A spent 24-hour cap is named by its own headers; x-rate-limit-remaining may still be > 0, which must
        # not pass for a per-second rule (retried within seconds, all day long).
        return errors.RateLimited(f"X's 24-hour limit for {key} is spent.", reset_at=daily_reset, endpoint=key,
                                  remaining=0)
    state = parse_headers(key, headers)
    remaining = state.remaining if state is not None else None
    limit = state.limit if state is not None else None
    reset_at = float(exc.reset_time) if exc.reset_time is not None else None
    if remaining is not None and remaining > 0:
        message = f"X refused a request to {key} by a per-second limit that its rate-limit headers do not describe."
    else:
        message = f"X's rate limit for {key} is spent."
    return errors.RateLimited(message, reset_at=reset_at, endpoint=key, remaining=remaining, limit=limit)


def _daily_cap_spent(headers: Any) -> tuple[bool, float | None]:
    """(spent, reset) from X's `x-user-limit-24hour-*` / `x-app-limit-24hour-*` headers (XAPI_FACTS §9.3)."""
    for prefix in DAILY_CAP_HEADER_PREFIXES:
        try:
            remaining = int(headers.get(f"{prefix}-remaining", ""))
        except ValueError:
            continue
        if remaining <= 0:
            try:
                return True, float(headers.get(f"{prefix}-reset", ""))
            except ValueError:
                return True, None
    return False, None


def _forbidden_message(exc: tweepy.Forbidden) -> str:
    detail = "; ".join(exc.api_messages)
    if "Unsupported Authentication" in detail or "unsupported-authentication" in str(exc.api_errors):
        return "X refused this kind of credentials for the request (Unsupported Authentication)."
    return f"X refused the request (403): {detail}" if detail else errors.ForbiddenError.default_message
