"""hubfork's import of TensorFlow in library use (scripts, notebooks): TensorFlow's C++ start-up lines and
CUDA's no-GPU report stay off stderr, its Python logger prints each line once and from WARNING up, unless
the user asked TensorFlow to speak (TF_CPP_MIN_LOG_LEVEL 0 or 1) or configured logging first. The C++
lines go to file descriptor 2 of a fresh process, so each case runs in one (all three at once)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from hubfork.models._quiet import sift
from tests.conftest import ROOT

E_CUINIT = ("E0000 00:00:1796624002.387480   13168 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA "
            "error: Failed call to cuInit: UNKNOWN ERROR (303)\n")
I_NO_DRIVERS = ("I0000 00:00:1796623997.449807   13168 cudart_stub.cc:31] Could not find cuda drivers on your "
                "machine, GPU will not be used.\n")
E_OTHER = "E0000 00:00:1796624002.387480   13168 op_kernel.cc:1857] OP_REQUIRES failed at save_restore.cc\n"


def test_cuinit_failing_without_cuda_drivers_is_sifted_out():
    assert sift([I_NO_DRIVERS, E_CUINIT, E_OTHER, "Traceback (most recent call last):\n"]) == [
        E_OTHER, "Traceback (most recent call last):\n"]


def test_cuinit_failing_with_cuda_drivers_is_kept():
    assert sift([E_CUINIT]) == [E_CUINIT]


#: What a script does: hubfork imports TensorFlow, an op runs (CUDA starts), absl logs (its first call
#: gives the root logger a handler), TensorFlow's logger says one warning and one INFO line. `sys.ps1`
#: makes TensorFlow take the process for an interactive one (IPython, Jupyter), where it logs INFO, to stdout.
SCRIPT = """
import logging, sys
if "configured" in sys.argv:
    logging.basicConfig()
sys.ps1 = ">>> "
from hubfork.models import _tf
tf = _tf.tensorflow()
tf.constant([1.0]) + 1
from absl import logging as absl_logging
absl_logging.info("absl's first call")
tf.get_logger().warning("said once")
tf.get_logger().info("INFO line")
print("propagate:", tf.get_logger().propagate)
"""


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess]:
    """The script with TF_CPP_MIN_LOG_LEVEL unset ("quiet"), at 0 ("loud") and after ``logging.basicConfig()``
    ("configured"), each in a fresh process."""
    base = {name: value for name, value in os.environ.items() if name != "TF_CPP_MIN_LOG_LEVEL"}
    cases = {"quiet": ({}, []), "loud": ({"TF_CPP_MIN_LOG_LEVEL": "0"}, []), "configured": ({}, ["configured"])}
    started = {name: subprocess.Popen([sys.executable, "-c", SCRIPT, *args], cwd=ROOT, env={**base, **extra},
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name, (extra, args) in cases.items()}
    done = {}
    for name, process in started.items():
        out, err = process.communicate(timeout=300)
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


@pytest.mark.subprocess
def test_a_script_sees_one_warning_and_nothing_else(runs):
    quiet = runs["quiet"]
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert quiet.stdout == "WARNING:tensorflow:said once\npropagate: False\n"


@pytest.mark.subprocess
def test_a_level_of_0_leaves_tensorflow_as_it_is(runs):
    loud = runs["loud"]
    assert loud.returncode == 0, loud.stderr
    assert loud.stdout.splitlines() == ["WARNING:tensorflow:said once", "INFO:tensorflow:INFO line", "propagate: True"]


@pytest.mark.subprocess
def test_logging_configured_by_the_user_is_left_alone(runs):
    configured = runs["configured"]
    assert configured.returncode == 0, configured.stderr
    assert configured.stdout == "propagate: True\n"
    # The user's root handler prints TensorFlow's lines (TensorFlow adds none of its own, nor lowers its level);
    # the C++ start-up lines stay sifted out.
    assert configured.stderr == "WARNING:tensorflow:said once\n"
