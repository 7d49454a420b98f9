"""Job locks: one job of a kind per profile across processes; a dead owner's lock is free again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from twexport_qt.core.errors import EXIT_BUSY
from twexport_qt.store.job_locks import JobAlreadyRunning, JobKind, JobLock, read_owner


def test_a_second_holder_is_refused_with_who_runs_it_since_when(tmp_path):
    first = JobLock(tmp_path, JobKind.DM_CAMPAIGN, "profile:Main", holder="desktop app", scope_label="profile 'Main'")
    with first:
        second = JobLock(tmp_path, JobKind.DM_CAMPAIGN, "profile:Main", scope_label="profile 'Main'")
        with pytest.raises(JobAlreadyRunning) as refused:
            second.acquire()
        message = refused.value.user_message
        assert message.startswith("A DM campaign for profile 'Main' is already running since ")
        assert f"process {os.getpid()} on this computer, started from the desktop app" in message
        assert refused.value.exit_code == EXIT_BUSY and not second.held
        # Other kinds and other profiles are independent.
        with JobLock(tmp_path, JobKind.FOLLOWERS_FETCH, "profile:Main"), \
                JobLock(tmp_path, JobKind.DM_CAMPAIGN, "profile:Other"):
            pass
    assert not first.owner_path.exists()
    with JobLock(tmp_path, JobKind.DM_CAMPAIGN, "profile:Main"):  # free again once released
        pass


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_the_lock_of_a_killed_process_is_taken_over(tmp_path, caplog):
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from twexport_qt.store.job_locks import JobKind, JobLock
        held = JobLock(Path({str(tmp_path)!r}), JobKind.FOLLOWERS_FETCH, "profile:Main")
        held.acquire()
        print("locked", flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    try:
        assert child.stdout.readline().strip() == "locked"
        lock = JobLock(tmp_path, JobKind.FOLLOWERS_FETCH, "profile:Main")
        with pytest.raises(JobAlreadyRunning, match=f"process {child.pid} "):
            lock.acquire()
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        assert read_owner(lock.owner_path).pid == child.pid  # the dead owner never cleaned up
        with caplog.at_level("WARNING"), lock:
            assert read_owner(lock.owner_path).pid == os.getpid()
        assert f"its process {child.pid}" in caplog.text and "is gone" in caplog.text
    finally:
        child.kill()
        child.wait(10)


def test_an_unreadable_owner_note_still_refuses(tmp_path):
    with JobLock(tmp_path, JobKind.TWEETS_DOWNLOAD, "output:/x.csv", scope_label="/x.csv") as held:
        held.owner_path.write_text("{half a note", encoding="utf-8")
        with pytest.raises(JobAlreadyRunning, match="started moments ago"):
            JobLock(tmp_path, JobKind.TWEETS_DOWNLOAD, "output:/x.csv").acquire()
    assert not held.held


def test_the_note_names_the_job_and_a_note_of_an_older_version_reads_as_the_locks_title(tmp_path):
    """One lock serves the followers and the following fetch: the refusal names the job the holder said it runs;
    a note written before notes named the job (or by a holder that does not say) names every job the lock serves."""
    def lock(job_title: str) -> JobLock:
        return JobLock(tmp_path, JobKind.FOLLOWERS_FETCH, "profile:Main", scope_label="profile 'Main'",
                       job_title=job_title)

    with lock("A following fetch") as held:
        assert held.held
        assert read_owner(held.owner_path).job_title == "A following fetch"
        with pytest.raises(JobAlreadyRunning, match=r"^A following fetch for profile 'Main' is already running "):
            lock("A followers fetch").acquire()
        # What an older version wrote: no `job_title`.
        note = json.loads(held.owner_path.read_text(encoding="utf-8"))
        del note["job_title"]
        held.owner_path.write_text(json.dumps(note), encoding="utf-8")
        assert read_owner(held.owner_path).job_title is None
        with pytest.raises(JobAlreadyRunning) as refused:
            lock("A followers fetch").acquire()
        assert refused.value.user_message.startswith(
            "A followers or following fetch for profile 'Main' is already running since ")
        assert f"process {os.getpid()} on this computer" in refused.value.user_message
