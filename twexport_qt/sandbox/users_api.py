"""User endpoints: /2/users/me, lookups by id and username, the followers list and the following list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from twexport_qt.sandbox import wire
from twexport_qt.sandbox.population import SANDBOX_USER_ID, UserRecord
from twexport_qt.sandbox.request import ApiRequest, ApiResponse, envelope, parse_id
from twexport_qt.sandbox.state import SandboxState

USER_FIELDS = "user.fields"


def get_me(state: SandboxState, request: ApiRequest) -> ApiResponse:
    return envelope(user_json(state, state.population.me, request.fields(USER_FIELDS)))


def lookup_ids(state: SandboxState, request: ApiRequest) -> ApiResponse:
    raw_ids = request.id_list("ids")
    users = [(raw, state.population.by_id(parse_id(raw, "ids"))) for raw in raw_ids]
    return _lookup_response(state, users, "ids", request)


def lookup_usernames(state: SandboxState, request: ApiRequest) -> ApiResponse:
    names = request.id_list("usernames")
    return _lookup_response(state, [(name, state.population.by_username(name)) for name in names], "usernames",
                            request)


def user_by_id(state: SandboxState, request: ApiRequest) -> ApiResponse:
    raw = request.path_params["id"]
    return _single_response(state, raw, state.population.by_id(request.path_id("id")), "id", request)


def user_by_username(state: SandboxState, request: ApiRequest) -> ApiResponse:
    username = request.path_params["username"]
    return _single_response(state, username, state.population.by_username(username), "username", request)


def _list_asked(state: SandboxState, request: ApiRequest) -> tuple[int, str | None] | ApiResponse:
    """What a list of an account's follows asks for (`max_results`, `pagination_token`), or the answer that ends
    it first: X's error for a user it won't show, an empty list for an account other than the sandbox's (only it
    has a generated audience and following list)."""
    user_id = request.path_id("id")
    max_results = request.int_param("max_results", 1, 1000, 100)
    token = request.query.get("pagination_token")
    problem = visibility_error(state.population.by_id(user_id), str(user_id), "id")
    if problem:
        return envelope(None, errors=[problem])
    if user_id != SANDBOX_USER_ID:
        return envelope(None, meta={"result_count": 0})
    return max_results, token


def followers(state: SandboxState, request: ApiRequest) -> ApiResponse:
    asked = _list_asked(state, request)
    if isinstance(asked, ApiResponse):
        return asked
    max_results, token = asked

    population = state.population
    if token is None:
        indices = population.follower_indices_desc(population.index_count - 1, max_results)
    else:
        direction, position = wire.decode_token(token)
        if direction == "n":
            indices = population.follower_indices_desc(position, max_results)
        elif direction == "p":
            indices = population.follower_indices_asc(position, max_results)[::-1]
        else:
            raise wire.invalid_request("pagination_token", token,
                                       f"The `pagination_token` query parameter value [{token}] is not valid")
    meta: dict[str, object] = {"result_count": len(indices)}
    if indices:
        if population.follower_indices_desc(indices[-1] - 1, 1):
            meta["next_token"] = wire.encode_token("n", indices[-1] - 1)
        if population.follower_indices_asc(indices[0] + 1, 1):
            meta["previous_token"] = wire.encode_token("p", indices[0] + 1)
    fields = request.fields(USER_FIELDS)
    return envelope([user.to_json(fields) for user in population.users_at(indices)], meta=meta)


def following(state: SandboxState, request: ApiRequest) -> ApiResponse:
    """`GET /2/users/:id/following`: whom the account follows, most recently followed first (sandbox/following.py).
    Tokens carry an order key, as the followers list's carry an index."""
    asked = _list_asked(state, request)
    if isinstance(asked, ApiResponse):
        return asked
    max_results, token = asked

    followed = state.population.following
    if token is None:
        entries, more = followed.page(None, max_results)
        newer = False
    else:
        direction, key = wire.decode_token(token)
        if direction == "n":
            entries, more = followed.page(key, max_results)
            newer = True
        elif direction == "p":
            entries, newer = followed.page_above(key, max_results)
            more = True
        else:
            raise wire.invalid_request("pagination_token", token,
                                       f"The `pagination_token` query parameter value [{token}] is not valid")
    meta: dict[str, object] = {"result_count": len(entries)}
    if entries:
        if more and followed.page(entries[-1].key, 1)[0]:
            meta["next_token"] = wire.encode_token("n", entries[-1].key)
        if newer and followed.page_above(entries[0].key, 1)[0]:
            meta["previous_token"] = wire.encode_token("p", entries[0].key)
    fields = request.fields(USER_FIELDS)
    return envelope([user.to_json(fields) for user in followed.users(entries)], meta=meta)


def user_json(state: SandboxState, user: UserRecord, fields: list[str]) -> dict[str, Any]:
    """`user.to_json(fields)`, with the newest post of an account that has a tweet history as its
    `most_recent_tweet_id` (a post that resolves, as on X; the population's followers get theirs generated)."""
    tweets = state.tweets
    if tweets.has_history(user.id) and tweets.count(user.id):
        newest = tweets.count(user.id) - 1
        user = replace(user, most_recent_tweet_id=tweets.id_of(user.id, newest),
                       last_posted_ms=round(tweets.time_of(user.id, newest) * 1000))
    return user.to_json(fields)


def visibility_error(user: UserRecord | None, value: str, parameter: str) -> dict | None:
    """The `errors` entry X returns instead of a user's data, if any (unknown or suspended)."""
    if user is None:
        return wire.user_not_found(value, parameter)
    if user.suspended:
        return wire.user_suspended(str(user.id), parameter)
    return None


def _lookup_response(state: SandboxState, users: list[tuple[str, UserRecord | None]], parameter: str,
                     request: ApiRequest) -> ApiResponse:
    fields = request.fields(USER_FIELDS)
    data, errors = [], []
    for value, user in users:
        problem = visibility_error(user, value, parameter)
        if problem:
            errors.append(problem)
        else:
            assert user is not None  # visibility_error reports a missing user
            data.append(user_json(state, user, fields))
    return envelope(data, errors=errors)


def _single_response(state: SandboxState, value: str, user: UserRecord | None, parameter: str,
                     request: ApiRequest) -> ApiResponse:
    problem = visibility_error(user, value, parameter)
    if problem:
        return envelope(None, errors=[problem])
    assert user is not None  # visibility_error reports a missing user
    return envelope(user_json(state, user, request.fields(USER_FIELDS)))
