"""One request through the sandbox, independent of sockets: route, authenticate, inject faults, rate limit,
run the endpoint, attach X's rate-limit headers, and write the request-log line. The OAuth 2.0 pages and token
endpoints, which take no API credentials, are answered by `oauth2_api.py` before all that.

Most faults are drawn and shown before rate limiting, so a one-shot 500 or drop never spends an endpoint's
budget. "errors-only" and "sent-then-drop" go through rate limiting first, because X counts those requests.
Every 2xx answer is billed as X would bill it (`billing.py`), a processed request whose answer is then dropped
included.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from twexport_qt.sandbox import oauth2_api, routes, wire
from twexport_qt.sandbox.auth import AuthContext, RequestHeaders
from twexport_qt.sandbox.endpoints import Endpoint
from twexport_qt.sandbox.faults import Fault, FaultKind
from twexport_qt.sandbox.request import ApiRequest, ApiResponse
from twexport_qt.sandbox.request_log import RequestLogEntry
from twexport_qt.sandbox.state import SandboxState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DropConnection:
    """Sentinel outcome: close the socket without writing a response."""


DROP = DropConnection()


@dataclass
class _Trace:
    """What the request log tells about one request, filled in as handling goes."""

    endpoint: str | None = None
    auth: str | None = None
    fault: FaultKind | None = None
    participant_id: int | None = None
    dm_event_id: str | None = None


def handle_request(state: SandboxState, method: str, raw_path: str, headers: RequestHeaders,
                   body: bytes) -> ApiResponse | oauth2_api.WebPage | DropConnection:
    arrived = state.clock.now()
    parts = urlsplit(raw_path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    trace = _Trace()
    outcome: ApiResponse | oauth2_api.WebPage | DropConnection
    if oauth2_api.handles(parts.path):
        trace.endpoint = oauth2_api.LOG_NAMES[parts.path]
        outcome = oauth2_api.handle(state, method, parts.path, query, headers, body)
        # The consent page's query names the app, never a secret; the codes and tokens are in bodies and
        # redirects, which the log leaves out.
    else:
        outcome = _process(state, method, raw_path, parts.path, query, headers, body, trace)
    if state.request_log is not None:
        answered = outcome if isinstance(outcome, ApiResponse) else None  # None: a page, or the connection dropped
        status = outcome.status if isinstance(outcome, (ApiResponse, oauth2_api.WebPage)) else None
        state.request_log.write(RequestLogEntry(
            t=arrived, method=method, endpoint=trace.endpoint, path=parts.path, query=query,
            status=status, fault=str(trace.fault) if trace.fault else None,
            items=_item_count(answered.body) if answered is not None else None, auth=trace.auth,
            participant_id=trace.participant_id, dm_event_id=trace.dm_event_id))
    return outcome


def _process(state: SandboxState, method: str, raw_path: str, path: str, query: dict[str, str],
             headers: RequestHeaders, body: bytes, trace: _Trace) -> ApiResponse | DropConnection:
    found = routes.match(method, path)
    if found is None:
        return _problem(wire.not_found_route(path))
    route, path_params = found
    trace.endpoint = str(route.endpoint)
    participant = path_params.get("participant_id", "")
    trace.participant_id = int(participant) if participant.isdigit() else None
    content_type = headers.get("Content-Type", "")
    form_body = body.decode("utf-8", "replace") if "x-www-form-urlencoded" in content_type else None
    try:
        caller = state.auth.authenticate(method, raw_path, headers, form_body, now=state.clock.now())
    except wire.ApiProblem as problem:
        return _problem(problem)
    context = caller.context
    trace.auth = str(context)
    # X names the OAuth 1.0a keys' permission on every answer to them ("Test connection" reports it).
    access_headers = {"x-access-level": str(caller.access_level)} if caller.access_level is not None else {}
    if context not in route.contexts:
        return _problem(wire.unsupported_authentication(routes.AUTH_NAMES[context],
                                                        routes.supported_auth_names(route)), access_headers)
    if not routes.permitted(route, caller):  # a user token without the scope, or keys without DM permission
        return _problem(wire.simple_problem(403, "Forbidden", "Forbidden"), access_headers)
    outcome = _serve(state, route, path_params, context, method, raw_path, path, query, body, content_type, trace)
    if isinstance(outcome, ApiResponse):
        outcome.headers.update(access_headers)
    return outcome


def _serve(state: SandboxState, route: routes.Route, path_params: dict[str, str], context: AuthContext, method: str,
           raw_path: str, path: str, query: dict[str, str], body: bytes, content_type: str,
           trace: _Trace) -> ApiResponse | DropConnection:
    """An authenticated, permitted request: faults, rate limits, the endpoint, billing."""
    fault = state.faults.draw(route.endpoint)
    if fault is not None and not fault.kind.spends_budget:
        trace.fault = fault.kind
        early = _fault_before_limits(state, route.endpoint, context, fault)
        if early is not None:
            return early

    capped = state.limiter.usage_capped
    decision = state.limiter.check(route.endpoint, context, consume=not capped)
    rate_headers = decision.headers() if decision else {}
    if capped or (decision is not None and not decision.allowed):
        if fault is not None and fault.kind.spends_budget:
            state.faults.preempt(fault)  # X's 429 came first: this fault did not happen
        return _problem(wire.usage_capped() if capped else wire.too_many_requests(), rate_headers)
    if fault is not None and fault.kind == FaultKind.ERRORS_ONLY:
        trace.fault = fault.kind
        return ApiResponse(200, wire.errors_only_unavailable(), rate_headers)

    try:
        request = ApiRequest(method, path, query, path_params, context, _json_body(body, content_type))
        response = route.handler(state, request)
    except wire.ApiProblem as problem:
        response = _problem(problem, rate_headers)
    except Exception:  # a sandbox bug must look like an X 500, not hang the client
        log.exception("sandbox handler failed for %s %s", method, raw_path)
        response = _problem(wire.server_error(500), rate_headers)
    else:
        response.headers.update(rate_headers)
    if route.endpoint == Endpoint.DM_SEND and response.status == 201:
        trace.dm_event_id = response.body["data"]["dm_event_id"]
    if 200 <= response.status < 300:
        # X bills what it processed, also when the client never hears the answer (the drop below).
        state.billing.charge(route.endpoint, context, path_params, response.body, state.clock.now())
    if fault is not None and fault.kind == FaultKind.SENT_THEN_DROP:
        trace.fault = fault.kind
        return DROP  # processed and counted, but the client never hears about it
    return response


def _fault_before_limits(state: SandboxState, endpoint: Endpoint, context: AuthContext,
                         fault: Fault) -> ApiResponse | DropConnection | None:
    """The answer a fault shown before rate limiting gives, or None to go on (after a slow fault's delay)."""
    if fault.kind == FaultKind.DROP:
        return DROP
    if fault.kind == FaultKind.SLOW:
        state.faults.sleep(fault.delay)
        return None
    if fault.kind.is_storm:
        headers: dict[str, str] = {}
        if fault.kind == FaultKind.STORM_429:
            decision = state.limiter.check(endpoint, context, consume=False)
            if decision is not None:
                headers["x-rate-limit-limit"] = str(decision.limit)
            headers["x-rate-limit-remaining"] = "0"
            headers["x-rate-limit-reset"] = str(fault.storm_reset)
        return _problem(wire.too_many_requests(), headers)
    return _problem(wire.server_error(int(fault.kind)))


def _item_count(body: dict) -> int | None:
    """Objects in a list answer's `data`; 0 for an empty page (X then leaves `data` out); None otherwise."""
    data = body.get("data")
    if isinstance(data, list):
        return len(data)
    meta = body.get("meta")
    if data is None and isinstance(meta, dict) and meta.get("result_count") == 0:
        return 0
    return None


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
