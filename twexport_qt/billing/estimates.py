"""What a job will cost before it starts, from counts the app already has: a range and one sentence to show.

Every paid job shows its estimate first (the CLI prints it, the GUI will show it where the user starts the job),
and asks above `CONFIRM_ABOVE_USD`. An estimate is a range because some of what X bills is not known in advance:
whether X takes a read of your own followers for an Owned Read (the low end assumes it does where the ledger
would bill it so; the high end uses the standard rate), how many posts a filter drops, how many messages a DM
history holds. The functions take plain numbers (the followers count from `/2/users/me`, the campaign planner's
counts, the accounts' tweet counts) so this module needs neither the network nor the domain.

Figures follow X's pay-per-use rules (XAPI_FACTS §4.2, §4.3): a resource is billed per object returned, DMs per
request; the timeline serves an account's 3,200 newest posts, or 800 when replies are left out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from twexport_qt.billing.prices import PriceTable, ResourceKind, format_usd

CONFIRM_ABOVE_USD = Decimal("1.00")
"""Above this (the estimate's high end) a paid job asks before it starts; `--yes` answers for scripts."""

TIMELINE_REACH = 3_200                 # X serves an account's newest 3,200 posts on its timeline...
TIMELINE_REACH_WITHOUT_REPLIES = 800   # ...and only the newest 800 with exclude=replies
DM_EVENTS_PER_PAGE = 100               # a DM-history page holds at most this many events (each one billed)
NEW_FOLLOWERS_CHECK_PAGE = 100         # a new-followers refresh reads pages of this size once it expects no more
                                       # new ones, to find a page of known followers (followers/fetch.py)


class EstimateKind(StrEnum):
    """The job an estimate is for."""

    FOLLOWERS_FETCH = "followers fetch"
    FOLLOWING_FETCH = "following fetch"  # the accounts the user follows: the same price-list line, its own job
    NEW_FOLLOWERS_REFRESH = "new followers refresh"
    TWEET_DOWNLOAD = "tweet download"
    TWEET_UPDATE = "tweet dataset update"
    CAMPAIGN = "DM campaign"
    DRY_RUN = "DM dry run"
    ARCHIVE_IMPORT = "archive import"


@dataclass(frozen=True)
class CostEstimate:
    """What a job is expected to cost: `low` to `high` dollars for `count` of what it counts (`unit`)."""

    kind: EstimateKind
    count: int          # followers, posts or DMs
    unit: str           # "followers", "posts", "DMs"
    low: Decimal
    high: Decimal
    sentence: str       # one line for the user, e.g. "≈ 48,210 followers: $48.21 as owned reads (up to …)"

    @property
    def is_free(self) -> bool:
        return self.high == 0

    @property
    def needs_confirmation(self) -> bool:
        """Whether the job should ask before it starts (its high end passes `CONFIRM_ABOVE_USD`)."""
        return self.high > CONFIRM_ABOVE_USD


def estimate_followers_fetch(followers_count: int, prices: PriceTable, *, owned_possible: bool,
                             already_fetched: int = 0) -> CostEstimate:
    """A fetch of every follower, from the account's `public_metrics.followers_count`.

    `owned_possible`: the fetch is signed as the user (user-context credentials), so X may bill it as Owned
    Reads; `already_fetched`: followers a resumed run committed before (not read again).
    """
    return _full_follows_read(EstimateKind.FOLLOWERS_FETCH, "followers", followers_count, prices,
                              owned_possible=owned_possible, already_fetched=already_fetched)


def estimate_following_fetch(following_count: int, prices: PriceTable, *, owned_possible: bool,
                             already_fetched: int = 0) -> CostEstimate:
    """A fetch of every account the user follows, from `public_metrics.following_count`: priced like a followers
    fetch (the same price-list line, 'Following/Followers: Read', and the same Owned Read rule), worded and
    recorded as its own job."""
    return _full_follows_read(EstimateKind.FOLLOWING_FETCH, "followed accounts", following_count, prices,
                              owned_possible=owned_possible, already_fetched=already_fetched)


def _full_follows_read(kind: EstimateKind, unit: str, count: int, prices: PriceTable, *, owned_possible: bool,
                       already_fetched: int) -> CostEstimate:
    """A read of a whole follows list (`count` accounts, of which a resumed run committed `already_fetched`)."""
    left = max(0, count - max(0, already_fetched))
    standard = prices.cost(ResourceKind.FOLLOWS, left, owned=False)
    low = prices.cost(ResourceKind.FOLLOWS, left, owned=True) if owned_possible else standard
    what = f"≈ {left:,} {unit}"
    if already_fetched:
        what += f" left to fetch ({min(already_fetched, count):,} of {count:,} fetched before)"
    return CostEstimate(kind, left, unit, low, standard,
                        _follows_sentence(what, low, standard, owned_possible=owned_possible))


def estimate_new_followers_refresh(followers_count: int, known_followers: int, prices: PriceTable, *,
                                   owned_possible: bool) -> CostEstimate:
    """A refresh that reads only the followers who came since the last fetch (X lists the newest first).

    `known_followers`: followers stored as current (`followers/fetch.py` `known_follower_count`), so
    `followers_count - known_followers` are new at least (more if some left meanwhile). The refresh reads the new
    ones and then one check page of `NEW_FOLLOWERS_CHECK_PAGE` known followers, where it stops: that is the low
    end (at the owned rate where it may apply). If followers left, the count hides as many new ones, found by
    one more check page: the high end reads two, at the standard rate.
    """
    new = max(0, followers_count - max(0, known_followers))
    low_reads = new + NEW_FOLLOWERS_CHECK_PAGE
    standard = prices.cost(ResourceKind.FOLLOWS, new + 2 * NEW_FOLLOWERS_CHECK_PAGE, owned=False)
    low = (prices.cost(ResourceKind.FOLLOWS, low_reads, owned=True) if owned_possible
           else prices.cost(ResourceKind.FOLLOWS, low_reads, owned=False))
    what = f"≈ {new:,} new followers and a check page of {NEW_FOLLOWERS_CHECK_PAGE:,} known ones"
    return CostEstimate(EstimateKind.NEW_FOLLOWERS_REFRESH, new, "new followers", low, standard,
                        _follows_sentence(what, low, standard, owned_possible=owned_possible))


def _follows_sentence(what: str, low: Decimal, high: Decimal, *, owned_possible: bool) -> str:
    """How a followers read is priced: owned reads with the standard rate as the ceiling where the discount may
    apply, else the standard rate (and why, for an app-only token)."""
    if owned_possible and low != high:
        return f"{what}: {format_usd(low)} as owned reads (up to {format_usd(high)} at the standard rate)"
    price = format_usd(high) if low == high else f"{format_usd(low)} (up to {format_usd(high)})"
    sentence = f"{what}: {price} at the standard rate"
    if not owned_possible:
        sentence += " (read with the app's Bearer token: no owned-read discount)"
    return sentence


def refresh_choice_sentence(full: CostEstimate, new_only: CostEstimate) -> str:
    """Both refreshes' prices side by side, for where the user picks one.

    'Full refresh ≈ $5.00 (up to $50.00); new followers only ≈ $0.13 (up to $2.30).'
    """
    return f"Full refresh ≈ {_price_range(full)}; new followers only ≈ {_price_range(new_only)}."


def _price_range(estimate: CostEstimate) -> str:
    if estimate.high == estimate.low:
        return format_usd(estimate.low)
    return f"{format_usd(estimate.low)} (up to {format_usd(estimate.high)})"


@dataclass(frozen=True)
class TweetAccount:
    """One account a tweet download reads, as a users look-up describes it."""

    username: str
    tweet_count: int | None = None  # public_metrics.tweet_count; None: unknown (the reach caps it)
    own: bool = False               # the signed-in account: its timeline may be billed as Owned Reads


def estimate_tweet_download(accounts: Sequence[TweetAccount], prices: PriceTable, *, limit: int | None,
                            include_replies: bool, search: bool = False,
                            user_context: bool = True) -> CostEstimate:
    """A timeline (or full-archive `search`) download of `accounts`, `limit` posts written per account.

    Posts read per account: at least `limit` (filters may drop some, so more are read), at most what X can serve
    (the timeline's reach, or the account's tweet count). The low end reads `limit`, each page bringing its
    author once; the high end reads all that is reachable, every post bringing the post it replies to or
    quotes and that post's author, and (with replies) one more look-up of a reply's parent and its author.
    The accounts' look-up by name (one user read each) is in both ends.
    """
    reads = _TweetReads.of(accounts, prices, limit=limit, include_replies=include_replies, search=search,
                           user_context=user_context)
    names = f"{len(accounts):,} account{'' if len(accounts) == 1 else 's'}"
    sentence = (f"≈ {reads.posts_low:,} posts from {names}: {format_usd(reads.low)} (up to {format_usd(reads.high)} "
                f"reading all {reads.posts_high:,} reachable posts with the posts and authors they reply to or "
                "quote)")
    if reads.unknown:
        sentence += (f"; the size of {reads.unknown:,} account{'' if reads.unknown == 1 else 's'} is unknown: give "
                     "a limit to bound the cost")
    return CostEstimate(EstimateKind.TWEET_DOWNLOAD, reads.posts_low, "posts", reads.low, reads.high, sentence)


def estimate_tweet_update(accounts: Sequence[TweetAccount], prices: PriceTable, *, newer_only: Collection[str],
                          limit: int | None, include_replies: bool, user_context: bool = True) -> CostEstimate:
    """An update of a finished timeline dataset (`tweets download --update`).

    The accounts in `newer_only` are read only for the posts published since the newest the dataset took: none
    may be new (the low end reads none), and at worst all the timeline still reaches is (the high end, bounded by
    the account's tweet count, as a download's is). The others (the dataset took nothing from them) are read
    again from their newest post, within `limit`, as a download reads them. The look-up by name is in both ends.
    """
    reads = _TweetReads.of(accounts, prices, limit=limit, include_replies=include_replies, search=False,
                           user_context=user_context, newer_only=newer_only)
    names = f"{len(accounts):,} account{'' if len(accounts) == 1 else 's'}"
    sentence = (f"only posts newer than the dataset's are read, from {names}: {format_usd(reads.low)}"
                + (f" for ≈ {reads.posts_low:,} posts" if reads.posts_low else " if none is new")
                + f" (up to {format_usd(reads.high)} if all {reads.posts_high:,} posts the timeline reaches are "
                "new, with the posts and authors they reply to or quote)")
    return CostEstimate(EstimateKind.TWEET_UPDATE, reads.posts_low, "posts", reads.low, reads.high, sentence)


@dataclass(frozen=True)
class _TweetReads:
    """What reading some accounts' tweets costs: posts read at the low and high ends, and their prices."""

    posts_low: int
    posts_high: int
    low: Decimal
    high: Decimal
    unknown: int  # search accounts of unknown size without a limit (counted as none)

    @classmethod
    def of(cls, accounts: Sequence[TweetAccount], prices: PriceTable, *, limit: int | None, include_replies: bool,
           search: bool, user_context: bool, newer_only: Collection[str] = ()) -> _TweetReads:
        reach_cap = TIMELINE_REACH if include_replies else TIMELINE_REACH_WITHOUT_REPLIES
        lookup = prices.cost(ResourceKind.USERS, len(accounts), owned=False)
        low = high = lookup
        posts_low = posts_high = 0
        unknown = 0
        extra_per_post = (prices.cost(ResourceKind.POSTS, 1, owned=False)
                          + prices.cost(ResourceKind.USERS, 1, owned=False)) * (2 if include_replies else 1)
        for account in accounts:
            if search:
                reachable = account.tweet_count if account.tweet_count is not None else limit
                if reachable is None:
                    unknown += 1
                    reachable = 0
            else:
                reachable = min(reach_cap, account.tweet_count) if account.tweet_count is not None else reach_cap
            if account.username in newer_only:
                read_low = 0  # perhaps nothing was posted since
            else:
                read_low = min(limit, reachable) if limit is not None else reachable
            owned = account.own and user_context and not search
            posts_low += read_low
            posts_high += reachable
            low += prices.cost(ResourceKind.POSTS, read_low, owned=owned)
            low += prices.cost(ResourceKind.USERS, 1 if read_low else 0, owned=False)  # the author, once a day
            high += prices.cost(ResourceKind.POSTS, reachable, owned=False) + extra_per_post * reachable
        return cls(posts_low, posts_high, low, high, unknown)


def estimate_archive_import(prices: PriceTable, *, looks_up_reply_parents: bool) -> CostEstimate:
    """Reading an X data archive: free. Only parents of replies the archive lacks are looked up (with credentials
    and the reply format), which is why the sentence names their price."""
    sentence = "Reading an X data archive is free: it makes no request to X."
    if looks_up_reply_parents:
        sentence += (f" Replies whose parent is not in the archive are looked up on X at "
                     f"{format_usd(prices.unit_price(ResourceKind.POSTS, owned=False))} per post and "
                     f"{format_usd(prices.unit_price(ResourceKind.USERS, owned=False))} per author.")
    return CostEstimate(EstimateKind.ARCHIVE_IMPORT, 0, "posts", Decimal(0), Decimal(0), sentence)


@dataclass(frozen=True)
class CampaignWork:
    """What one campaign run is due to do, from the planner (`live_audience` / `plan_campaign` counts)."""

    first: int              # first DMs due
    retry: int              # retries due (each one reads the DM history first, for a reply)
    capacity: int           # DMs the daily cap still allows now
    unconfirmed: int = 0    # interrupted sends to reconcile (a DM-history read each)
    test_accounts: int = 0  # test mode: the DMs go to these accounts instead (each looked up by name)
    test_retry: bool = False  # test mode sends the retry text (a history read each, if a first DM went out)


def estimate_campaign(work: CampaignWork, prices: PriceTable) -> CostEstimate:
    """A live or test run: DMs sent at X's per-request price, and the DM histories read for reply checks.

    The planner sends retries before first DMs, so the retries of this run are the due ones the daily cap lets
    through. Each reads the follower's DM history first: the low end counts one event per history (the first DM
    itself, as in a conversation without an answer), the high end a full page of events. One look-up of the
    signed-in account is in both ends.
    """
    me = prices.cost(ResourceKind.USERS, 1, owned=False)
    capacity = max(0, work.capacity)
    if work.test_accounts:
        sends = min(work.test_accounts, capacity)
        retries_low, retries_high = 0, sends if work.test_retry else 0
        lookups = prices.cost(ResourceKind.USERS, work.test_accounts, owned=False)
    else:
        sends = min(work.first + work.retry, capacity)
        retries_low = retries_high = min(work.retry, sends)  # retries go first (planner.CampaignPlan.sends)
        lookups = Decimal(0)
    send_cost = prices.cost(ResourceKind.DM_CREATE, sends, owned=False)
    event = prices.cost(ResourceKind.DM_EVENTS, 1, owned=False)
    reads_low = event * (retries_low + work.unconfirmed)
    reads_high = event * DM_EVENTS_PER_PAGE * (retries_high + work.unconfirmed)
    low = me + lookups + send_cost + reads_low
    high = me + lookups + send_cost + reads_high
    who = "test accounts" if work.test_accounts else "followers"
    sentence = f"≈ {sends:,} DMs to {who}: {format_usd(send_cost)} to send"
    if reads_high:
        checks = retries_high + work.unconfirmed
        sentence += (f", plus {format_usd(reads_low)} to {format_usd(reads_high)} to read up to {checks:,} DM "
                     "histories for replies")
    sentence += f"; {format_usd(low)}" + (f" (up to {format_usd(high)})" if high != low else "") + " in all"
    if work.first + work.retry > sends and not work.test_accounts:
        sentence += f" ({work.first + work.retry - sends:,} more are due on later days)"
    return CostEstimate(EstimateKind.CAMPAIGN, sends, "DMs", low, high, sentence)


def estimate_dry_run(prices: PriceTable) -> CostEstimate:
    """A dry run sends nothing; it reads only who is signed in."""
    me = prices.cost(ResourceKind.USERS, 1, owned=False)
    return CostEstimate(EstimateKind.DRY_RUN, 0, "DMs", Decimal(0), me,
                        f"A dry run is free: it sends nothing (one look-up of the signed-in account, {format_usd(me)} "
                        "at most).")
