"""Names of the X endpoints the app paces, as `rate_limits.endpoint_key` spells them from a request URL.

They key the rate-limit book, the pacer's per-second rules and the countdown notices, so they live apart from
the modules that use them (the pacer re-exports them for its callers).
"""

from __future__ import annotations

ENDPOINT_ME = "GET /2/users/me"
ENDPOINT_FOLLOWERS = "GET /2/users/:id/followers"
ENDPOINT_FOLLOWING = "GET /2/users/:id/following"
ENDPOINT_USERS = "GET /2/users"
ENDPOINT_USERS_BY = "GET /2/users/by"
ENDPOINT_USER_TWEETS = "GET /2/users/:id/tweets"
ENDPOINT_TWEETS = "GET /2/tweets"
ENDPOINT_SEARCH_ALL = "GET /2/tweets/search/all"
ENDPOINT_SPACES_BY_CREATOR_IDS = "GET /2/spaces/by/creator_ids"  # not used by the app; X gives it a 1/s rule
ENDPOINT_DM_SEND = "POST /2/dm_conversations/with/:id/messages"
ENDPOINT_DM_EVENTS = "GET /2/dm_conversations/with/:id/dm_events"
