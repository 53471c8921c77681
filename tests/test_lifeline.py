"""`hubfork._lifeline`: a child that dies with its parent, even one killed with SIGKILL."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT
from tests.fixtures.processes import needs_proc, survivors_of_killed_parent

pytestmark = needs_proc

#: A parent that forks a child, which binds itself with BIND, then says which threads it runs.
FAMILY = """\
import os, sys, threading, time
from hubfork import _lifeline
parent = os.getpid()
read, write = os.pipe()
child = os.fork()
if child == 0:
    {bind}
    os.write(write, f"{{os.getpid()}} {{threading.active_count()}}\\n".encode())
    time.sleep(600)
    os._exit(0)
print(os.read(read, 100).decode(), end="", flush=True)
time.sleep(600)
"""


def _family(bind: str) -> tuple[subprocess.Popen, int, int]:
    """The parent process, its bound child's pid and how many threads the child runs."""
    parent = subprocess.Popen([sys.executable, "-c", FAMILY.format(bind=bind)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True, start_new_session=True)
    child, threads = map(int, parent.stdout.readline().split())
    return parent, child, threads


def test_on_linux_the_kernel_kills_the_child_of_a_killed_parent():
    parent, child, threads = _family("_lifeline.die_with_parent(parent)")
    assert threads == 1, "on Linux no thread should be needed: the kernel kills the child (PR_SET_PDEATHSIG)"
    assert not survivors_of_killed_parent(parent, child)


def test_the_portable_fallback_ends_the_child_of_a_killed_parent():
    parent, child, threads = _family("_lifeline.watch_parent(parent, interval=0.05)")
    assert threads == 2
    assert not survivors_of_killed_parent(parent, child)


def test_a_parent_gone_before_the_child_binds_itself_ends_the_child_at_once():
    # As if the parent died between starting the child and the call: the child's parent is another.
    code = "import os; from hubfork._lifeline import die_with_parent; die_with_parent(os.getppid() + 1); print('on')"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (1, "")


def test_a_module_runs_as_a_program_under_the_lifeline():
    from hubfork._lifeline import command

    result = subprocess.run([*command("calendar", "2024", "2")], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "February 2024" in result.stdout, result.stderr
