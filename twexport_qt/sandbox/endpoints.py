"""Names of the rate-limited endpoint groups; the keys of rate-limit and fault configuration."""

from __future__ import annotations

import enum


class Endpoint(enum.StrEnum):
    USERS_ME = "users_me"  # GET /2/users/me
    USERS_LOOKUP = "users_lookup"  # GET /2/users, /2/users/by, /2/users/:id, /2/users/by/username/:u
    FOLLOWERS = "followers"  # GET /2/users/:id/followers
    FOLLOWING = "following"  # GET /2/users/:id/following
    USER_TWEETS = "user_tweets"  # GET /2/users/:id/tweets
    TWEETS_LOOKUP = "tweets_lookup"  # GET /2/tweets
    SEARCH_ALL = "search_all"  # GET /2/tweets/search/all
    DM_SEND = "dm_send"  # POST /2/dm_conversations/with/:participant_id/messages
    DM_EVENTS = "dm_events"  # GET /2/dm_conversations/with/:participant_id/dm_events
    USAGE = "usage"  # GET /2/usage/tweets
