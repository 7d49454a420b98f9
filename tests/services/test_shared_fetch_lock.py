"""The followers fetch and the following fetch share one lock, and a refused second start names the one that runs:
tried from the desktop app's jobs and from the command line, in both directions, while the other really fetches."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pytest

from twexport_qt import cli
from twexport_qt.commands.session import command_session
from twexport_qt.core.cancel import CancelToken
from twexport_qt.core.errors import EXIT_BUSY
from twexport_qt.followers.fetch import fetch_followers
from twexport_qt.services.jobs import Job, JobContext, JobName, api_job
from twexport_qt.store.job_locks import JobAlreadyRunning, JobKind


def run_stopping_at_first_page(job: Job, during: Callable[[], None]) -> None:
    """Run `job` and call `during` once, when its first page is committed (the job holds its lock then)."""
    heard: list[object] = []

    def stored(what: object) -> None:
        if not heard:
            heard.append(what)
            during()

    job(JobContext(CancelToken(), lambda _progress: None, lambda _notice: None, stored=stored))
    assert heard, "the job never committed a page"


def followers_fetch_job(context) -> Job:
    """The followers fetch as the Followers tab starts it (`FollowersTab._start_fetch_job`)."""
    return api_job(context, lambda api, ctx: fetch_followers(api.conn, api.gateway, api.pacer, context.clock,
                                                             on_page_stored=ctx.stored, page_size=20),
                   lock=JobKind.FOLLOWERS_FETCH)


def run_job(job: Job) -> None:
    job(JobContext(CancelToken(), lambda _progress: None, lambda _notice: None))


def cli_fetch(context, what: str) -> int:
    return cli.main(["--data-dir", str(context.data_dir), "--profile", context.profile.name, what, "fetch", "--yes"])


def test_a_following_fetch_during_a_followers_fetch_is_told_a_followers_fetch_runs(context, capsys):
    refusals: list[str] = []

    def try_following() -> None:
        with pytest.raises(JobAlreadyRunning) as refused:
            run_job(context.following.fetch_job())
        refusals.append(refused.value.user_message)
        assert cli_fetch(context, "following") == EXIT_BUSY
        refusals.append(capsys.readouterr().err)

    run_stopping_at_first_page(followers_fetch_job(context), try_following)
    in_app, on_command_line = refusals
    assert in_app.startswith("A followers fetch for profile 'Sandbox' is already running since ")
    assert on_command_line.startswith("error: A followers fetch for profile 'Sandbox' is already running since ")


def test_a_followers_fetch_during_a_following_fetch_is_told_a_following_fetch_runs(context, capsys):
    refusals: list[str] = []

    def try_followers() -> None:
        with pytest.raises(JobAlreadyRunning) as refused:
            run_job(followers_fetch_job(context))
        refusals.append(refused.value.user_message)
        assert cli_fetch(context, "followers") == EXIT_BUSY
        refusals.append(capsys.readouterr().err)

    run_stopping_at_first_page(context.following.fetch_job(page_size=5), try_followers)
    in_app, on_command_line = refusals
    assert in_app.startswith("A following fetch for profile 'Sandbox' is already running since ")
    assert on_command_line.startswith("error: A following fetch for profile 'Sandbox' is already running since ")
    # Once it ended, the lock is free for the other fetch again.
    run_job(followers_fetch_job(context))


@pytest.mark.parametrize(("job", "title"), [(None, "A followers fetch"),
                                            (JobName.FETCH_FOLLOWING, "A following fetch")])
def test_a_command_line_fetch_names_itself_in_the_lock(context, job, title):
    """`followers fetch` (the lock's own job) and `following fetch` (named) as the commands open their session."""
    args = argparse.Namespace(data_dir=str(context.data_dir), profile=context.profile.name)
    with command_session(args, lock=JobKind.FOLLOWERS_FETCH, job=job), \
            pytest.raises(JobAlreadyRunning, match=f"^{title} for profile 'Sandbox' is already running since "):
        run_job(followers_fetch_job(context))
