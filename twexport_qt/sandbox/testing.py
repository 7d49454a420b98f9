"""Test helpers other packages reuse: a running sandbox, tweepy clients routed to it, and a fake browser for the
"Sign in with X" consent page.

    with running_sandbox(followers=500, clock=fake_clock) as server:
        client = sandbox_client(server)
        me = client.get_me().data
        answer = browse_consent(flow.authorize_url)   # approves; the redirect reaches the app's loopback receiver
        day = churn(server.state.population, joined=30, left=12, clock=fake_clock)  # a day of gains and losses
        truth = relationship_truth(server.state.population)  # following, mutuals, fans... as the sandbox sees them
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import numpy as np
import requests
import tweepy

from twexport_qt.core.clock import Clock, FakeClock
from twexport_qt.gateway.routing import mount
from twexport_qt.sandbox.auth import SANDBOX_BEARER_TOKEN, SANDBOX_CREDENTIALS
from twexport_qt.sandbox.config import SandboxConfig
from twexport_qt.sandbox.faults import FaultConfig
from twexport_qt.sandbox.population import Population
from twexport_qt.sandbox.rate_limits import Window
from twexport_qt.sandbox.server import SandboxServer


@contextmanager
def running_sandbox(*, followers: int = 1000, seed: int = 42, clock: Clock | None = None,
                    rate_limits: Mapping[str, Sequence[Window]] | None = None,
                    faults: FaultConfig | None = None, usage_capped: bool = False,
                    state_file: str | Path | None = None,
                    request_log: str | Path | None = None, reply_rate: float = 0.0,
                    oauth2_clients: Mapping[str, Sequence[str]] | None = None) -> Iterator[SandboxServer]:
    """A started SandboxServer on an ephemeral port, stopped on exit. `oauth2_clients` (client id -> callback URIs)
    replaces the sandbox's own "Sign in with X" app."""
    config = SandboxConfig(followers=followers, seed=seed, rate_limits=dict(rate_limits or {}),
                           faults=faults or FaultConfig(), usage_capped=usage_capped, state_file=state_file,
                           request_log=request_log, reply_rate=reply_rate)
    if oauth2_clients is not None:
        config = replace(config, oauth2_clients=dict(oauth2_clients))
    with SandboxServer(config, clock=clock) as server:
        yield server


def sandbox_client(server: SandboxServer | str, *, user_auth: bool = True, consumer_secret: str | None = None,
                   timeout: float | tuple[float, float] = (5.0, 15.0)) -> tweepy.Client:
    """A tweepy.Client with the sandbox credentials, routed to `server` (or a sandbox's base URL, such as an
    `external_process.external_sandbox`'s) exactly as the app routes it.

    `user_auth=False` gives a bearer-only client (tweepy then uses app-only auth for every call).
    `consumer_secret` overrides the secret, to produce a bad signature.
    """
    creds = SANDBOX_CREDENTIALS
    if user_auth:
        client = tweepy.Client(consumer_key=creds.consumer_key,
                               consumer_secret=consumer_secret or creds.consumer_secret,
                               access_token=creds.access_token, access_token_secret=creds.access_token_secret)
    else:
        client = tweepy.Client(bearer_token=SANDBOX_BEARER_TOKEN)
    mount(client.session, server if isinstance(server, str) else server.base_url, timeout=timeout)
    return client


DAY_S = 86_400


@dataclass(frozen=True)
class ChurnDay:
    """What one scripted day changed in the sandbox's follower list: the truth a history test checks."""

    joined: list[int]       # new followers' ids, newest first (as X lists them)
    left: list[int]         # ids of the followers who unfollowed
    followers: list[int]    # every follower after the day, newest first


def churn(population: Population, *, joined: int, left: int, clock: FakeClock | None = None,
          advance_s: float = DAY_S, seed: int = 0) -> ChurnDay:
    """Script a day: `left` current followers (picked deterministically from `seed` and the list's state) unfollow,
    then `joined` new followers come; `clock` (if given) first moves on by `advance_s`."""
    if clock is not None:
        clock.advance(advance_s)
    current = population.follower_ids()
    if left > len(current):
        raise ValueError(f"cannot lose {left} followers out of {len(current)}")
    picker = np.random.default_rng([population.seed, seed, population.index_count, len(current)])
    leaving = sorted(int(current[i]) for i in picker.choice(len(current), size=left, replace=False))
    population.unfollow(leaving)
    new_ids = list(reversed(population.add_followers(joined)))  # add_followers returns them oldest first
    return ChurnDay(new_ids, leaving, population.follower_ids())


@dataclass(frozen=True)
class RelationshipTruth:
    """Who follows whom around the sandbox account at one moment: what following and mutuals tests check.

    The population changes only when a test changes it (`churn`, `population.following.follow/unfollow`), so the
    truth taken right after a change is the truth at that simulated time."""

    following: tuple[int, ...]   # ids the sandbox account follows, most recently followed first (X's order)
    followers: tuple[int, ...]   # its followers, newest first

    @property
    def mutuals(self) -> set[int]:
        return set(self.following) & set(self.followers)

    @property
    def not_following_back(self) -> set[int]:
        """Followed, but not following the sandbox account."""
        return set(self.following) - set(self.followers)

    @property
    def fans(self) -> set[int]:
        """Following the sandbox account, which does not follow them."""
        return set(self.followers) - set(self.following)


def relationship_truth(population: Population) -> RelationshipTruth:
    return RelationshipTruth(tuple(population.following.ids()), tuple(population.follower_ids()))


@dataclass
class ConsentVisit:
    """What the fake browser saw: the consent page (or X's error page) and, once a button was pressed, the
    redirect X sent and the page the app's loopback receiver answered with."""

    page: requests.Response
    redirect_location: str | None = None
    landing: requests.Response | None = None


def browse_consent(authorize_url: str, *, decision: str = "Authorize app", follow_redirect: bool = True,
                   timeout: float = 10.0) -> ConsentVisit:
    """Act as the user's browser: open the sandbox's authorize page, press `decision` ("Authorize app" or
    "Cancel") as its form says, and follow X's redirect to wherever it points (the app's receiver; not with
    `follow_redirect=False`). An error page (no form) is returned as it is, like a user who then closes the tab."""
    with requests.Session() as browser:
        page = browser.get(authorize_url, timeout=timeout)
        visit = ConsentVisit(page)
        form = _ConsentForm.parse(page.text)
        if page.status_code != 200 or form.action is None:
            return visit
        button = form.buttons.get(decision)
        if button is None:
            raise AssertionError(f"The consent page has no {decision!r} button; it has {sorted(form.buttons)}")
        fields = {**form.fields, button[0]: button[1]}
        answer = browser.post(urljoin(page.url, form.action), data=fields, allow_redirects=False, timeout=timeout)
        visit.redirect_location = answer.headers.get("Location")
        if answer.status_code == 302 and visit.redirect_location and follow_redirect:
            visit.landing = browser.get(visit.redirect_location, timeout=timeout)
        return visit


class _ConsentForm(HTMLParser):
    """The consent page's one form: its action, hidden fields and submit buttons (label -> name, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, tuple[str, str]] = {}
        self._button: tuple[str, str] | None = None

    @classmethod
    def parse(cls, text: str) -> _ConsentForm:
        form = cls()
        form.feed(text)
        return form

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.fields[values.get("name", "")] = values.get("value", "")
        elif tag == "button":
            self._button = (values.get("name", ""), values.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._button is not None and data.strip():
            self.buttons[data.strip()] = self._button
            self._button = None
