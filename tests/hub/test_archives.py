"""TF Hub-format .tar.gz archives: unpacked into the cache safely, atomically and once."""

from __future__ import annotations

import io
import tarfile
import threading
from pathlib import Path

import pytest

from hubfork.errors import ArchiveError
from hubfork.hub import archives, snapshot_download
from hubfork.hub.archives import ARCHIVES_FOLDER, unpack_archive
from tests.fixtures.hub import sha256_tree

FILES = {"saved_model.pb": b"graph", "variables/variables.index": b"index",
         "variables/variables.data-00000-of-00001": b"\0" * 1000, "assets/vocab.txt": b"[PAD]\nhello\n"}


def make_archive(path: Path, files: dict[str, bytes] = FILES, prefix: str = "./",
                 extra: list[tarfile.TarInfo] = ()) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(prefix + name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra:
            tar.addfile(info, io.BytesIO(b"evil" if info.isreg() else b""))
    return path


def member(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    info.size = 4 if kind == tarfile.REGTYPE else 0
    return info


def test_unpacks_into_the_cache(tmp_path, hf_isolated):
    archive = make_archive(tmp_path / "bert.tar.gz")
    path = Path(snapshot_download(str(archive)))
    assert path.parent == hf_isolated / ARCHIVES_FOLDER and path.name.startswith("bert--")
    assert sha256_tree(path) == sha256_tree(_expected(tmp_path))
    assert snapshot_download(archive.as_uri()) == str(path)


def _expected(tmp_path: Path) -> Path:
    folder = tmp_path / "expected"
    for name, data in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def test_an_archive_wrapping_one_folder_gives_that_folder(tmp_path):
    archive = make_archive(tmp_path / "m.tgz", prefix="bert_en/")
    path = unpack_archive(archive, tmp_path / "cache")
    assert path.name == "bert_en" and (path / "saved_model.pb").read_bytes() == b"graph"


def test_second_call_reuses_the_unpacked_folder(tmp_path, monkeypatch):
    archive = make_archive(tmp_path / "m.tar.gz")
    first = unpack_archive(archive, tmp_path / "cache")
    stamp = (first / "saved_model.pb").stat().st_mtime_ns

    def fail(*args):
        raise AssertionError("unpacked twice")

    monkeypatch.setattr(archives, "extract_safely", fail)
    assert unpack_archive(archive, tmp_path / "cache") == first
    assert (first / "saved_model.pb").stat().st_mtime_ns == stamp


def test_concurrent_calls_unpack_once_and_agree(tmp_path, monkeypatch):
    archive = make_archive(tmp_path / "m.tar.gz")
    calls = []
    real = archives.extract_safely

    def counted(*args):
        calls.append(1)
        real(*args)

    monkeypatch.setattr(archives, "extract_safely", counted)
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(unpack_archive(archive, tmp_path / "cache")))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6 and len(set(results)) == 1 and len(calls) == 1
    assert sha256_tree(results[0]) == sha256_tree(_expected(tmp_path))
    root = tmp_path / "cache" / ARCHIVES_FOLDER
    assert not [p for p in root.iterdir() if p.name.endswith(".partial")]


def test_a_replaced_archive_is_unpacked_anew(tmp_path):
    archive = make_archive(tmp_path / "m.tar.gz")
    first = unpack_archive(archive, tmp_path / "cache")
    make_archive(archive, {**FILES, "saved_model.pb": b"new graph!"})
    second = unpack_archive(archive, tmp_path / "cache")
    assert second != first and (second / "saved_model.pb").read_bytes() == b"new graph!"


@pytest.mark.parametrize("bad, says", [
    (member("../evil.txt"), "outside"),
    (member("variables/../../evil.txt"), "outside"),
    (member("/tmp/hubfork-evil.txt"), "absolute path"),
    (member("link", tarfile.SYMTYPE, "/etc/passwd"), "symbolic link"),
    (member("inner-link", tarfile.SYMTYPE, "saved_model.pb"), "symbolic link"),  # even pointing inside
    (member("hard", tarfile.LNKTYPE, "saved_model.pb"), "hard link"),
    (member("dev", tarfile.CHRTYPE), "device"),
    (member("fifo", tarfile.FIFOTYPE), "FIFO"),
])
def test_unsafe_archives_are_refused_with_nothing_written(tmp_path, hf_isolated, bad, says):
    # The bad member comes last: refusing it must still leave nothing of the good ones behind.
    archive = make_archive(tmp_path / "evil.tar.gz", extra=[bad])
    with pytest.raises(ArchiveError, match=says) as caught:
        snapshot_download(str(archive))
    assert caught.value.member == bad.name and caught.value.path == str(archive)
    root = hf_isolated / ARCHIVES_FOLDER
    assert [p.name for p in root.iterdir() if not p.name.endswith(".lock")] == []
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/hubfork-evil.txt").exists()


def test_not_an_archive(tmp_path):
    fake = tmp_path / "fake.tar.gz"
    fake.write_bytes(b"not gzip at all")
    with pytest.raises(ArchiveError, match="cannot unpack"):
        unpack_archive(fake, tmp_path / "cache")
    assert [p.name for p in (tmp_path / "cache" / ARCHIVES_FOLDER).iterdir() if not p.name.endswith(".lock")] == []
