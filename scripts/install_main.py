"""Install what the main job (scripts/run.sh) runs, and nothing else, into the running Python.

Run by scripts/env.sh with the venv's own Python. Three steps, each reading its requirements from
pyproject.toml (the one place they are written):

1. TensorFlow's CPU build. The main job runs on the CPU; ``tensorflow-cpu`` is the same release as
   ``tensorflow`` without the GPU kernels (1.3 GB installed, against 1.9). tensorflow_text, tf_keras
   and tensorflow_hub require the distribution named ``tensorflow``, so a metadata-only wheel of that
   name, requiring ``tensorflow-cpu`` of the same version, stands for it: the arrangement TensorFlow's
   own Windows packages use (``tensorflow`` there requires ``tensorflow-intel``). Skipped when a
   ``tensorflow`` is installed already (the test extra's, say).
2. hubfork itself, editable, with its ``tf`` and ``hub`` extras.
3. The ``examples`` extra (the example model's package) without its dependencies: the package
   declares sentence-transformers (and so PyTorch) for its own loader, and hubfork reads only its
   files.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: pip's own copy of the same parser
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def extra(name: str) -> list[str]:
    """The requirements of pyproject.toml's extra `name`."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["optional-dependencies"][name]


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *args], check=True)


def installed(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def stand_in_wheel(folder: Path, version: str) -> Path:
    """A wheel named ``tensorflow`` `version` holding no code, requiring ``tensorflow-cpu`` == `version`."""
    info = f"tensorflow-{version}.dist-info"
    files = {
        f"{info}/METADATA": (f"Metadata-Version: 2.1\nName: tensorflow\nVersion: {version}\n"
                             f"Summary: TensorFlow's CPU build under the name other packages require\n"
                             f"Requires-Dist: tensorflow-cpu=={version}\n").encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: hubfork scripts/install_main.py\n"
                         b"Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(_record_line(name, data) + "\n" for name, data in files.items()) + f"{info}/RECORD,,\n"
    wheel = folder / f"tensorflow-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", record)
    return wheel


def tensorflow_cpu() -> None:
    if installed("tensorflow") is not None:
        return
    (wanted,) = [r for r in extra("tf") if _NAME.match(r).group() == "tensorflow"]
    pip("tensorflow-cpu" + wanted[len("tensorflow"):])
    with tempfile.TemporaryDirectory() as folder:
        pip(str(stand_in_wheel(Path(folder), installed("tensorflow-cpu"))))


def main() -> None:
    tensorflow_cpu()
    pip("-e", f"{ROOT}[tf,hub]")
    pip("--no-deps", *extra("examples"))


if __name__ == "__main__":
    main()
