"""Tweet endpoints: a user's timeline (capped like X), lookup by ids, and full-archive search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from twexport_qt.sandbox import wire
from twexport_qt.sandbox.population import SANDBOX_USER_ID, UserRecord
from twexport_qt.sandbox.request import ApiRequest, ApiResponse, envelope, parse_id
from twexport_qt.sandbox.state import SandboxState
from twexport_qt.sandbox.tweets_world import RETWEET, TweetRecord
from twexport_qt.sandbox.users_api import USER_FIELDS, visibility_error

TWEET_FIELDS = "tweet.fields"
TIMELINE_CAP, TIMELINE_CAP_NO_REPLIES = 3200, 800
TIMELINE_MIN_START = 1_289_001_600  # 2010-11-06T00:00:00Z, the documented start_time floor for timelines
SEARCH_MIN_START = 1_143_331_200  # 2006-03-26T00:00:00Z
SEARCH_DEFAULT_LOOKBACK = 30 * 86_400  # without start_time, full-archive search only looks back 30 days
SEARCH_DEFAULT_END_LAG = 30  # and without end_time it stops 30 seconds ago


@dataclass(frozen=True)
class _Range:
    """Tweets k in [low, high] of one author, newest first."""

    author_id: int
    low: int
    high: int


def user_tweets(state: SandboxState, request: ApiRequest) -> ApiResponse:
    user_id = request.path_id("id")
    max_results = request.int_param("max_results", 5, 100, 10)
    excluded = set(request.fields("exclude"))
    unknown = excluded - {"replies", "retweets"}
    if unknown:
        raise wire.invalid_request("exclude", ",".join(sorted(unknown)), "The `exclude` query parameter value "
                                   f"[{','.join(sorted(unknown))}] is not one of [replies, retweets]")
    start, end = request.time_param("start_time"), request.time_param("end_time")
    if start is not None and start < TIMELINE_MIN_START:
        given = request.query["start_time"]
        raise wire.invalid_request(
            "start_time", given, f"Invalid 'start_time':'{given}'. 'start_time' must be on or after 2010-11-06T00:00Z")
    author = state.population.by_id(user_id)
    problem = _timeline_visibility(author, str(user_id))
    if problem:
        return envelope(None, errors=[problem])
    if not state.tweets.has_history(user_id):
        return envelope(None, meta={"result_count": 0})

    world = state.tweets
    newest = world.last_index_at_or_before(user_id, state.clock.now())
    cap = TIMELINE_CAP_NO_REPLIES if "replies" in excluded else TIMELINE_CAP
    span = _narrow(state, request, _Range(user_id, max(0, newest + 1 - cap), newest), start, end)
    span = _apply_token(request, span, "pagination_token", "t")

    def keep(tweet: TweetRecord) -> bool:
        return not ("replies" in excluded and tweet.is_reply) and not ("retweets" in excluded and tweet.kind == RETWEET)

    return _page_response(state, request, span, keep, max_results, "t")


def search_all(state: SandboxState, request: ApiRequest) -> ApiResponse:
    query = request.query.get("query", "")
    max_results = request.int_param("max_results", 10, 500, 10)
    username, no_retweets, no_replies = _parse_query(query)
    now = state.clock.now()
    start = request.time_param("start_time")
    end = request.time_param("end_time")
    if start is not None and start < SEARCH_MIN_START:
        raise wire.invalid_request("start_time", request.query["start_time"],
                                   "Invalid 'start_time'. 'start_time' must be on or after 2006-03-26T00:00Z")
    start = now - SEARCH_DEFAULT_LOOKBACK if start is None else start
    end = now - SEARCH_DEFAULT_END_LAG if end is None else end

    author = state.population.by_username(username)
    # Search only indexes public tweets of live accounts.
    if author is None or author.suspended or author.protected or not state.tweets.has_history(author.id):
        return envelope(None, meta={"result_count": 0})
    span = _narrow(state, request, _Range(author.id, 0, state.tweets.count(author.id) - 1), start, end)
    token_name = "next_token" if "next_token" in request.query else "pagination_token"
    span = _apply_token(request, span, token_name, "s")

    def keep(tweet: TweetRecord) -> bool:
        return not (no_replies and tweet.is_reply) and not (no_retweets and tweet.kind == RETWEET)

    return _page_response(state, request, span, keep, max_results, "s")


def lookup_tweets(state: SandboxState, request: ApiRequest) -> ApiResponse:
    data: list[TweetRecord] = []
    errors: list[dict] = []
    for raw in request.id_list("ids"):
        tweet = state.tweets.by_id(parse_id(raw, "ids"))
        problem = _tweet_problem(state, tweet, raw, "ids", section=None)
        if problem:
            errors.append(problem)
        else:
            assert tweet is not None  # _tweet_problem reports a missing tweet
            data.append(tweet)
    includes, include_errors = _includes(state, request, data)
    fields = request.fields(TWEET_FIELDS)
    return envelope([t.to_json(fields) for t in data], includes=includes, errors=errors + include_errors)


# ----- shared ----------------------------------------------------------------------------------------------


def _parse_query(query: str) -> tuple[str, bool, bool]:
    """The sandbox understands `from:<username>` with optional `-is:retweet` and `-is:reply`."""
    username, no_retweets, no_replies = "", False, False
    for term in query.split():
        if term.lower().startswith("from:") and not username:
            username = term[5:].lstrip("@")
        elif term.lower() == "-is:retweet":
            no_retweets = True
        elif term.lower() == "-is:reply":
            no_replies = True
        else:
            username = ""
            break
    if not username:
        raise wire.invalid_request("query", query, "The sandbox supports only queries of the form "
                                   "'from:<username> [-is:retweet] [-is:reply]'")
    return username, no_retweets, no_replies


def _timeline_visibility(author: UserRecord | None, value: str) -> dict | None:
    problem = visibility_error(author, value, "id")
    if problem is None and author is not None and author.protected and author.id != SANDBOX_USER_ID:
        # The sandbox account follows nobody, so every protected timeline is closed to it.
        problem = wire.user_not_authorized(str(author.id), "id")
    return problem


def _narrow(state: SandboxState, request: ApiRequest, span: _Range, start: float | None,
            end: float | None) -> _Range:
    world, author = state.tweets, span.author_id
    low, high = span.low, span.high
    if start is not None:
        low = max(low, world.first_index_at_or_after(author, start))
    if end is not None:
        high = min(high, world.first_index_at_or_after(author, end) - 1)  # end_time is exclusive
    since_id, until_id = request.id_param("since_id"), request.id_param("until_id")
    if since_id is not None:
        low = max(low, world.first_index_with_id_above(author, since_id))
    if until_id is not None:
        high = min(high, world.last_index_with_id_below(author, until_id))
    return _Range(author, low, high)


def _apply_token(request: ApiRequest, span: _Range, parameter: str, kind: str) -> _Range:
    token = request.query.get(parameter)
    if token is None:
        return span
    token_kind, position = wire.decode_token(token, parameter)
    if token_kind != kind:
        raise wire.invalid_request(parameter, token, f"The `{parameter}` query parameter value [{token}] is not valid")
    return _Range(span.author_id, span.low, min(span.high, position))


def _page_response(state: SandboxState, request: ApiRequest, span: _Range, keep: Callable[[TweetRecord], bool],
                   max_results: int, token_kind: str) -> ApiResponse:
    page: list[TweetRecord] = []
    next_k: int | None = None
    k = span.high
    while k >= span.low:
        tweet = state.tweets.tweet(span.author_id, k)
        if keep(tweet):
            if len(page) == max_results:
                next_k = k
                break
            page.append(tweet)
        k -= 1
    meta: dict[str, object] = {"result_count": len(page)}
    if page:
        meta["newest_id"], meta["oldest_id"] = str(page[0].id), str(page[-1].id)
    if next_k is not None:
        meta["next_token"] = wire.encode_token(token_kind, next_k)
    includes, errors = _includes(state, request, page)
    fields = request.fields(TWEET_FIELDS)
    return envelope([t.to_json(fields) for t in page], includes=includes, errors=errors, meta=meta)


def _tweet_problem(state: SandboxState, tweet: TweetRecord | None, value: str, parameter: str,
                   section: str | None) -> dict | None:
    if tweet is None:
        return wire.tweet_not_found(value, parameter, section)
    author = state.population.by_id(tweet.author_id)
    if author is None or author.suspended:
        return wire.tweet_not_found(value, parameter, section)
    if author.protected and author.id != SANDBOX_USER_ID:
        return wire.tweet_not_authorized(value, parameter, section)
    return None


def _includes(state: SandboxState, request: ApiRequest, tweets: list[TweetRecord]) -> tuple[dict, list[dict]]:
    """`includes.tweets` / `includes.users` for the requested expansions, and errors for parents X hides."""
    expansions = set(request.fields("expansions"))
    tweet_fields, user_fields = request.fields(TWEET_FIELDS), request.fields(USER_FIELDS)
    included: dict[int, TweetRecord] = {}
    errors: list[dict] = []
    user_ids: list[int] = []
    if "referenced_tweets.id" in expansions or "referenced_tweets.id.author_id" in expansions:
        seen_missing: set[int] = set()
        for tweet in tweets:
            for _, ref_id in tweet.referenced:
                if ref_id in included or ref_id in seen_missing:
                    continue
                parent = state.tweets.by_id(ref_id)
                problem = _tweet_problem(state, parent, str(ref_id), "referenced_tweets.id", section="includes")
                if problem:
                    seen_missing.add(ref_id)
                    errors.append(problem)
                    continue
                assert parent is not None  # _tweet_problem reports a missing tweet
                if "referenced_tweets.id" in expansions:
                    included[ref_id] = parent
                if "referenced_tweets.id.author_id" in expansions:
                    user_ids.append(parent.author_id)
    if "author_id" in expansions:
        user_ids.extend(tweet.author_id for tweet in tweets)
    if "in_reply_to_user_id" in expansions:
        user_ids.extend(tweet.in_reply_to_user_id for tweet in tweets if tweet.in_reply_to_user_id is not None)

    users: dict[int, UserRecord] = {}
    for user_id in dict.fromkeys(user_ids):
        user = state.population.by_id(user_id)
        if user is not None and not user.suspended:
            users[user_id] = user
    includes: dict[str, list] = {}
    if users:
        includes["users"] = [user.to_json(user_fields) for user in users.values()]
    if included:
        includes["tweets"] = [tweet.to_json(tweet_fields) for tweet in included.values()]
    return includes, errors
