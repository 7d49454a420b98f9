"""Direct message endpoints: send to a participant, and list the events of that conversation."""

from __future__ import annotations

from twexport_qt.sandbox import wire
from twexport_qt.sandbox.population import SANDBOX_USER_ID
from twexport_qt.sandbox.request import ApiRequest, ApiResponse, envelope, ok
from twexport_qt.sandbox.state import SandboxState

MAX_DM_LENGTH = 10_000
DM_EVENT_FIELDS = "dm_event.fields"
# X returns only these unless `dm_event.fields` asks for more (XAPI_FACTS §9.4): a client that forgets to ask
# gets no sender and no time, and must not be able to pass a test that real use would fail.
DEFAULT_DM_EVENT_FIELDS = ("id", "event_type", "text")


def send_dm(state: SandboxState, request: ApiRequest) -> ApiResponse:
    participant_id = request.path_id("participant_id")
    body = request.json_body if isinstance(request.json_body, dict) else {}
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise wire.invalid_request("text", "", "The `text` field is required and can not be empty")
    if len(text) > MAX_DM_LENGTH:
        raise wire.invalid_request("text", text[:20] + "…", f"The `text` field is longer than {MAX_DM_LENGTH}")
    recipient = state.population.by_id(participant_id)
    if recipient is None or participant_id == SANDBOX_USER_ID:
        raise wire.invalid_request("participant_id", str(participant_id),
                                   f"The `participant_id` value [{participant_id}] is not a valid recipient")
    if recipient.suspended or not recipient.receives_your_dm:
        # X documents a 403 for "DM settings that prevent messages" without an exact v2 body.
        raise wire.simple_problem(403, "Forbidden", "You cannot send messages to this user.")
    event = state.dms.record(sender_id=SANDBOX_USER_ID, participant_id=participant_id, text=text,
                             now=state.clock.now())
    return ok({"data": {"dm_conversation_id": event.conversation_id, "dm_event_id": str(event.event_id)}},
              status=201)


def dm_events_with(state: SandboxState, request: ApiRequest) -> ApiResponse:
    participant_id = request.path_id("participant_id")
    max_results = request.int_param("max_results", 1, 100, 100)
    offset = 0
    token = request.query.get("pagination_token")
    if token is not None:
        kind, offset = wire.decode_token(token)
        if kind != "d" or offset < 0:
            raise wire.invalid_request("pagination_token", token,
                                       f"The `pagination_token` query parameter value [{token}] is not valid")
    state.replies.catch_up(state.dms, participant_id, state.clock.now())  # simulated followers answer (off by default)
    events = state.dms.events_with(participant_id)
    page = events[offset:offset + max_results]
    meta: dict[str, object] = {"result_count": len(page)}
    if offset + max_results < len(events):
        meta["next_token"] = wire.encode_token("d", offset + max_results)
    if offset > 0:
        meta["previous_token"] = wire.encode_token("d", max(0, offset - max_results))
    wanted = set(DEFAULT_DM_EVENT_FIELDS) | set(request.fields(DM_EVENT_FIELDS))
    return envelope([{key: value for key, value in event.to_json().items() if key in wanted} for event in page],
                    meta=meta)
