"""The route table: method + path pattern -> endpoint key, allowed auth contexts, the OAuth 2.0 scopes a user token
needs (X's documented sets) and handler."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from twexport_qt.sandbox import dms_api, tweets_api, usage_api, users_api
from twexport_qt.sandbox.auth import AccessLevel, AuthContext, Caller
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.request import ApiRequest, ApiResponse
from twexport_qt.sandbox.state import SandboxState

Handler = Callable[[SandboxState, ApiRequest], ApiResponse]
BOTH = frozenset({AuthContext.USER, AuthContext.APP})
USER_ONLY = frozenset({AuthContext.USER})
APP_ONLY = frozenset({AuthContext.APP})

# The scopes an OAuth 2.0 user token needs per endpoint (each endpoint's "OAuth 2.0 scopes required" in X's docs).
READ_SCOPES = frozenset({"tweet.read", "users.read"})
FOLLOWS_SCOPES = READ_SCOPES | {"follows.read"}
DM_READ_SCOPES = READ_SCOPES | {"dm.read"}
DM_WRITE_SCOPES = DM_READ_SCOPES | {"dm.write"}
NO_SCOPES: frozenset[str] = frozenset()  # app-only endpoints: a user token cannot call them at all


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: Endpoint
    contexts: frozenset[AuthContext]
    handler: Handler
    scopes: frozenset[str]

    @property
    def is_dm(self) -> bool:
        return any(scope.startswith("dm.") for scope in self.scopes)


def _route(method: str, path: str, endpoint: Endpoint, contexts: frozenset[AuthContext], handler: Handler,
           scopes: frozenset[str] = READ_SCOPES) -> Route:
    regex = re.sub(r":(\w+)", r"(?P<\1>[^/]+)", path)
    return Route(method, re.compile(f"^{regex}$"), endpoint, contexts, handler, scopes)


# Order matters where literal segments overlap placeholders (/2/users/me before /2/users/:id).
ROUTES: tuple[Route, ...] = (
    _route("GET", "/2/users/me", Endpoint.USERS_ME, USER_ONLY, users_api.get_me),
    _route("GET", "/2/users/by", Endpoint.USERS_LOOKUP, BOTH, users_api.lookup_usernames),
    _route("GET", "/2/users/by/username/:username", Endpoint.USERS_LOOKUP, BOTH, users_api.user_by_username),
    _route("GET", "/2/users", Endpoint.USERS_LOOKUP, BOTH, users_api.lookup_ids),
    _route("GET", "/2/users/:id/followers", Endpoint.FOLLOWERS, BOTH, users_api.followers, FOLLOWS_SCOPES),
    _route("GET", "/2/users/:id/following", Endpoint.FOLLOWING, BOTH, users_api.following, FOLLOWS_SCOPES),
    _route("GET", "/2/users/:id/tweets", Endpoint.USER_TWEETS, BOTH, tweets_api.user_tweets),
    _route("GET", "/2/users/:id", Endpoint.USERS_LOOKUP, BOTH, users_api.user_by_id),
    _route("GET", "/2/tweets/search/all", Endpoint.SEARCH_ALL, APP_ONLY, tweets_api.search_all, NO_SCOPES),
    _route("GET", "/2/tweets", Endpoint.TWEETS_LOOKUP, BOTH, tweets_api.lookup_tweets),
    _route("POST", "/2/dm_conversations/with/:participant_id/messages", Endpoint.DM_SEND, USER_ONLY,
           dms_api.send_dm, DM_WRITE_SCOPES),
    _route("GET", "/2/dm_conversations/with/:participant_id/dm_events", Endpoint.DM_EVENTS, USER_ONLY,
           dms_api.dm_events_with, DM_READ_SCOPES),
    _route("GET", "/2/usage/tweets", Endpoint.USAGE, APP_ONLY, usage_api.post_usage, NO_SCOPES),
)

AUTH_NAMES = {
    AuthContext.USER: "OAuth 1.0a User Context",
    AuthContext.APP: "OAuth 2.0 Application-Only",
}


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in ROUTES:
        if route.method == method:
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
    return None


def permitted(route: Route, caller: Caller) -> bool:
    """Whether the caller's credentials may use the route: a user token needs the route's scopes, OAuth 1.0a keys
    need Direct Message permission for DMs (X answers 403 otherwise)."""
    if caller.scopes is not None:
        return route.scopes <= caller.scopes
    if caller.access_level is not None and route.is_dm:
        return caller.access_level == AccessLevel.READ_WRITE_DM
    return True


def supported_auth_names(route: Route) -> str:
    names = [AUTH_NAMES[context] for context in (AuthContext.USER, AuthContext.APP) if context in route.contexts]
    if AuthContext.USER in route.contexts:
        names.insert(1, "OAuth 2.0 User Context")
    return ", ".join(names)
