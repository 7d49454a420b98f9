"""Kill the app at every stage of a send, restart it on the same database, and count the DMs X received.

Each seeded trial picks random recipients and crashes a few times at random (stage, n-th send) points,
including while a restarted app is finishing an interrupted DM. Whatever happens, every recipient must
receive exactly one DM per step, and the log must name the event X recorded.
"""

from __future__ import annotations

import itertools
import random

import pytest

from tests.campaigns.conftest import OWNER_ID, App
from twexport_qt.campaigns.reconcile import RECONCILE_GRACE_S
from twexport_qt.campaigns.sender import AFTER_COMMIT, AFTER_SEND_BEFORE_COMMIT, BEFORE_SEND, run_campaign
from twexport_qt.campaigns.settings import CampaignSettings
from twexport_qt.core.clock import FakeClock
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.sandbox.testing import running_sandbox
from twexport_qt.store import dm_repo

STAGES = (BEFORE_SEND, AFTER_SEND_BEFORE_COMMIT, AFTER_COMMIT)
TRIALS = 30
MAX_CRASHES_PER_STEP = 3


class SimulatedCrash(Exception):
    """Stands for kill -9: propagates out of the campaign untouched."""


def crash_at(stage: str, nth: int):
    calls = itertools.count()

    def hook(current: str) -> None:
        if current == stage and next(calls) == nth:
            raise SimulatedCrash(f"{stage} #{nth}")

    return hook


def run_with_crashes(app: App, settings: CampaignSettings, rng: random.Random, recipients: int) -> list[str]:
    """Run one campaign step through random crashes, then to the end; returns the crash points hit."""
    crashes: list[str] = []
    for _ in range(rng.randint(1, MAX_CRASHES_PER_STEP)):
        hook = crash_at(rng.choice(STAGES), rng.randrange(recipients))
        try:
            run_campaign(app.conn, app.gateway, app.pacer, app.clock, settings, crash_hook=hook)
            break  # the crash point was never reached: this step is complete
        except SimulatedCrash as crash:
            crashes.append(str(crash))
            app.restart()  # and run again at once: claims X may still be processing are left alone
    app.clock.advance(RECONCILE_GRACE_S)  # later, X's history can tell sent from never sent
    result = run_campaign(app.conn, app.gateway, app.pacer, app.clock, settings)
    assert result.stop_reason == "done", result.message
    return crashes


@pytest.mark.parametrize("seed", range(TRIALS))
def test_exactly_one_dm_per_person_per_step_across_crashes(seed, tmp_path):
    rng = random.Random(seed)
    clock = FakeClock()
    with running_sandbox(followers=30, seed=seed, clock=clock) as server:
        app = App(server, clock, tmp_path / "twexport.sqlite3")
        fetch_followers(app.conn, app.gateway, app.pacer, clock)
        accepting = sorted(row[0] for row in app.conn.execute(
            "SELECT user_id FROM followers WHERE receives_your_dm = 1"))
        recipients = set(rng.sample(accepting, rng.randint(3, 12)))
        with app.conn:  # everyone else is excluded through the do-not-contact list
            for user_id in set(accepting) - recipients:
                dm_repo.add_do_not_contact(app.conn, OWNER_ID, user_id, "not in this trial", int(clock.now()))
        settings = CampaignSettings(message="Hello {first_name}", retry_message="Again, {username}",
                                    test_mode=False, dm_enabled=True, live_confirmed=True, retry_after_days=2)

        # The first crash point always lies within the step (n-th send < recipients), so each step crashes.
        assert run_with_crashes(app, settings, rng, len(recipients))
        clock.advance(3 * 86_400)
        assert run_with_crashes(app, settings, rng, len(recipients))

        for user_id in accepting:
            events = server.state.dms.events_with(user_id)
            if user_id not in recipients:
                assert events == []
                continue
            assert [e.text.split(maxsplit=1)[0] for e in reversed(events)] == ["Hello", "Again,"], user_id
            for step, event in zip(("retry", "first"), events):
                row = dm_repo.get(app.conn, OWNER_ID, user_id, step, "live")
                assert (row.state, row.event_id) == ("sent", str(event.event_id))
        assert dm_repo.unconfirmed(app.conn, OWNER_ID) == []
        app.close()
