"""Forward-only schema migrations, applied in order and tracked with `PRAGMA user_version`.

Ids are INTEGER (X ids fit in 64 bits, and integer keys keep the indexes small); timestamps are INTEGER
Unix epoch seconds (UTC), so filters and plots work on numbers and display formats them.
Never edit a released migration: append a new one.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: initial schema
    """
    CREATE TABLE accounts (
        user_id          INTEGER PRIMARY KEY,
        username         TEXT NOT NULL,
        name             TEXT NOT NULL DEFAULT '',
        followers_count  INTEGER,
        following_count  INTEGER,
        tweet_count      INTEGER,
        updated_at       INTEGER NOT NULL
    );

    CREATE TABLE followers (
        owner_id          INTEGER NOT NULL,           -- the account being followed (accounts.user_id)
        user_id           INTEGER NOT NULL,           -- the follower
        username          TEXT NOT NULL,
        name              TEXT NOT NULL DEFAULT '',
        description       TEXT NOT NULL DEFAULT '',
        location          TEXT NOT NULL DEFAULT '',
        url               TEXT NOT NULL DEFAULT '',
        profile_image_url TEXT NOT NULL DEFAULT '',
        created_at        INTEGER,                    -- joined X
        verified          INTEGER NOT NULL DEFAULT 0,
        verified_type     TEXT NOT NULL DEFAULT 'none',
        protected         INTEGER NOT NULL DEFAULT 0,
        followers_count   INTEGER NOT NULL DEFAULT 0,
        following_count   INTEGER NOT NULL DEFAULT 0,
        tweet_count       INTEGER NOT NULL DEFAULT 0,
        listed_count      INTEGER NOT NULL DEFAULT 0,
        receives_your_dm  INTEGER,                    -- NULL: X did not say
        first_seen        INTEGER NOT NULL,
        last_seen         INTEGER NOT NULL,
        unfollowed_at     INTEGER,                    -- set when a refresh no longer finds them
        UNIQUE (owner_id, user_id)
    );
    CREATE INDEX followers_owner_followers ON followers (owner_id, followers_count);
    CREATE INDEX followers_owner_following ON followers (owner_id, following_count);
    CREATE INDEX followers_owner_created ON followers (owner_id, created_at);
    CREATE INDEX followers_owner_username ON followers (owner_id, username COLLATE NOCASE);
    CREATE INDEX followers_owner_last_seen ON followers (owner_id, last_seen);

    -- One row per fetch (followers or tweets). `cursor` is the pagination token of the next page to
    -- request; it is committed in the same transaction as the page it follows, so a crash resumes exactly.
    CREATE TABLE fetch_runs (
        id              INTEGER PRIMARY KEY,
        owner_id        INTEGER NOT NULL,
        kind            TEXT NOT NULL,                -- 'followers'
        state           TEXT NOT NULL,                -- running | done | cancelled | failed
        cursor          TEXT,
        pages           INTEGER NOT NULL DEFAULT 0,
        items           INTEGER NOT NULL DEFAULT 0,
        total_expected  INTEGER,
        started_at      INTEGER NOT NULL,
        finished_at     INTEGER,
        error           TEXT
    );
    CREATE INDEX fetch_runs_owner_kind ON fetch_runs (owner_id, kind, id);

    -- Every DM the app intends, sends or skips. The UNIQUE key is the exactly-once guarantee: a row is
    -- written in state 'sending' before the HTTP call, so a crash leaves evidence to reconcile.
    CREATE TABLE dm_log (
        id              INTEGER PRIMARY KEY,
        owner_id        INTEGER NOT NULL,
        recipient_id    INTEGER NOT NULL,
        recipient_username TEXT NOT NULL DEFAULT '',
        step            TEXT NOT NULL,                -- first | retry
        mode            TEXT NOT NULL,                -- live | test | dry_run
        state           TEXT NOT NULL,                -- sending | sent | skipped | failed | dry_run
        text            TEXT NOT NULL DEFAULT '',
        reason          TEXT NOT NULL DEFAULT '',
        event_id        TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        UNIQUE (owner_id, recipient_id, step, mode)
    );
    CREATE INDEX dm_log_owner_state ON dm_log (owner_id, mode, state);

    CREATE TABLE do_not_contact (
        owner_id        INTEGER NOT NULL,
        user_id         INTEGER NOT NULL,
        reason          TEXT NOT NULL DEFAULT '',
        added_at        INTEGER NOT NULL,
        PRIMARY KEY (owner_id, user_id)
    );

    CREATE TABLE tweets (
        id                  INTEGER PRIMARY KEY,
        author_id           INTEGER,
        author_username     TEXT NOT NULL DEFAULT '',
        created_at          INTEGER,
        text                TEXT NOT NULL,
        conversation_id     INTEGER,
        in_reply_to_tweet_id INTEGER,
        in_reply_to_user_id INTEGER,
        quoted_tweet_id     INTEGER,
        is_retweet          INTEGER NOT NULL DEFAULT 0,
        source              TEXT NOT NULL,            -- timeline | search | archive | lookup
        fetched_at          INTEGER NOT NULL
    );
    CREATE INDEX tweets_author_created ON tweets (author_id, created_at);
    CREATE INDEX tweets_conversation ON tweets (conversation_id);

    -- A tweet download (wizard or CLI): options as JSON, per-account cursors, and which tweets went into
    -- the output file, so a resumed job neither re-fetches nor writes a tweet twice.
    CREATE TABLE tweet_jobs (
        id              INTEGER PRIMARY KEY,
        key             TEXT NOT NULL UNIQUE,         -- stable hash of sources + options + output path
        options_json    TEXT NOT NULL,
        output_path     TEXT NOT NULL,
        state           TEXT NOT NULL,                -- running | done | cancelled | failed
        written         INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
    );
    CREATE TABLE tweet_job_accounts (
        job_id          INTEGER NOT NULL REFERENCES tweet_jobs(id) ON DELETE CASCADE,
        username        TEXT NOT NULL,
        user_id         INTEGER,
        cursor          TEXT,
        state           TEXT NOT NULL,                -- pending | running | done | skipped
        fetched         INTEGER NOT NULL DEFAULT 0,
        written         INTEGER NOT NULL DEFAULT 0,
        skipped         INTEGER NOT NULL DEFAULT 0,
        message         TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (job_id, username)
    );
    CREATE TABLE tweet_job_output (
        job_id          INTEGER NOT NULL REFERENCES tweet_jobs(id) ON DELETE CASCADE,
        tweet_id        INTEGER NOT NULL,
        PRIMARY KEY (job_id, tweet_id)
    );
    """,
    # 2: the committed size of a tweet job's output file. A crash between appending a page's examples and
    # committing them leaves extra bytes; a resumed job cuts the file back to this size (tweets/download.py).
    """
    ALTER TABLE tweet_jobs ADD COLUMN output_bytes INTEGER NOT NULL DEFAULT 0;
    """,
    # 3: fewer follower indexes. Every upsert updated six B-trees in random order: 21 s of CPU to ingest a million
    # followers. With the (owner_id, user_id) key and the followers-count index only it takes under 10 s. The views
    # filter and sort numeric columns in memory (followers/snapshot.py); exports and campaign planning scan one
    # owner's rows through the key's owner_id prefix, which takes well under a second at a million.
    """
    DROP INDEX IF EXISTS followers_owner_following;
    DROP INDEX IF EXISTS followers_owner_created;
    DROP INDEX IF EXISTS followers_owner_username;
    DROP INDEX IF EXISTS followers_owner_last_seen;
    """,
    # 4: replies to campaign DMs, read from X's DM history just before a retry (campaigns/replies.py). One row per
    # message a follower wrote to us, keyed by X's event id; the text is not kept (someone's private message),
    # only when it was written and whether it opted out. Append-only.
    """
    CREATE TABLE dm_replies (
        owner_id    INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        event_id    TEXT NOT NULL,
        created_at  INTEGER NOT NULL,   -- when the follower wrote (X's event time, epoch seconds)
        opt_out     INTEGER NOT NULL DEFAULT 0,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (owner_id, event_id)
    );
    CREATE INDEX dm_replies_user ON dm_replies (owner_id, user_id);
    """,
    # 5: the spend ledger (billing/ledger.py). X bills per resource returned, de-duplicated per UTC day: one row per
    # billed answer and resource kind (amounts in whole micro-dollars, so sums are exact), and the ids billed on the
    # current day, keyed day first so that forgetting past days is a range delete.
    """
    CREATE TABLE spend_ledger (
        id                INTEGER PRIMARY KEY,
        billed_at         INTEGER NOT NULL,           -- epoch seconds
        utc_day           TEXT NOT NULL,              -- 'YYYY-MM-DD', X's billing day
        profile           TEXT NOT NULL,
        job               TEXT,                       -- the job's name; NULL: none was given
        endpoint          TEXT NOT NULL,              -- 'GET /2/users/:id/followers'
        resource_kind     TEXT NOT NULL,              -- follows | posts | users | dm_events | dm_create
        owned             INTEGER NOT NULL,           -- 1: billed at the Owned Read rate
        returned          INTEGER NOT NULL,           -- resources in the answer (requests, for writes)
        billed            INTEGER NOT NULL,           -- of them, billed after the day's de-duplication
        unit_price_micros INTEGER NOT NULL,
        amount_micros     INTEGER NOT NULL
    );
    CREATE INDEX spend_ledger_profile_day ON spend_ledger (profile, utc_day);

    CREATE TABLE spend_billed_resources (
        utc_day           TEXT NOT NULL,
        profile           TEXT NOT NULL,
        resource_kind     TEXT NOT NULL,
        owned             INTEGER NOT NULL,
        resource_id       INTEGER NOT NULL,           -- X's id (numeric text is stored as an integer: smaller)
        PRIMARY KEY (utc_day, profile, resource_kind, owned, resource_id)
    ) WITHOUT ROWID;
    """,
    # 6: follower history (store/history_repo.py): one snapshot per complete followers fetch, and only what changed at
    # it: who joined (with their rank in X's newest-first order), who left, and per-follower metric deltas.
    # `follower_last_snapshot` is each follower as the last snapshot saw them, so a fetch is compared with it without
    # reading the history back. Keys lead with snapshot_id (changes are read a snapshot at a time) and tables are
    # WITHOUT ROWID: a year of daily refreshes of a million followers stays well under 2 GB. Existing folders get a
    # first snapshot of their current followers, at the end of their last complete fetch, if they have one.
    """
    CREATE TABLE follower_snapshots (
        id              INTEGER PRIMARY KEY,
        owner_id        INTEGER NOT NULL,
        fetch_run_id    INTEGER,                      -- the fetch_runs row that completed (NULL: none known)
        taken_at        INTEGER NOT NULL,             -- when that fetch completed
        follower_count  INTEGER NOT NULL,
        joined          INTEGER NOT NULL,             -- members not at the previous snapshot (all, at the first)
        left_count      INTEGER NOT NULL,             -- members of the previous snapshot no longer following
        metric_changes  INTEGER NOT NULL DEFAULT 0    -- rows written to follower_metric_changes
    );
    CREATE INDEX follower_snapshots_owner_time ON follower_snapshots (owner_id, taken_at);

    CREATE TABLE follower_joins (
        snapshot_id     INTEGER NOT NULL,
        user_id         INTEGER NOT NULL,
        position        INTEGER NOT NULL,             -- rank among the snapshot's joiners, X's order (0 = newest)
        PRIMARY KEY (snapshot_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX follower_joins_user ON follower_joins (user_id);

    CREATE TABLE follower_leaves (
        snapshot_id     INTEGER NOT NULL,
        user_id         INTEGER NOT NULL,
        PRIMARY KEY (snapshot_id, user_id)
    ) WITHOUT ROWID;

    -- The metric changes of one snapshot as one packed block (history_repo.pack_metric_changes): the followers
    -- whose metrics moved and the four deltas since their previous recorded values. A row per follower cost 22
    -- bytes; packed, about 8, which keeps a year under 2 GB even when a third of a million followers change daily.
    CREATE TABLE follower_metric_changes (
        snapshot_id     INTEGER PRIMARY KEY,
        changes         INTEGER NOT NULL,             -- followers in the block
        packed          BLOB NOT NULL
    );

    CREATE TABLE follower_last_snapshot (
        owner_id        INTEGER NOT NULL,
        user_id         INTEGER NOT NULL,
        member          INTEGER NOT NULL,             -- 1: following at the last snapshot
        followers_count INTEGER NOT NULL,
        following_count INTEGER NOT NULL,
        tweet_count     INTEGER NOT NULL,
        listed_count    INTEGER NOT NULL,
        PRIMARY KEY (owner_id, user_id)
    ) WITHOUT ROWID;

    INSERT INTO follower_snapshots (owner_id, fetch_run_id, taken_at, follower_count, joined, left_count)
    SELECT r.owner_id, r.id, coalesce(r.finished_at, r.started_at), counted.members, counted.members, 0
    FROM fetch_runs AS r
    JOIN (SELECT owner_id, count(*) AS members FROM followers WHERE unfollowed_at IS NULL GROUP BY owner_id)
        AS counted ON counted.owner_id = r.owner_id
    WHERE r.id IN (SELECT max(id) FROM fetch_runs WHERE kind = 'followers' AND state = 'done' GROUP BY owner_id);

    INSERT INTO follower_joins (snapshot_id, user_id, position)
    SELECT s.id, f.user_id, row_number() OVER (PARTITION BY f.owner_id ORDER BY f.rowid) - 1
    FROM followers AS f JOIN follower_snapshots AS s ON s.owner_id = f.owner_id
    WHERE f.unfollowed_at IS NULL;

    INSERT INTO follower_last_snapshot (owner_id, user_id, member, followers_count, following_count, tweet_count,
                                        listed_count)
    SELECT f.owner_id, f.user_id, 1, f.followers_count, f.following_count, f.tweet_count, f.listed_count
    FROM followers AS f JOIN follower_snapshots AS s ON s.owner_id = f.owner_id
    WHERE f.unfollowed_at IS NULL;
    """,
    # Activity: the id of each follower's newest post (X's `most_recent_tweet_id`; NULL when they never posted) and
    # the time it encodes (core/snowflake.py), epoch seconds, NULL when unknown. The time is stored, not derived in
    # SQL, so filters, sorts and the snapshot read a plain integer column like created_at.
    """
    ALTER TABLE followers ADD COLUMN most_recent_tweet_id INTEGER;
    ALTER TABLE followers ADD COLUMN last_posted_at INTEGER;
    """,
    # Following: the accounts the owner follows (followers/following_fetch.py), with the same profile and metric
    # columns as `followers`, so one FollowerFilter applies to both. `position` is X's order at the last fetch
    # (0 = followed most recently). A complete fetch deletes the accounts it did not list (another `fetch_run_id`:
    # exact even for two fetches within one second), so `unfollowed_at` stays NULL: it is there for the filter's
    # "still following" clause. The key (owner_id, user_id) is also what the mutuals and fans filters look a
    # follower up by; `followers`' unique (owner_id, user_id) serves the other way.
    """
    CREATE TABLE following (
        owner_id          INTEGER NOT NULL,           -- the account that follows (accounts.user_id)
        user_id           INTEGER NOT NULL,           -- the account followed
        username          TEXT NOT NULL,
        name              TEXT NOT NULL DEFAULT '',
        description       TEXT NOT NULL DEFAULT '',
        location          TEXT NOT NULL DEFAULT '',
        url               TEXT NOT NULL DEFAULT '',
        profile_image_url TEXT NOT NULL DEFAULT '',
        created_at        INTEGER,
        verified          INTEGER NOT NULL DEFAULT 0,
        verified_type     TEXT NOT NULL DEFAULT 'none',
        protected         INTEGER NOT NULL DEFAULT 0,
        followers_count   INTEGER NOT NULL DEFAULT 0,
        following_count   INTEGER NOT NULL DEFAULT 0,
        tweet_count       INTEGER NOT NULL DEFAULT 0,
        listed_count      INTEGER NOT NULL DEFAULT 0,
        receives_your_dm  INTEGER,
        most_recent_tweet_id INTEGER,
        last_posted_at    INTEGER,
        position          INTEGER NOT NULL,           -- X's newest-followed-first rank at the last fetch
        fetch_run_id      INTEGER NOT NULL,           -- the fetch that listed it last (fetch_runs.id)
        first_seen        INTEGER NOT NULL,
        last_seen         INTEGER NOT NULL,
        unfollowed_at     INTEGER,
        PRIMARY KEY (owner_id, user_id)
    );
    CREATE INDEX following_owner_position ON following (owner_id, position);
    """,
    # Who joined and who left at a snapshot, also as one packed block of ids per snapshot and kind
    # (store/history_repo.py `pack_ids`): "who left" over a year of a million followers is millions of ids, and
    # reading them row by row cost seconds; the blocks read in milliseconds. The rows stay: they are the key by
    # user that the outreach churn and "followed since" join on. Snapshots recorded before this migration have no
    # block and are read from their rows.
    """
    CREATE TABLE follower_change_blocks (
        snapshot_id     INTEGER NOT NULL,
        change          TEXT NOT NULL,                -- 'join' (in position order) or 'leave' (by user id)
        changes         INTEGER NOT NULL,             -- ids in the block
        packed          BLOB NOT NULL,
        PRIMARY KEY (snapshot_id, change)
    ) WITHOUT ROWID;
    """,
    # X's `lang` of each tweet (a BCP 47 code such as "en" or "pt", or X's own "und", "zxx", "qme"…), for a
    # dataset's language filter. NULL where it was never known: rows stored before this migration, archives
    # without the field. A later sighting without it keeps the stored one (store/tweets_repo.py).
    """
    ALTER TABLE tweets ADD COLUMN lang TEXT;
    """,
    # The fetch run a follower was last seen in, as the newest fetch_runs.id when they were stored
    # (store/followers_repo.py `newest_fetch_run`): a complete followers fetch marks as left those stored before it
    # started, exactly, where `last_seen < started_at` missed whoever left between two fetches in the same second.
    # Rows from before keep 0 (stored before any run to come), except where a fetch stopped before its last page
    # is to be resumed: the followers it (or a new-followers refresh since) stored after it started get its id, so
    # it still finds exactly the leavers the old rule would have. No index: only whole-account passes read it.
    # (No UPDATE ... FROM: SQLite before 3.33 lacks it; the IN list walks the (owner_id, last_seen) index.)
    """
    ALTER TABLE followers ADD COLUMN seen_run INTEGER NOT NULL DEFAULT 0;
    UPDATE followers SET seen_run = (
        SELECT max(r.id) FROM fetch_runs AS r WHERE r.owner_id = followers.owner_id AND r.kind = 'followers')
    WHERE rowid IN (
        SELECT f.rowid FROM fetch_runs AS r
        JOIN followers AS f ON f.owner_id = r.owner_id AND f.last_seen >= r.started_at
        WHERE r.id IN (SELECT max(id) FROM fetch_runs WHERE kind = 'followers' GROUP BY owner_id)
        AND r.state IN ('running', 'cancelled', 'failed'));
    """,
    # Which world a tweet and a download belong to: 1 for the Sandbox's simulated X, 0 for the real one. Every read
    # that builds or exports a dataset keeps to its profile's world (store/tweets_repo.py), so made-up tweets never
    # reach a real profile's dataset. A Sandbox download's key gains a 'sandbox:' prefix (`tweets_repo.job_key`):
    # the same request on a real profile is another download.
    # Existing rows recorded no profile, so the backfill reads what the rows themselves show: the Sandbox's tweets
    # are written by its eight fixed accounts (sandbox/tweets_world.py HISTORIES, copied here as they stood, since a
    # migration never changes) and each id carries the account's slot in the snowflake's worker bits, which a real
    # tweet of an account with the same id matches once in 1,024; an archive is read from the user's own file, so
    # never simulated. A download is simulated when a tweet it took is or, having taken none yet, when one of its
    # accounts is a Sandbox account by both id and name. Anything else stays real: should a guess miss, a real
    # profile sees an old simulated row, as before, rather than lose a real one.
    """
    ALTER TABLE tweets ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tweet_jobs ADD COLUMN simulated INTEGER NOT NULL DEFAULT 0;
    UPDATE tweets SET simulated = 1 WHERE source != 'archive' AND (
        (author_id = 1486732650112401409 AND ((id >> 12) & 1023) = 1
            AND lower(author_username) IN ('', 'sandbox_creator'))
        OR (author_id = 2001 AND ((id >> 12) & 1023) = 2)
        OR (author_id = 2002 AND ((id >> 12) & 1023) = 3)
        OR (author_id = 2003 AND ((id >> 12) & 1023) = 4)
        OR (author_id = 2004 AND ((id >> 12) & 1023) = 5)
        OR (author_id = 2005 AND ((id >> 12) & 1023) = 6)
        OR (author_id = 2006 AND ((id >> 12) & 1023) = 7)
        OR (author_id = 2007 AND ((id >> 12) & 1023) = 8));
    UPDATE tweet_jobs SET simulated = 1 WHERE id IN (
        SELECT o.job_id FROM tweet_job_output AS o JOIN tweets AS t ON t.id = o.tweet_id WHERE t.simulated = 1
    ) OR id NOT IN (SELECT job_id FROM tweet_job_output) AND id IN (
        SELECT job_id FROM tweet_job_accounts WHERE (user_id, lower(username)) IN (
            VALUES (1486732650112401409, 'sandbox_creator'), (2001, 'alice_writes'), (2002, 'bob_builds'),
                   (2003, 'carol_codes'), (2004, 'dave_designs'), (2005, 'erin_edits'), (2006, 'suspended_sam'),
                   (2007, 'private_pat')));
    UPDATE tweet_jobs SET key = 'sandbox:' || key WHERE simulated = 1;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
