"""One follower of one account, as stored in the `followers` table.

The gateway turns X user objects into these; the store writes them with `followers_repo.upsert_followers`.
`owner_id` is not a field: a record describes the follower, the caller says whose follower it is.
"""

from __future__ import annotations

from dataclasses import dataclass

# Profile and metric columns in the order `FollowerRecord.profile_tuple()` returns them. The store builds its
# upsert statement from this tuple, so adding a column means touching the record and the migration only.
PROFILE_COLUMNS: tuple[str, ...] = (
    "user_id",
    "username",
    "name",
    "description",
    "location",
    "url",
    "profile_image_url",
    "created_at",
    "verified",
    "verified_type",
    "protected",
    "followers_count",
    "following_count",
    "tweet_count",
    "listed_count",
    "receives_your_dm",
    "most_recent_tweet_id",
    "last_posted_at",
)

# Columns the store maintains itself across refreshes.
TRACKING_COLUMNS: tuple[str, ...] = ("first_seen", "last_seen", "unfollowed_at")

RECORD_COLUMNS: tuple[str, ...] = PROFILE_COLUMNS + TRACKING_COLUMNS


@dataclass(slots=True)
class FollowerRecord:
    user_id: int
    username: str
    name: str = ""
    description: str = ""
    location: str = ""
    url: str = ""
    profile_image_url: str = ""
    created_at: int | None = None  # joined X, epoch seconds UTC
    verified: bool = False
    verified_type: str = "none"
    protected: bool = False
    followers_count: int = 0
    following_count: int = 0
    tweet_count: int = 0
    listed_count: int = 0
    receives_your_dm: bool | None = None  # None: X did not say
    most_recent_tweet_id: int | None = None  # None: never posted, or X did not say
    # When they last posted, epoch seconds UTC, read from the id (core/snowflake.py); None: unknown (no id, or
    # one older than snowflakes).
    last_posted_at: int | None = None
    # Set by the store; ignored by upserts.
    first_seen: int | None = None
    last_seen: int | None = None
    unfollowed_at: int | None = None

    def profile_tuple(self) -> tuple:
        """Values in `PROFILE_COLUMNS` order, ready to bind; bools become 0/1 ints, which sqlite3 binds fastest."""
        return (
            self.user_id,
            self.username,
            self.name,
            self.description,
            self.location,
            self.url,
            self.profile_image_url,
            self.created_at,
            int(self.verified),
            self.verified_type,
            int(self.protected),
            self.followers_count,
            self.following_count,
            self.tweet_count,
            self.listed_count,
            None if self.receives_your_dm is None else int(self.receives_your_dm),
            self.most_recent_tweet_id,
            self.last_posted_at,
        )

    @classmethod
    def from_row(cls, row: tuple) -> FollowerRecord:
        """Build from a row selected in `RECORD_COLUMNS` order, turning SQLite's 0/1 back into bools."""
        (user_id, username, name, description, location, url, profile_image_url, created_at, verified,
         verified_type, protected, followers_count, following_count, tweet_count, listed_count,
         receives_your_dm, most_recent_tweet_id, last_posted_at, first_seen, last_seen, unfollowed_at) = row
        return cls(
            user_id=user_id,
            username=username,
            name=name,
            description=description,
            location=location,
            url=url,
            profile_image_url=profile_image_url,
            created_at=created_at,
            verified=bool(verified),
            verified_type=verified_type,
            protected=bool(protected),
            followers_count=followers_count,
            following_count=following_count,
            tweet_count=tweet_count,
            listed_count=listed_count,
            receives_your_dm=None if receives_your_dm is None else bool(receives_your_dm),
            most_recent_tweet_id=most_recent_tweet_id,
            last_posted_at=last_posted_at,
            first_seen=first_seen,
            last_seen=last_seen,
            unfollowed_at=unfollowed_at,
        )
