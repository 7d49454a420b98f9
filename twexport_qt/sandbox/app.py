"""One request through the sandbox, independent of sockets: route, authenticate, inject faults, rate limit,
run the endpoint, and attach X's rate-limit headers.

Faults are drawn before rate limiting so a one-shot `fail_next` never spends an endpoint's budget.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import parse_qsl, urlsplit

from twexport_qt.sandbox import routes, wire
from twexport_qt.sandbox.faults import FaultKind
from twexport_qt.sandbox.request import ApiRequest, ApiResponse
from twexport_qt.sandbox.state import SandboxState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DropConnection:
    """Sentinel outcome: close the socket without writing a response."""


DROP = DropConnection()


def handle_request(state: SandboxState, method: str, raw_path: str, headers: Mapping[str, str],
                   body: bytes) -> ApiResponse | DropConnection:
    parts = urlsplit(raw_path)
    found = routes.match(method, parts.path)
    if found is None:
        return _problem(wire.not_found_route(parts.path))
    route, path_params = found
    content_type = headers.get("Content-Type", "")
    form_body = body.decode("utf-8", "replace") if "x-www-form-urlencoded" in content_type else None
    try:
        context = state.auth.authenticate(method, raw_path, headers, form_body)
    except wire.ApiProblem as problem:
        return _problem(problem)
    if context not in route.contexts:
        return _problem(wire.unsupported_authentication(routes.AUTH_NAMES[context],
                                                        routes.supported_auth_names(route)))

    fault = state.faults.draw(route.endpoint)
    if fault is not None:
        if fault.kind == FaultKind.DROP:
            return DROP
        if fault.kind == FaultKind.SLOW:
            state.faults.sleep(fault.delay)
        else:
            return _problem(wire.server_error(int(fault.kind)))

    capped = state.limiter.usage_capped
    decision = state.limiter.check(route.endpoint, context, consume=not capped)
    rate_headers = decision.headers() if decision else {}
    if capped:
        return _problem(wire.usage_capped(), rate_headers)
    if decision is not None and not decision.allowed:
        return _problem(wire.too_many_requests(), rate_headers)

    try:
        request = ApiRequest(method, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                             path_params, context, _json_body(body, content_type))
        response = route.handler(state, request)
    except wire.ApiProblem as problem:
        return _problem(problem, rate_headers)
    except Exception:  # a sandbox bug must look like an X 500, not hang the client
        log.exception("sandbox handler failed for %s %s", method, raw_path)
        return _problem(wire.server_error(500), rate_headers)
    response.headers.update(rate_headers)
    return response


def _json_body(body: bytes, content_type: str) -> object:
    if not body or "json" not in content_type:
        return None
    try:
        return json.loads(body)
    except ValueError:
        raise wire.simple_problem(400, "Invalid Request", "Request body is not valid JSON.",
                                  f"{wire.PROBLEMS}/invalid-request") from None


def _problem(problem: wire.ApiProblem, headers: dict[str, str] | None = None) -> ApiResponse:
    return ApiResponse(problem.status, problem.body, dict(headers or {}))
