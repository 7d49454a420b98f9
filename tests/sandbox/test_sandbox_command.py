"""`main.py sandbox serve` as the external sandbox process that tests of real app processes run against:
flags become the SandboxConfig, the first line gives the URL (also for --port 0), the state file and request
log are written, SIGTERM and Ctrl+C end it with exit 0, and bad values give one line on stderr and exit 2."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import tweepy

from twexport_qt.cli import main
from twexport_qt.sandbox import FaultKind, read_entries
from twexport_qt.sandbox.external_process import REPO_ROOT, external_sandbox
from twexport_qt.sandbox.testing import sandbox_client

POSIX = sys.platform != "win32"


@pytest.fixture(autouse=True)
def _private_home(data_dir):
    """In-process runs of `main()` use the temp data dir (TWEXPORT_HOME), never the developer's."""


def _env(home: Path) -> dict[str, str]:
    return {**{key: value for key, value in os.environ.items() if not key.startswith("TWEXPORT_")},
            "TWEXPORT_HOME": str(home)}


@pytest.mark.skipif(not POSIX, reason="SIGTERM/SIGINT delivery as on Linux and macOS")
def test_one_external_sandbox_with_faults_state_and_request_log(tmp_path):
    state, log = tmp_path / "state.json", tmp_path / "requests.jsonl"
    flags = ["--fault", "sent-then-drop=1", "--fault-endpoints", "dm_send", "--rate-limit", "dm_send=1000/60",
             "--state", str(state), "--request-log", str(log)]
    with external_sandbox(*flags, env=_env(tmp_path)) as sandbox:
        assert sandbox.port != 0  # --port 0 prints the real port
        client = sandbox_client(sandbox.base_url)
        assert client.get_me().data.username == "sandbox_creator"  # not a faulted endpoint
        with pytest.raises(requests.exceptions.ConnectionError):
            client.create_direct_message(participant_id=3001, text="processed, never answered", user_auth=True)
        saved = json.loads(state.read_text(encoding="utf-8"))["events"]
        assert [(event["participant_id"], event["text"]) for event in saved] == [("3001", "processed, never answered")]
        lines = read_entries(log)
        assert [(line["endpoint"], line["status"], line["fault"], line["participant_id"]) for line in lines] == [
            ("users_me", 200, None, None), ("dm_send", None, "sent-then-drop", 3001)]
        assert lines[1]["dm_event_id"] == saved[0]["id"]
        code, stderr = sandbox.stop(signal.SIGTERM)
        assert (code, "Traceback" in stderr) == (0, False)

    # A restarted sandbox on the same state file still knows the DM, and goes on with higher ids.
    with external_sandbox("--state", str(state), "--rate-limit", "dm_send=1000/60", env=_env(tmp_path)) as sandbox:
        client = sandbox_client(sandbox.base_url)
        known = client.get_direct_message_events(participant_id=3001, user_auth=True)
        assert [event.text for event in known.data] == ["processed, never answered"]
        client.return_type = requests.Response
        sent = client.create_direct_message(participant_id=3001, text="second", user_auth=True)
        assert sent.headers["x-rate-limit-limit"] == "1000"
        assert int(sent.json()["data"]["dm_event_id"]) > int(saved[0]["id"])
        code, stderr = sandbox.stop(signal.SIGINT)
        assert (code, "Traceback" in stderr) == (0, False)
    assert len(json.loads(state.read_text(encoding="utf-8"))["events"]) == 2
    assert len(read_entries(log)) == 2  # the second run had no --request-log


def test_a_per_second_window_given_to_the_real_process_is_hidden_like_x(tmp_path):
    with external_sandbox("--rate-limit", "search_all@app=1/1,5/900", env=_env(tmp_path)) as sandbox:
        client = sandbox_client(sandbox.base_url, user_auth=False)
        client.return_type = requests.Response
        first = client.search_all_tweets("from:bob_builds")
        assert (first.headers["x-rate-limit-limit"], first.headers["x-rate-limit-remaining"]) == ("5", "4")
        with pytest.raises(tweepy.TooManyRequests) as raised:  # sent within the same second
            client.search_all_tweets("from:bob_builds")
        refused = raised.value.response.headers
        assert (refused["x-rate-limit-limit"], refused["x-rate-limit-remaining"]) == ("5", "4")
        assert refused["x-rate-limit-reset"] == first.headers["x-rate-limit-reset"]


