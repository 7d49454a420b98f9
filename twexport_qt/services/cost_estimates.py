"""What a paid job will cost, worked out where the views can ask for it: the followers fetch (all, or only the new
ones) and the tweet download (each needs one cheap read of X, so views call them through `run_task`, never in the
GUI thread), and what the automatic schedules of Settings → Automation would spend per run and per month (plain
arithmetic over the last known counts).

The CLI prints the same estimates (`commands/cost_prompt.py`); the figures come from `billing/estimates.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from twexport_qt.billing.estimates import (
    CampaignWork,
    CostEstimate,
    TweetAccount,
    estimate_archive_import,
    estimate_campaign,
    estimate_followers_fetch,
    estimate_new_followers_refresh,
    estimate_tweet_download,
    estimate_tweet_update,
    refresh_choice_sentence,
)
from twexport_qt.billing.prices import PriceTable, ResourceKind, format_usd
from twexport_qt.core.usernames import username_key
from twexport_qt.followers.fetch import FOLLOWERS_KIND, known_follower_count
from twexport_qt.gateway.pacing import ENDPOINT_ME, Pacer
from twexport_qt.gateway.x_gateway import XGateway
from twexport_qt.services.dataset_builds import with_thread_lookups
from twexport_qt.services.jobs import JobName
from twexport_qt.store import fetch_runs_repo, followers_repo
from twexport_qt.tweets.download import DownloadRequest, UpdateScope
from twexport_qt.tweets.options import DatasetOptions
from twexport_qt.tweets.sources import SourceKind, resolve_usernames

if TYPE_CHECKING:  # the context builds the services: importing it at run time would be circular
    from twexport_qt.app_context import ApiSession, AppContext

DAYS_PER_MONTH = 30  # a projected month: what "per month" means on the Automation page
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class FollowersFetchPrices:
    """The two ways to refresh the followers, priced where the user chooses one."""

    full: CostEstimate
    new_only: CostEstimate | None  # None: no follower is stored yet, so the first fetch reads them all

    def of(self, new_only: bool) -> CostEstimate:
        """The chosen refresh's estimate (the full one when a new-followers refresh is not possible)."""
        return self.new_only if new_only and self.new_only is not None else self.full

    @property
    def choice(self) -> str:
        """'Full refresh ≈ $5.00 (up to $50.00); new followers only ≈ $0.13 (…).', or '' without a choice."""
        return refresh_choice_sentence(self.full, self.new_only) if self.new_only is not None else ""


def followers_fetch_prices(context: AppContext) -> FollowersFetchPrices:
    """The price of fetching (or resuming) every follower, and of fetching only the new ones, from the account's
    `public_metrics` and the followers stored.

    One look-up of the signed-in account ($0.01; the fetch's own look-up of it is then de-duplicated by X the
    same UTC day), billed under the fetch's name, as `followers fetch` does before it asks.
    """
    with context.api_session(job=JobName.FETCH_FOLLOWERS) as api:
        return fetch_prices_in(api, context.prices)


def fetch_prices_in(api: ApiSession, prices: PriceTable) -> FollowersFetchPrices:
    """`followers_fetch_prices` on a session already open (a fetch job that tells its price before it reads)."""
    me = api.pacer.call(ENDPOINT_ME, api.gateway.me)
    owner_id = int(me["id"])
    followers_count = int((me.get("public_metrics") or {}).get("followers_count") or 0)
    owned_possible = api.gateway.has_user_context
    run = fetch_runs_repo.resumable(api.conn, owner_id, FOLLOWERS_KIND)
    full = estimate_followers_fetch(followers_count, prices, owned_possible=owned_possible,
                                    already_fetched=run.items if run is not None else 0)
    new_only = None
    if followers_repo.current_count(api.conn, owner_id) > 0:
        new_only = estimate_new_followers_refresh(followers_count, known_follower_count(api.conn, owner_id), prices,
                                                  owned_possible=owned_possible)
    return FollowersFetchPrices(full, new_only)


def download_estimate(context: AppContext, request: DownloadRequest) -> CostEstimate:
    """The price of a tweet download, as `tweets download` prints it before it starts.

    Timeline and search look the accounts up first (one user read each, which the download's own look-up then
    repeats for free the same UTC day) for their tweet counts; an archive costs nothing to read.
    """
    options = request.options
    if request.source_kind == SourceKind.STORED:  # built from the database: no request, nothing billed
        return context.downloads.rebuild_estimate(request.sources)
    if request.source_kind == SourceKind.ARCHIVE:
        # Read in the calling thread: for an X profile it is a keyring read.
        return estimate_archive_import(context.prices, looks_up_reply_parents=options.text_format == "reply"
                                       and context.credentials().can_call_api)
    with context.api_session(job=JobName.TWEET_DOWNLOAD) as api:
        return accounts_download_estimate(api.gateway, api.pacer, list(request.sources), context.known_owner_id(),
                                          context.prices, options, search=request.source_kind == SourceKind.SEARCH)


def accounts_download_estimate(gateway: XGateway, pacer: Pacer, names: list[str], owner_id: int | None,
                               prices: PriceTable, options: DatasetOptions, *, search: bool) -> CostEstimate:
    """The price of downloading `names`' tweets from X, from their tweet counts (one user read each, which the
    download's own look-up then repeats for free the same UTC day). The app and `tweets download` both ask it."""
    accounts = _tweet_accounts(gateway, pacer, names, owner_id)
    estimate = estimate_tweet_download(accounts, prices, limit=options.limit, include_replies=options.include_replies,
                                       search=search, user_context=gateway.has_user_context)
    return with_thread_lookups(estimate, options, prices)  # chat turns above a reply's parent, when not stored


