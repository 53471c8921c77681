"""Hostile and broken inputs on the hub side: names that try to climb out of the cache, archive
bombs, local hubs whose folders are symbolic links, and a git that never ends. Each is refused with
a specific hubfork error, and nothing is written outside the cache or the hub."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from hubfork.cli.main import main
from hubfork.errors import ArchiveError, HubforkError, InvalidNameError, LocalHubError
from hubfork.hub import LocalHub, resolve, snapshot_download
from hubfork.hub import archives as archives_module
from hubfork.hub.archives import ARCHIVES_FOLDER, archive_limits, unpack_archive
from hubfork.hub.git import git

# ------------------------------------------------------------------------ names

HOSTILE_NAMES = [
    "org/..", "a/b/../../c", "org/repo@../../etc", "org/repo@refs/../..", "org/repo@/etc/passwd",
    "hf:///etc/passwd", "org\\repo", "org/repo@v1\\..\\x", "org/repo\x00", "org/repo@v1\x00",
    "hf://org/repo@" + "v" * 256,                     # a revision longer than a file name may be
    "org/repo@" + "é" * 200,                          # 200 characters, but 400 bytes in UTF-8
    "org/repo@v1\u202e",                              # a right-to-left override: invisible in a terminal
    "org/repo@v\u200b1",                              # a zero-width space
    "org/repo@\udcff",                                # a lone surrogate: not encodable, not a file name
    "org/repo@v 1",
    "a" * 100_000,                                    # far longer than any path or URL
    "https://[::1/org/repo",                          # an unclosed IPv6 bracket
    "https://huggingface.co:99999/org/repo",          # a port out of range
    "https://huggingface.co/org/repo/tree/%2e%2e%2f%2e%2e",
    "file:///tmp/model%00.tar.gz",
    "file:///tmp/%00/model",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_refused_before_any_io(name):
    with pytest.raises(InvalidNameError) as caught:
        resolve(name)
    assert "refusing model name" in str(caught.value) and len(str(caught.value)) < 1000


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_hostile_names_write_nothing_anywhere(tmp_path, hf_isolated, monkeypatch, capsys):
    # Fetching and pulling (online, offline, through the CLI) each refuse every name with a hubfork
    # error, and leave the working folder and the cache as they were.
    work = tmp_path / "work" / "deep" / "down"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    before = _tree(tmp_path)
    for name in HOSTILE_NAMES:
        for offline in (False, True):
            with pytest.raises(InvalidNameError):
                snapshot_download(name, local_files_only=offline)
        with pytest.raises(InvalidNameError):
            snapshot_download("org/repo", revision=name.rpartition("@")[2] or "..")
        assert main(["pull", name]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("name", ["org/repo@refs/heads/main", "org/repo@vé", "org/repo@a@b", "org/repo@" + "v" * 255])
def test_unusual_but_safe_revisions_still_resolve(name):
    assert resolve(name).revision == name.split("@", 1)[1]


# --------------------------------------------------------------------- archives

MiB = 2**20


def zero_member_archive(path: Path, size: int, name: str = "zeros.bin") -> Path:
    """A .tar.gz holding one member of `size` zero bytes, written without ever holding (or writing)
    them: gzip streams may be concatenated, so one compressed MiB of zeros repeated is a valid
    stream of as many MiB (1 GiB takes about 1 MB and a few milliseconds)."""
    header = tarfile.TarInfo(name)
    header.size = size
    chunk = gzip.compress(b"\0" * MiB, compresslevel=9)
    with open(path, "wb") as out:
        out.write(gzip.compress(header.tobuf(tarfile.GNU_FORMAT)))
        for _ in range(size // MiB):
            out.write(chunk)
        out.write(gzip.compress(b"\0" * (size % MiB + 2 * tarfile.BLOCKSIZE)))
    return path


def extended_header_archive(path: Path, size: int) -> Path:
    """A .tar.gz whose first header is a pax extended header claiming `size` bytes (of zeros): tarfile
    reads an extended header into memory whole."""
    header = tarfile.TarInfo("././@PaxHeader")
    header.type = tarfile.XHDTYPE
    header.size = size
    chunk = gzip.compress(b"\0" * MiB)
    with open(path, "wb") as out:
        out.write(gzip.compress(header.tobuf(tarfile.USTAR_FORMAT)))
        for _ in range(size // MiB):
            out.write(chunk)
        out.write(gzip.compress(b"\0" * (size % MiB + 2 * tarfile.BLOCKSIZE)))
    return path


@pytest.fixture(scope="module")
def many_members(tmp_path_factory) -> Path:
    """A .tar.gz of 100,000 empty files (about 0.9 MB)."""
    raw = io.BytesIO()
    for i in range(100_000):
        raw.write(tarfile.TarInfo(f"f{i:06d}").tobuf(tarfile.GNU_FORMAT))
    raw.write(b"\0" * 2 * tarfile.BLOCKSIZE)
    path = tmp_path_factory.mktemp("bombs") / "many.tar.gz"
    path.write_bytes(gzip.compress(raw.getvalue(), compresslevel=1))
    return path


def _nothing_unpacked(cache: Path) -> bool:
    root = cache / ARCHIVES_FOLDER
    return not root.exists() or [p.name for p in root.iterdir() if not p.name.endswith(".lock")] == []


def test_a_gigabyte_of_zeros_is_refused_from_its_header(tmp_path, hf_isolated, monkeypatch):
    archive = zero_member_archive(tmp_path / "bomb.tar.gz", 2**30)
    assert archive.stat().st_size < 2 * MiB
    read = []
    real = archives_module._CappedReader.read
    monkeypatch.setattr(archives_module._CappedReader, "read", lambda self, size=-1: read.append(size) or
                        real(self, size))
    with pytest.raises(ArchiveError, match="over 100 times the archive's size") as caught:
        snapshot_download(str(archive))
    assert caught.value.member == "zeros.bin" and caught.value.path == str(archive)
    assert sum(read) < MiB  # refused from the 512-byte header: the gigabyte was never decompressed
    assert _nothing_unpacked(hf_isolated)


def test_the_ratio_is_configurable(tmp_path, monkeypatch):
    archive = zero_member_archive(tmp_path / "zeros.tar.gz", 80 * MiB)  # past the 64 MiB any archive may hold
    monkeypatch.setenv("HUBFORK_ARCHIVE_MAX_RATIO", "1000000")
    folder = unpack_archive(archive, tmp_path / "cache")
    assert (folder / "zeros.bin").stat().st_size == 80 * MiB


def test_total_size_limit(tmp_path, monkeypatch):
    archive = zero_member_archive(tmp_path / "small.tar.gz", 3000)
    monkeypatch.setenv("HUBFORK_ARCHIVE_MAX_BYTES", "2048")
    with pytest.raises(ArchiveError, match="more than 2048 bytes .*HUBFORK_ARCHIVE_MAX_BYTES"):
        unpack_archive(archive, tmp_path / "cache")
    assert _nothing_unpacked(tmp_path / "cache")
    monkeypatch.setenv("HUBFORK_ARCHIVE_MAX_BYTES", "4096")
    assert (unpack_archive(archive, tmp_path / "cache") / "zeros.bin").read_bytes() == b"\0" * 3000


@pytest.mark.slow
def test_a_hundred_thousand_members_are_refused_at_the_limit(many_members, tmp_path, monkeypatch):
    seen = []
    real = archives_module.check_member
    monkeypatch.setattr(archives_module, "check_member", lambda m, *a: seen.append(m.name) or real(m, *a))
    with pytest.raises(ArchiveError, match="more than 10000 members") as caught:
        unpack_archive(many_members, tmp_path / "cache")
    assert caught.value.member == "f010000" and len(seen) == 10_000  # checked before extraction, from headers
    assert _nothing_unpacked(tmp_path / "cache")


def test_an_extended_header_claiming_gigabytes_is_refused_before_it_is_read(tmp_path):
    archive = extended_header_archive(tmp_path / "pax.tar.gz", 2**30)
    with pytest.raises(ArchiveError, match="extended tar header of 1073741824 bytes"):
        unpack_archive(archive, tmp_path / "cache")
    assert _nothing_unpacked(tmp_path / "cache")


def test_the_stream_is_capped_when_the_headers_lie(tmp_path, monkeypatch):
    # Without the header check (as if a header lied about what follows it), the cap on the
    # decompressed stream still stops the read at the bytes the limits allow.
    monkeypatch.setattr(archives_module, "_header_checked", lambda archive, limits: tarfile.TarInfo)
    monkeypatch.setenv("HUBFORK_ARCHIVE_MAX_BYTES", str(MiB))
    monkeypatch.setenv("HUBFORK_ARCHIVE_MAX_MEMBERS", "10")
    archive = extended_header_archive(tmp_path / "pax.tar.gz", 64 * MiB)
    cap = archive_limits().stream_cap(MiB)
    assert cap < 20 * MiB
    with pytest.raises(ArchiveError, match=f"decompresses to more than {cap} bytes"):
        unpack_archive(archive, tmp_path / "cache")
    assert _nothing_unpacked(tmp_path / "cache")


@pytest.mark.parametrize("value", ["lots", "0", "-5", "1e9"])
def test_a_limit_that_is_not_a_number_is_an_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv("HUBFORK_ARCHIVE_MAX_MEMBERS", value)
    archive = zero_member_archive(tmp_path / "small.tar.gz", 10)
    with pytest.raises(ArchiveError, match="HUBFORK_ARCHIVE_MAX_MEMBERS must be a positive whole number"):
        unpack_archive(archive, tmp_path / "cache")


def _archive_with(path: Path, *members: tuple[tarfile.TarInfo, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data))
    return path


def _info(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize("bad", [
    _info("../x"), _info("a/../../x"), _info("/abs/x"), _info("C:\\x"), _info("a\\..\\..\\x"),
    _info("out", tarfile.SYMTYPE, "../../x"), _info("out", tarfile.SYMTYPE, "/etc"),
    _info("hard", tarfile.LNKTYPE, "/etc/passwd"), _info("blk", tarfile.BLKTYPE), _info("chr", tarfile.CHRTYPE),
    _info("f" * 300 + "/../../x"),
])
def test_archive_members_that_leave_are_refused(tmp_path, bad):
    archive = _archive_with(tmp_path / "evil.tgz", (_info("saved_model.pb"), b"graph"), (bad, b"evil"))
    before = _tree(tmp_path)
    with pytest.raises(ArchiveError) as caught:
        unpack_archive(archive, tmp_path / "cache" / "deep")
    assert caught.value.member == bad.name
    assert {p for p in _tree(tmp_path) - before if not p.startswith("cache")} == set()
    assert _nothing_unpacked(tmp_path / "cache" / "deep")


@pytest.mark.parametrize("data", [b"", b"\x1f\x8b" + b"\0" * 50, gzip.compress(b"x" * 700, mtime=0),
                                  gzip.compress(b"\0" * 5000, mtime=0)[:-20]])
def test_broken_archives_are_archive_errors(tmp_path, data):
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(data)
    with pytest.raises(ArchiveError):
        unpack_archive(archive, tmp_path / "cache")


# ------------------------------------------------------------------- local hub


@pytest.fixture
def model(tmp_path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(b"graph")
    return folder


@pytest.mark.parametrize("link", ["", "mirrors", "mirrors/models", "mirrors/models/acme"])
def test_a_hub_folder_that_is_a_symlink_is_refused(tmp_path, model, link):
    outside = tmp_path / "outside"
    outside.mkdir()
    hub = LocalHub(tmp_path / "hub")
    if link == "":  # the hub's own folder
        os.symlink(outside, hub.root)
    else:
        hub.init()
        (hub.root / link).parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(hub.root / link, ignore_errors=True)
        os.symlink(outside, hub.root / link)
    with pytest.raises(LocalHubError, match="is a symbolic link"):
        hub.init()
        hub.add(model, "acme/bert", tag="v1")
    assert list(outside.iterdir()) == []


def test_a_repo_whose_git_folder_is_a_symlink_is_refused(tmp_path, model):
    hub = LocalHub(tmp_path / "hub").init()
    hub.add(model, "acme/bert", trust=True)  # stand-in bytes, not a SavedModel: this test is about the link
    elsewhere = tmp_path / "elsewhere.git"
    (hub.repo_path("acme/bert") / ".git").rename(elsewhere)
    os.symlink(elsewhere, hub.mirrors / "models" / "acme" / "bert" / ".git")
    refs = sorted(p.name for p in (elsewhere / "refs" / "tags").iterdir())
    with pytest.raises(LocalHubError, match="is a symbolic link"):
        hub.add(model, "acme/bert", tag="v2")
    assert sorted(p.name for p in (elsewhere / "refs" / "tags").iterdir()) == refs


def test_serving_refuses_a_logs_folder_that_is_a_symlink(tmp_path):
    hub = LocalHub(tmp_path / "hub").init()
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, hub.root / "logs")
    with pytest.raises(LocalHubError, match="is a symbolic link"):
        hub.start(port=0)
    assert list(outside.iterdir()) == []


def test_a_git_that_never_ends_is_stopped(tmp_path):
    # A real git running a real child that holds its pipes: the timeout stops both.
    with pytest.raises(LocalHubError, match="did not finish within 1 s"):
        git(tmp_path, "-c", "alias.hang=!sleep 600", "hang", timeout=1)


def test_hub_errors_are_hubfork_errors():
    assert issubclass(ArchiveError, HubforkError) and issubclass(LocalHubError, HubforkError)