def test_a_bad_value_ends_the_real_process_with_one_line_and_exit_2(tmp_path):
    result = subprocess.run([sys.executable, "main.py", "sandbox", "serve", "--port", "0", "--fault", "drop=1.5"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=30, check=False,
                            env=_env(tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == ("main.py sandbox serve: error: argument --fault: the fault rate of drop must be "
                                     "between 0 and 1, got 1.5")


def run_cli(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse errors
        return int(exc.code)


@pytest.fixture
def served_config(monkeypatch):
    """Run `sandbox serve` in-process without serving: the SandboxConfig it would serve."""
    seen = []
    monkeypatch.setattr("twexport_qt.sandbox.server.serve_forever_cli", seen.append)
    return seen


def test_flags_become_the_sandbox_config(served_config, tmp_path):
    code = run_cli(["sandbox", "serve", "--port", "0", "--followers", "10", "--seed", "3",
                    "--fault", "errors-only=0.1", "--fault", "429=0.05", "--fault", "429-bare=0.05",
                    "--fault", "sent-then-drop=0.1", "--fault", "500=0.1", "--fault", "slow=0.1",
                    "--fault-endpoints", "followers,dm_send", "--fault-seed", "9", "--slow-seconds", "0.5",
                    "--storm-seconds", "1.5", "--rate-limit", "dm_send=15/900,1440/86400",
                    "--rate-limit", "followers@app=5/60", "--state", str(tmp_path / "s.json"),
                    "--request-log", str(tmp_path / "r.jsonl"), "--usage-capped"])
    assert code == 0
    [config] = served_config
    assert (config.port, config.followers, config.seed, config.usage_capped) == (0, 10, 3, True)
    assert config.faults.rates == {FaultKind.ERRORS_ONLY: 0.1, FaultKind.STORM_429: 0.05,
                                   FaultKind.STORM_429_BARE: 0.05, FaultKind.SENT_THEN_DROP: 0.1,
                                   FaultKind.ERROR_500: 0.1, FaultKind.SLOW: 0.1}
    assert config.faults.endpoints == {"followers", "dm_send"}
    assert (config.faults.seed, config.faults.slow_seconds, config.faults.storm_seconds) == (9, 0.5, 1.5)
    assert config.rate_limits == {"dm_send": [(15, 900), (1440, 86_400)], "followers@app": [(5, 60)]}
    assert (config.state_file, config.request_log) == (str(tmp_path / "s.json"), str(tmp_path / "r.jsonl"))


def test_defaults_add_no_faults_and_no_files(served_config):
    assert run_cli(["sandbox", "serve"]) == 0
    [config] = served_config
    assert (config.port, config.followers, config.seed) == (8765, 5000, 2026)
    assert not config.faults.any_random and config.faults.endpoints is None
    assert (config.rate_limits, config.state_file, config.request_log, config.usage_capped) == ({}, None, None, False)


@pytest.mark.parametrize(("flags", "message"), [
    (["--fault", "teapot=0.1"], "unknown fault kind 'teapot'"),
    (["--fault", "drop"], "expected KIND=RATE"),
    (["--fault", "drop=-0.1"], "between 0 and 1"),
    (["--fault", "drop=x"], "must be a number"),
    (["--fault", "drop=0.6", "--fault", "500=0.6"], "the rates sum to 1.2"),
    (["--fault", "drop=0.1", "--fault", "drop=0.2"], "each fault kind may be given once"),
    (["--fault-endpoints", "followers,timeline"], "unknown endpoint 'timeline'"),
    (["--fault-seed", "x"], "invalid int value"),
    (["--slow-seconds", "-1"], "--slow-seconds must be 0 or more"),
    (["--storm-seconds", "0"], "--storm-seconds must be more than 0"),
    (["--storm-seconds", "nan"], "finite"),
    (["--rate-limit", "dm_send=15"], "must be N/SECONDS"),
    (["--rate-limit", "dm_send=15/0"], "at least 1 second"),
    (["--rate-limit", "dms=15/900"], "unknown endpoint 'dms'"),
    (["--rate-limit", "dm_send@bot=15/900"], "unknown auth context 'bot'"),
    (["--rate-limit", "dm_send=1/60", "--rate-limit", "dm_send=2/60"], "may be given once"),
    (["--followers", "2000000"], "--followers must be between"),
    (["--port", "70000"], "--port must be between"),
])
def test_bad_values_are_one_line_and_exit_2(served_config, capsys, flags, message):
    assert run_cli(["sandbox", "serve", *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("main.py sandbox serve: error: ") and message in err
    assert served_config == []


def test_unusable_files_are_one_line_and_exit_2(capsys, tmp_path):
    corrupt = tmp_path / "state.json"
    corrupt.write_text("{half a file", encoding="utf-8")
    assert run_cli(["sandbox", "serve", "--port", "0", "--state", str(corrupt)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a valid DM record" in err and str(corrupt) in err
    assert run_cli(["sandbox", "serve", "--port", "0", "--request-log", str(tmp_path / "no" / "log.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot start the sandbox" in err
