"""`GET /2/usage/tweets`: X's count of the Post reads the app's project consumed (XAPI_FACTS §9.5).

App Bearer only, 50 requests per 15 minutes, `days` 1-90 (default 7). The four totals always come (numbers as
strings, as X sends them); `usage.fields` adds the per-day usage of the project and of each client app, newest day
first. Only posts count here: X shows user, follower and DM spend in its Console only.
"""

from __future__ import annotations

import datetime as dt

from twexport_qt.sandbox import wire
from twexport_qt.sandbox.billing import CAP_RESET_DAY, CLIENT_APP_ID, PROJECT_CAP, PROJECT_ID, billing_day, cycle_start
from twexport_qt.sandbox.request import ApiRequest, ApiResponse, ok
from twexport_qt.sandbox.state import SandboxState

USAGE_FIELDS = "usage.fields"
KNOWN_USAGE_FIELDS = frozenset({"cap_reset_day", "daily_client_app_usage", "daily_project_usage", "project_cap",
                                "project_id", "project_usage"})


def post_usage(state: SandboxState, request: ApiRequest) -> ApiResponse:
    days = request.int_param("days", 1, 90, 7)
    fields = request.fields(USAGE_FIELDS)
    unknown = sorted(set(fields) - KNOWN_USAGE_FIELDS)
    if unknown:
        raise wire.invalid_request(USAGE_FIELDS, ",".join(unknown), f"The `{USAGE_FIELDS}` query parameter value "
                                   f"[{','.join(unknown)}] is not one of [{', '.join(sorted(KNOWN_USAGE_FIELDS))}]")
    billing = state.billing
    today = billing_day(state.clock.now())
    data: dict[str, object] = {
        "project_id": PROJECT_ID,
        "project_cap": str(PROJECT_CAP),
        "project_usage": str(billing.post_reads(cycle_start(today), today)),
        "cap_reset_day": CAP_RESET_DAY,
    }
    daily = [{"date": wire.format_time(_midnight(day)), "usage": str(billing.post_reads(day, day))}
             for day in (today - dt.timedelta(days=back) for back in range(days))]
    if "daily_project_usage" in fields:
        data["daily_project_usage"] = {"project_id": PROJECT_ID, "usage": daily}
    if "daily_client_app_usage" in fields:
        data["daily_client_app_usage"] = [{"client_app_id": CLIENT_APP_ID, "usage": daily,
                                           "usage_result_count": len(daily)}]
    return ok({"data": data})


def _midnight(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
