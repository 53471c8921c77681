"""`hubfork hub add` killed with SIGKILL at any moment: the repo is where it was or holds the whole
new commit and its tag, git finds nothing broken, a new repo is absent or complete, the next add
works, and no process of the killed add lives on."""

from __future__ import annotations

import random
from pathlib import Path

from hubfork.hub.git import git, rev_parse
from hubfork.hub.local_hub import LocalHub
from tests.fixtures.hub import sha256_tree
from tests.fixtures.processes import HUBFORK, kill_after, needs_proc, start, timed_run

pytestmark = needs_proc
TRIALS = 20


def _files_at(repo: Path, commit: str) -> list[str]:
    return sorted(git(repo, "ls-tree", "-r", "--name-only", commit).splitlines())


def test_an_add_killed_at_any_moment_leaves_the_hub_whole(tmp_path, hub_models):
    hub = LocalHub(tmp_path / "hub").init()
    hub.add(hub_models.v1, "acme/bert", tag="v1")
    models = (hub_models.v1, hub_models.v2)
    command = lambda model, repo_id, tag: [*HUBFORK, "hub", "add", str(hub.root), str(model),  # noqa: E731
                                           "--repo-id", repo_id, "--tag", tag]
    span = timed_run(command(hub_models.v2, "acme/reference", "v1"))  # the kills fall inside one add's time
    rng = random.Random(5)
    for trial in range(TRIALS):
        # Even trials add to a repo that exists (a new commit, or a tag on main's), odd ones make a repo.
        repo_id, tag, model = ("acme/bert", f"t{trial}", models[trial % 4 // 2]) if trial % 2 == 0 else \
            (f"acme/new{trial}", "v1", models[trial % 4 // 2])
        repo = hub.repo_path(repo_id)
        before = rev_parse(repo, "main") if repo.exists() else None
        killed = kill_after(start(command(model, repo_id, tag)), rng.uniform(0, span))
        assert not killed.survivors(), f"trial {trial}: processes of the killed add live on"
        if before is None and not repo.exists():
            assert repo_id not in hub.repos()
        else:
            git(repo, "fsck", "--no-dangling", "--strict")
            main, tagged = rev_parse(repo, "main"), rev_parse(repo, tag)
            assert main is not None, f"trial {trial}: a repo without commits was left behind"
            if before is None or main != before:  # a new commit: the model's files, tagged, on the old main
                assert tagged == main and _files_at(repo, main) == sorted(sha256_tree(model))
                assert before is None or git(repo, "rev-parse", "main~1") == before
            else:
                assert tagged in (None, main)
        # The next add works, and finishes what the killed one began.
        made = hub.add(model, repo_id, tag=tag)
        assert rev_parse(repo, tag) == made.commit == rev_parse(repo, "main")
        assert _files_at(repo, made.commit) == sorted(sha256_tree(model))
    assert hub.repos() == sorted(["acme/bert", "acme/reference", *(f"acme/new{t}" for t in range(1, TRIALS, 2))])
