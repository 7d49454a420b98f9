"""X API v2 wire conventions shared by every endpoint: timestamps, pagination tokens, problem bodies.

Kept in one place so the sandbox cannot drift from what tweepy parses: tweepy only accepts timestamps with
milliseconds ("%Y-%m-%dT%H:%M:%S.%f%z"), ids are strings, and errors are RFC 7807 problem objects.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

PROBLEMS = "https://api.twitter.com/2/problems"


class ApiProblem(Exception):
    """Raised by endpoint code to answer with a problem body instead of data."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("detail", ""))
        self.status = status
        self.body = body


def format_time(epoch: float) -> str:
    """Epoch seconds -> '2021-03-04T05:06:07.123Z' (the only shape tweepy parses)."""
    moment = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(value: str, parameter: str) -> float:
    """RFC 3339 query parameter (tweepy sends '%Y-%m-%dT%H:%M:%SZ') -> epoch seconds, or 400."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_request(parameter, value, f"Invalid '{parameter}':'{value}'. '{parameter}' must be a "
                              "valid RFC 3339 timestamp (YYYY-MM-DDTHH:mm:ssZ).") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def encode_token(kind: str, position: int) -> str:
    """Opaque pagination token (X's look like lowercase base32 blobs; clients must not parse them)."""
    raw = f"{kind}:{position}".encode()
    return base64.b32encode(raw).decode().rstrip("=").lower()


def decode_token(token: str, parameter: str = "pagination_token") -> tuple[str, int]:
    try:
        padded = token.upper() + "=" * (-len(token) % 8)
        kind, position = base64.b32decode(padded).decode().split(":")
        return kind, int(position)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise invalid_request(parameter, token,
                              f"The `{parameter}` query parameter value [{token}] is not valid") from None


def invalid_request(parameter: str, value: str, message: str) -> ApiProblem:
    return ApiProblem(400, {
        "errors": [{"parameters": {parameter: [value]}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": f"{PROBLEMS}/invalid-request",
    })


def simple_problem(status: int, title: str, detail: str, type_: str = "about:blank") -> ApiProblem:
    return ApiProblem(status, {"title": title, "detail": detail, "type": type_, "status": status})


def unauthorized() -> ApiProblem:
    return ApiProblem(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})


def unsupported_authentication(used: str, supported: str) -> ApiProblem:
    return ApiProblem(403, {
        "title": "Unsupported Authentication",
        "detail": f"Authenticating with {used} is forbidden for this endpoint.  "
                  f"Supported authentication types are [{supported}].",
        "type": f"{PROBLEMS}/unsupported-authentication",
        "status": 403,
    })


def too_many_requests() -> ApiProblem:
    return simple_problem(429, "Too Many Requests", "Too Many Requests")


def usage_capped() -> ApiProblem:
    return ApiProblem(429, {
        "title": "UsageCapExceeded",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": f"{PROBLEMS}/usage-capped",
        "period": "Monthly",
        "scope": "Product",
        "status": 429,
    })


def server_error(status: int) -> ApiProblem:
    if status == 503:
        return simple_problem(503, "Service Unavailable", "Service Unavailable")
    return simple_problem(500, "Internal Server Error", "Something is broken. Please try again later.")


def errors_only_unavailable() -> dict[str, Any]:
    """A 200 whose body has only `errors` (no `data`, no `meta`): X's transient "try again" answer. It names no
    resource_type, so a client cannot mistake it for a suspended or protected account."""
    return {"errors": [{
        "title": "Service Unavailable",
        "detail": "Service is temporarily unavailable, please try again later.",
        "type": f"{PROBLEMS}/resource-unavailable",
    }]}


def not_found_route(path: str) -> ApiProblem:
    return simple_problem(404, "Not Found Error", f"The requested resource could not be found: {path}",
                          f"{PROBLEMS}/resource-not-found")


def resource_error(*, value: str, detail: str, title: str, resource_type: str, parameter: str,
                   kind: str, section: str | None = None) -> dict[str, Any]:
    """One entry of the `errors` list of a 200 response with partial errors (XAPI_FACTS §4.5)."""
    entry: dict[str, Any] = {
        "value": value, "detail": detail, "title": title, "resource_type": resource_type,
        "parameter": parameter, "resource_id": value, "type": f"{PROBLEMS}/{kind}",
    }
    if section:
        entry["section"] = section
    return entry


def user_not_found(value: str, parameter: str) -> dict[str, Any]:
    plural = "ids" if parameter in ("ids", "id") else "usernames"
    return resource_error(value=value, detail=f"Could not find user with {plural}: [{value}].",
                          title="Not Found Error", resource_type="user", parameter=parameter,
                          kind="resource-not-found")


def user_suspended(user_id: str, parameter: str) -> dict[str, Any]:
    return resource_error(value=user_id, detail=f"User has been suspended: [{user_id}].", title="Forbidden",
                          resource_type="user", parameter=parameter, kind="resource-not-found")


def user_not_authorized(user_id: str, parameter: str) -> dict[str, Any]:
    return resource_error(value=user_id, detail=f"Sorry, you are not authorized to see the user with id: [{user_id}].",
                          title="Authorization Error", resource_type="user", parameter=parameter,
                          kind="not-authorized-for-resource", section="data")


def tweet_not_found(tweet_id: str, parameter: str, section: str | None = None) -> dict[str, Any]:
    return resource_error(value=tweet_id, detail=f"Could not find tweet with {parameter}: [{tweet_id}].",
                          title="Not Found Error", resource_type="tweet", parameter=parameter,
                          kind="resource-not-found", section=section)


def tweet_not_authorized(tweet_id: str, parameter: str, section: str | None = None) -> dict[str, Any]:
    return resource_error(value=tweet_id,
                          detail=f"Sorry, you are not authorized to see the Tweet with {parameter}: [{tweet_id}].",
                          title="Authorization Error", resource_type="tweet", parameter=parameter,
                          kind="not-authorized-for-resource", section=section)


def split_csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]
