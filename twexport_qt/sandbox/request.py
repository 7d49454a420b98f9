"""A parsed, authenticated API request as endpoint code sees it, plus parameter validation with X's 400s."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twexport_qt.sandbox.auth import AuthContext
from twexport_qt.sandbox.wire import invalid_request, parse_time, split_csv


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    query: dict[str, str]
    path_params: dict[str, str]
    context: AuthContext
    json_body: Any = None

    def fields(self, name: str) -> list[str]:
        """A comma-separated list parameter such as `user.fields` or `expansions`."""
        return split_csv(self.query.get(name))

    def int_param(self, name: str, low: int, high: int, default: int) -> int:
        raw = self.query.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise invalid_request(name, raw, f"The `{name}` query parameter value [{raw}] is not between "
                                             f"{low} and {high}")
        return value

    def time_param(self, name: str) -> float | None:
        raw = self.query.get(name)
        return None if raw is None else parse_time(raw, name)

    def id_param(self, name: str) -> int | None:
        raw = self.query.get(name)
        if raw is None:
            return None
        return parse_id(raw, name)

    def path_id(self, name: str) -> int:
        return parse_id(self.path_params[name], name)

    def id_list(self, name: str, limit: int = 100) -> list[str]:
        values = self.fields(name)
        if not values:
            raise invalid_request(name, "", f"The `{name}` query parameter can not be empty")
        if len(values) > limit:
            raise invalid_request(name, ",".join(values), f"The number of values in the `{name}` query parameter "
                                                          f"list [{len(values)}] is not between 1 and {limit}")
        return values


def parse_id(raw: str, name: str) -> int:
    if not raw.isdigit() or len(raw) > 19:
        raise invalid_request(name, raw, f"The `{name}` query parameter value [{raw}] does not match ^[0-9]{{1,19}}$")
    return int(raw)


@dataclass
class ApiResponse:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def ok(body: dict[str, Any], status: int = 200) -> ApiResponse:
    return ApiResponse(status, body)


def envelope(data: Any, *, includes: dict[str, list] | None = None, errors: list | None = None,
             meta: dict[str, Any] | None = None) -> ApiResponse:
    """X's response object: keys with nothing in them are left out, as X does."""
    body: dict[str, Any] = {}
    if data not in (None, []):
        body["data"] = data
    if includes:
        body["includes"] = includes
    if errors:
        body["errors"] = errors
    if meta is not None:
        body["meta"] = meta
    return ApiResponse(200, body)
