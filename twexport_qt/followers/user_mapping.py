"""X API v2 user objects (raw JSON) -> FollowerRecord."""

from __future__ import annotations

from typing import Any

from twexport_qt.core.snowflake import posted_at
from twexport_qt.core.timefmt import parse_x_timestamp
from twexport_qt.followers.records import FollowerRecord


def follower_from_api(user: dict[str, Any]) -> FollowerRecord:
    metrics = user.get("public_metrics") or {}
    receives = user.get("receives_your_dm")
    recent_post = _optional_id(user.get("most_recent_tweet_id"))
    return FollowerRecord(
        user_id=int(user["id"]),
        username=user.get("username", ""),
        name=user.get("name", ""),
        description=user.get("description", "") or "",
        location=user.get("location", "") or "",
        url=user.get("url", "") or "",
        profile_image_url=user.get("profile_image_url", "") or "",
        created_at=parse_x_timestamp(user.get("created_at")),
        verified=bool(user.get("verified", False)),
        verified_type=user.get("verified_type") or "none",
        protected=bool(user.get("protected", False)),
        followers_count=int(metrics.get("followers_count", 0) or 0),
        # X renamed tweet_count to post_count in the newest spec; accept either.
        following_count=int(metrics.get("following_count", 0) or 0),
        tweet_count=int(metrics.get("tweet_count", metrics.get("post_count", 0)) or 0),
        listed_count=int(metrics.get("listed_count", 0) or 0),
        receives_your_dm=None if receives is None else bool(receives),
        most_recent_tweet_id=recent_post,
        last_posted_at=posted_at(recent_post),
    )


def _optional_id(value: Any) -> int | None:
    """X's id text as an int; None when absent (the user never posted) or not a number (nothing to date)."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
