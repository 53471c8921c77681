"""Many processes at once: three `pull_from_hub` of one model into one empty cache fetch each file
once and compute the same outputs; three processes that need the embedded hub while it does not
exist build it once, and each is served.

Three, not two: one process wins the race and the others wait, and with two waiters more than one
process must find the winner's work done rather than merely the second in line. More processes on
this 2-core machine would start more Pythons (each importing TensorFlow to pull) without a new case.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from hubfork.constants import ENV_LOCAL_HUB
from hubfork.hub.embedded import EMBEDDED_REPOS
from hubfork.hub.git import git
from hubfork.hub.local_hub import LocalHub
from tests.conftest import ROOT
from tests.fixtures.hub import REPO, sha256_tree

PULLS = 3
EMBEDDED_USERS = 3

#: Waits (after its imports) until the test says go, so that the processes really ask at once.
START_TOGETHER = """\
import os, sys, time
from pathlib import Path
here = Path(sys.argv[1])
(here / f"ready-{sys.argv[2]}").touch()
while not (here / "go").exists():
    time.sleep(0.01)
"""

PULL = START_TOGETHER.replace("import os,", "import numpy as np\nfrom hubfork.loading.pull import pull_from_hub\n"
                                            "import os,") + f"""\
layer = pull_from_hub("{REPO}@v1")
ids = np.array([[5, 8, 10, 11, 12, 6, 0, 0], [5, 15, 16, 17, 13, 9, 20, 6]], np.int32)
outputs = layer({{"input_word_ids": ids, "input_mask": (ids > 0).astype(np.int32),
                 "input_type_ids": np.zeros_like(ids)}})
np.save(here / f"pooled-{{sys.argv[2]}}.npy", outputs["pooled_output"].numpy())
"""

FETCH_EMBEDDED = START_TOGETHER.replace("import os,", "from hubfork.hub import snapshot_download\nimport os,") + """\
for repo_id in sys.argv[3:]:
    print(snapshot_download(repo_id), flush=True)
"""


def _together(code: str, count: int, folder: Path, *args: str, env: dict[str, str] | None = None,
              per_process_env=None) -> list[subprocess.CompletedProcess]:
    """Run `code` in `count` processes; let them go at once when all are ready; their results."""
    folder.mkdir(parents=True, exist_ok=True)
    processes = []
    for index in range(count):
        full_env = {**os.environ, **(env or {}), **(per_process_env(index) if per_process_env else {})}
        processes.append(subprocess.Popen([sys.executable, "-c", code, str(folder), str(index), *args], cwd=ROOT,
                                          env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    try:
        while len(list(folder.glob("ready-*"))) < count:
            assert all(p.poll() is None for p in processes), [p.communicate() for p in processes if p.poll()]
            time.sleep(0.05)
        (folder / "go").touch()
        results = []
        for process in processes:
            stdout, stderr = process.communicate(timeout=600)
            results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def _gets(log: Path, since: int) -> Counter:
    """How many times each file was sent (GET .../resolve/...) in `log` after byte `since`."""
    text = log.read_bytes()[since:].decode("utf-8", errors="replace")
    return Counter(re.findall(r'"GET /[^ ]*?/resolve/[^/ ]+/([^ ?]+)[^ ]* HTTP/[\d.]+" 200', text))


def test_pulls_into_one_empty_cache_fetch_each_file_once_and_agree(hf_env, local_hub, tmp_path):
    log = local_hub.server.log
    since = log.stat().st_size
    results = _together(PULL, PULLS, tmp_path / "pulls")
    for result in results:
        assert result.returncode == 0, result.stderr
    outputs = [np.load(tmp_path / "pulls" / f"pooled-{index}.npy") for index in range(PULLS)]
    assert all(np.array_equal(output, outputs[0]) for output in outputs)
    files = LocalHub(local_hub.hub.root).files(REPO, "v1")
    gets = _gets(log, since)
    assert gets == Counter({path: 1 for path in files}), log.read_bytes()[since:].decode()[-3000:]


def test_processes_needing_the_embedded_hub_build_it_once_and_are_each_served(tmp_path):
    root = tmp_path / "local-hub"
    root.mkdir()  # empty: the first process to take the lock builds it
    repo_ids = [repo.repo_id for repo in EMBEDDED_REPOS]
    results = _together(FETCH_EMBEDDED, EMBEDDED_USERS, tmp_path / "users", *repo_ids, env={ENV_LOCAL_HUB: str(root)},
                        # Each its own cache, so each is served by the hub rather than by another's download.
                        per_process_env=lambda index: {"HF_HUB_CACHE": str(tmp_path / f"hf-cache-{index}")})
    for result in results:
        assert result.returncode == 0, result.stderr
    builds = sum(result.stderr.count("building the embedded hub") for result in results)
    assert builds == 1
    hub = LocalHub(root)
    assert sorted(hub.repos()) == sorted(repo_ids)
    for repo_id in repo_ids:
        assert git(hub.repo_path(repo_id), "rev-list", "--count", "main") == "1"  # one build, one commit
    for index, result in enumerate(results):
        folders = result.stdout.split()
        assert len(folders) == len(repo_ids)
        for repo_id, folder in zip(repo_ids, folders):
            assert Path(folder).is_relative_to(tmp_path / f"hf-cache-{index}")
            assert sorted(sha256_tree(folder)) == hub.files(repo_id)
            assert sha256_tree(folder) == sha256_tree(Path(results[0].stdout.split()[repo_ids.index(repo_id)]))