def accounts_update_estimate(gateway: XGateway, pacer: Pacer, scope: UpdateScope, owner_id: int | None,
                             prices: PriceTable, options: DatasetOptions) -> CostEstimate:
    """The price of an update of a finished timeline dataset (`scope`, from `tweets.download.update_scope`),
    from the accounts' tweet counts (one user read each, as for a download)."""
    names = [*scope.newer_only, *scope.read_whole]
    accounts = _tweet_accounts(gateway, pacer, names, owner_id)
    estimate = estimate_tweet_update(accounts, prices, newer_only=set(scope.newer_only), limit=options.limit,
                                     include_replies=options.include_replies, user_context=gateway.has_user_context)
    return with_thread_lookups(estimate, options, prices)


def _tweet_accounts(gateway: XGateway, pacer: Pacer, names: list[str], owner_id: int | None) -> list[TweetAccount]:
    """`names` as X describes them (their tweet counts, whether one is the signed-in account), one user read
    each; an account X does not return is left out (the download skips it and says why)."""
    found, _ = resolve_usernames(gateway, pacer, names)
    accounts = []
    for name in names:
        user = found.get(username_key(name))
        if user is None:
            continue
        count = (user.get("public_metrics") or {}).get("tweet_count")
        accounts.append(TweetAccount(name, int(count) if count is not None else None,
                                     own=owner_id is not None and str(user.get("id")) == str(owner_id)))
    return accounts


@dataclass(frozen=True)
class ScheduleCost:
    """What an automatic schedule is projected to spend: per run, and per month (`DAYS_PER_MONTH` days)."""

    per_run: CostEstimate
    month_low: Decimal
    month_high: Decimal
    sentence: str  # "Each run: …; per month ≈ $… (up to $…)…"


def project_auto_fetch(followers_count: int, every_minutes: int, prices: PriceTable) -> ScheduleCost:
    """A fetch every `every_minutes`, priced from the account's last known follower count.

    X bills a follower once per UTC day however often it is read (de-duplication, a soft guarantee), so only
    the first run of each day is billed in full and the month counts at most one billed fetch a day; later runs
    that day bill only followers new since. The low end assumes owned reads (a user-context token), as the
    fetch's estimate does.
    """
    per_run = estimate_followers_fetch(followers_count, prices, owned_possible=True)
    runs_per_month = DAYS_PER_MONTH * MINUTES_PER_DAY / max(1, every_minutes)
    billed_runs = Decimal(str(min(DAYS_PER_MONTH, runs_per_month)))
    month_low = (per_run.low * billed_runs).quantize(Decimal("0.01"))
    month_high = (per_run.high * billed_runs).quantize(Decimal("0.01"))
    sentence = f"Each run {per_run.sentence}. Per month ≈ {_range(month_low, month_high)}"
    if runs_per_month > DAYS_PER_MONTH:
        sentence += " (X bills a follower once per UTC day, so at most one run a day costs this much)"
    sentence += "."
    return ScheduleCost(per_run, month_low, month_high, sentence)


def project_auto_campaign(daily_cap: int, prices: PriceTable) -> ScheduleCost:
    """Automatic sending: at most `daily_cap` DMs a day (the cap is the campaign's own pace), every day.

    The high end counts every DM as a retry, each reading a full page of its conversation for a reply first.
    """
    per_day = estimate_campaign(CampaignWork(first=daily_cap, retry=0, capacity=daily_cap), prices)
    all_retries = estimate_campaign(CampaignWork(first=0, retry=daily_cap, capacity=daily_cap), prices)
    month_low = per_day.low * DAYS_PER_MONTH
    month_high = max(per_day.high, all_retries.high) * DAYS_PER_MONTH
    dm_price = format_usd(prices.unit_price(ResourceKind.DM_CREATE, owned=False))
    sentence = (f"At most {daily_cap:,} DMs a day at {dm_price} each: ≈ {format_usd(per_day.low)} a day. Per month "
                f"≈ {_range(month_low, month_high)} (retries read the conversation for a reply first).")
    return ScheduleCost(per_day, month_low, month_high, sentence)


def schedule_budget_problem(path: str, monthly_budget: Decimal | None, fetch: ScheduleCost | None,
                            campaign: ScheduleCost | None) -> str | None:
    """A sentence when the schedules' projected month (its low end: what they spend at the least) passes the
    monthly budget; None when it fits, when there is no budget or no schedule."""
    if monthly_budget is None:
        return None
    parts = [(what, cost) for what, cost in (("auto-fetch", fetch), ("automatic sending", campaign))
             if cost is not None]
    total = sum((cost.month_low for _, cost in parts), Decimal(0))
    if not parts or total <= monthly_budget:
        return None
    named = " and ".join(f"{what} ≈ {format_usd(cost.month_low)}" for what, cost in parts)
    return (f"{path}: the automatic schedule would spend at least {format_usd(total)} a month ({named}), more than "
            f"the monthly budget of {format_usd(monthly_budget)}: fetch less often, lower the daily cap, or raise "
            "the budget")


def _range(low: Decimal, high: Decimal) -> str:
    return format_usd(low) if low == high else f"{format_usd(low)} (up to {format_usd(high)})"
