"""``hubfork pull`` and ``hubfork hub ...`` through the real command line.

Most run ``python -m hubfork`` in a fresh process (`run_cli`), as a user would: the
Hugging Face client reads HF_ENDPOINT, HF_HUB_OFFLINE and the cache folders when it is
imported, and the tripwire proves a command never imports TensorFlow. Checks that need
neither call `hubfork.cli.main.main` in this process, which uses the same parser.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from hubfork.cli.main import main
from tests.conftest import ROOT, run_cli
from tests.fixtures.hub import REPO, sha256_tree


def test_pull_prints_the_path(hf_env, local_hub, tripwire):
    result = run_cli("pull", f"{REPO}@v1", pythonpath=[tripwire])  # fetching never imports TensorFlow
    assert result.returncode == 0, result.stderr
    path = result.stdout.strip()
    assert path.endswith(local_hub.commits["v1"]) and path.startswith(str(hf_env))
    assert "Fetching" in result.stderr  # huggingface_hub's progress, on stderr


def test_pull_json(hf_env, local_hub):
    result = run_cli("pull", REPO, "--revision", "v2", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("repo_id", "revision", "commit")} == {
        "repo_id": REPO, "revision": "v2", "commit": local_hub.commits["v2"]}
    assert os.path.isdir(data["path"]) and data["endpoint"] == local_hub.endpoint


def test_pull_offline_without_cache_is_a_clear_error(hf_env, local_hub):
    result = run_cli("pull", REPO, "--offline")
    assert result.returncode == 1
    assert result.stderr.startswith("hubfork: error: ") and "offline" in result.stderr
    assert "not in the cache" in result.stderr and "Traceback" not in result.stderr


def test_pull_offline_env_with_cache(hf_env, local_hub, monkeypatch):
    assert run_cli("pull", f"{REPO}@v1").returncode == 0
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = run_cli("pull", f"{REPO}@v1", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["commit"] == local_hub.commits["v1"]


@pytest.mark.parametrize("name, says", [("bert", "forms tried"), ("org/../x", "refusing model name")])
def test_pull_bad_names(name, says, capsys):
    assert main(["pull", name]) == 1  # an exception other than hubfork's own would fail the test here
    err = capsys.readouterr().err
    assert err.startswith("hubfork: error: ") and says in err


def test_hub_init_add_list(tmp_path, hub_models, tripwire, capsys):
    hub_dir = tmp_path / "hub"
    assert run_cli("hub", "init", str(hub_dir), pythonpath=[tripwire]).returncode == 0
    assert (hub_dir / "olah.toml").is_file()
    added = run_cli("hub", "add", str(hub_dir), str(hub_models.v1), "--repo-id", "acme/bert", "--tag", "v1",
                        "--json", pythonpath=[tripwire])
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["tag"] == "v1"
    assert main(["hub", "list", str(hub_dir)]) == 0
    assert capsys.readouterr().out.strip() == "acme/bert  [v1]"
    assert main(["hub", "add", str(hub_dir), str(hub_models.v1), "--repo-id", "acme--x/bert"]) == 1
    assert "'--' is not allowed" in capsys.readouterr().err


_AS_A_TERMINAL_STARTS_IT = ("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                            "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); "
                            "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")


def test_hub_serve_until_ctrl_c(tmp_path, hub_models, hf_isolated):
    hub_dir = tmp_path / "hub"
    assert run_cli("hub", "init", str(hub_dir)).returncode == 0
    assert run_cli("hub", "add", str(hub_dir), str(hub_models.v1), "--repo-id", "acme/bert").returncode == 0
    env = dict(os.environ)
    # Started as an interactive shell starts it, with Ctrl-C's signal at its default: an ignored or blocked
    # signal survives exec, and a pytest worker may have inherited or set either. -X faulthandler: a serve
    # that does not stop is made to print where each of its threads is (SIGABRT).
    process = subprocess.Popen([sys.executable, "-c", _AS_A_TERMINAL_STARTS_IT, "-X", "faulthandler", "-m", "hubfork",
                                "hub", "serve", str(hub_dir), "--port", "0"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # printed only once olah answers
        assert line.startswith("export HF_ENDPOINT=http://127.0.0.1:"), process.stderr.read()
        endpoint = line.split("=", 1)[1].strip()
        check = subprocess.run([sys.executable, "-c", "import sys; from hubfork.hub import snapshot_download; "
                                "print(snapshot_download('acme/bert'))"],
                               env={**env, "HF_ENDPOINT": endpoint}, capture_output=True, text=True, timeout=120)
        assert check.returncode == 0, check.stderr
        assert sha256_tree(check.stdout.strip()) == sha256_tree(hub_models.v1)
        process.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            status = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)
            pytest.fail("hub serve did not stop on Ctrl-C; its threads:\n" + process.communicate(timeout=30)[1])
        assert status == 0
        stderr = process.stderr.read()
        assert "stopped" in stderr and "Traceback" not in stderr
        olah_pid = int(stderr.split("olah pid ", 1)[1].split(",", 1)[0])
        time.sleep(0.2)
        with pytest.raises(ProcessLookupError):
            os.kill(olah_pid, 0)
    finally:
        if process.poll() is None:
            process.kill()


def test_importing_the_hub_client_is_light():
    code = ("import sys, hubfork.hub, hubfork.cli.hub_cmd, hubfork.cli.pull_cmd; "
            "from hubfork.hub import resolve; resolve('org/repo'); "
            "print(sorted(m for m in ('tensorflow', 'tensorflow_hub', 'tf_keras', 'huggingface_hub') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr
