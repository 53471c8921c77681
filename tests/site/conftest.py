"""Fixtures of the web catalogue's tests: a small registry built from a handful of the vendored
cards (and a hostile card), its site built once, and headless Chromium driven by Playwright."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, in_ci

CATALOGUE = ROOT / "cards" / "tfhub.dev"
HOSTILE = Path(__file__).parent / "data" / "hostile.md"
#: Cards of the small registry, relative to the catalogue's assets/docs: versions and their collection,
#: a publisher, a BERT encoder and its preprocessor, a model and its Lite variant sharing a handle.
SMALL_CARDS = (
    "google/models/universal-sentence-encoder/1.md",
    "google/models/universal-sentence-encoder/2.md",
    "google/models/universal-sentence-encoder/3.md",
    "google/models/universal-sentence-encoder/4.md",
    "google/collections/universal-sentence-encoder/1.md",
    "google/google.md",
    "tensorflow/models/bert_en_uncased_L-12_H-768_A-12/4.md",
    "tensorflow/models/bert_en_uncased_preprocess/3.md",
    "google/models/aiy/vision/classifier/birds_V1/1.md",
    "google/models/aiy/vision/classifier/birds_V1/lite/1.md",
)
#: The catalogue folder the small catalogue's README lists as deleted.
DELETED_FOLDER = "google/models/aiy/vision/classifier/birds_V1"
HF_CARD = "huggingface/Dimitre/bert_en_cased_L-12_H-768_A-12"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def make_small_cards(root: Path) -> Path:
    """A cards folder under `root` like the shipped one, with the `SMALL_CARDS`, a Hugging Face card and
    the hostile card (``evil/hostile/1``); returns the folder."""
    cards = root / "cards"
    docs = cards / "tfhub.dev" / "assets" / "docs"
    for relative in SMALL_CARDS:
        target = docs / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CATALOGUE / "assets" / "docs" / relative, target)
    (cards / "tfhub.dev" / "tags").mkdir()
    (cards / "tfhub.dev" / "README.md").write_text(
        f"Deleted: [birds](https://github.com/tensorflow/tfhub.dev/tree/master/assets/docs/{DELETED_FOLDER})\n")
    hostile = docs / "evil" / "models" / "hostile" / "1.md"
    hostile.parent.mkdir(parents=True)
    shutil.copyfile(HOSTILE, hostile)
    shutil.copytree(ROOT / "cards" / HF_CARD, cards / HF_CARD)
    return cards


@pytest.fixture(scope="session")
def shipped():
    """The shipped registry.yaml (2,824 entries)."""
    from hubfork.registry.registry import Registry

    return Registry.load_file(ROOT / "registry.yaml")


@pytest.fixture(scope="session")
def whole_site(shipped, tmp_path_factory):
    """The shipped registry's whole site, built once per run (tests/fixtures/shared.py; do not change it):
    a `SiteResult`."""
    from hubfork.site.build import SiteResult, build_site
    from tests.fixtures.shared import built_once

    def build(root: Path) -> dict:
        built = build_site(shipped, root / "site")
        return {**vars(built), "path": str(built.path)}

    fields = built_once(tmp_path_factory, "whole-site", build)
    return SiteResult(**{**fields, "path": Path(fields["path"])})


@pytest.fixture(scope="session")
def small_registry_path(tmp_path_factory) -> Path:
    """registry.yaml built from `make_small_cards` (12 entries)."""
    from hubfork.registry.build import build_registry

    root = tmp_path_factory.mktemp("small")
    return build_registry(make_small_cards(root), root / "registry.yaml").path


@pytest.fixture(scope="session")
def small_registry(small_registry_path):
    from hubfork.registry.registry import Registry

    return Registry.load_file(small_registry_path)


@pytest.fixture(scope="session")
def small_site(small_registry, tmp_path_factory) -> Path:
    """The small registry's site, built once (do not change it)."""
    from hubfork.site.build import build_site

    return build_site(small_registry, tmp_path_factory.mktemp("small-site") / "site").path


# ------------------------------------------------------------------ browser


def need_browser() -> None:
    """Skip (fail, under CI) a test when Chromium or Playwright is missing."""
    missing = None
    if not CHROMIUM.is_file():
        missing = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "Playwright for Python is not installed (pip install playwright)"
    if missing:
        if in_ci():
            pytest.fail(f"the browser tests must run under CI: {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    """A headless Chromium (the system's, never a downloaded one) with a fresh profile."""
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1200, "height": 900})
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    """A new tab that refuses every request leaving the machine and records what it refused, the
    page's errors and its console messages."""
    tab = browser_context.new_page()
    tab.set_default_timeout(10_000)
    tab.outside, tab.errors, tab.console = [], [], []

    def route(route, request):
        url = request.url
        if url.startswith(("file://", "http://127.0.0.1:", "data:", "about:")):
            route.continue_()
        else:
            tab.outside.append(url)
            route.abort()

    tab.route("**/*", route)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("console", lambda message: tab.console.append(message.text))
    yield tab
    tab.close()


def expect(locator):
    """Playwright's retrying assertion (imported here: without Playwright the fixtures skip or fail first)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def open_index(tab, url: str) -> None:
    tab.goto(url)
    tab.wait_for_selector("html[data-ready=true]")


@pytest.fixture
def serve_site():
    """Start ``hubfork registry serve ARGS --port 0`` and return its base URL; killed afterwards."""
    started: list[subprocess.Popen] = []

    def start(*args: str, timeout: float = 120) -> str:
        process = subprocess.Popen([sys.executable, "-m", "hubfork", "registry", "serve", *args, "--port", "0"],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started.append(process)
        lines = []
        for line in process.stderr:
            lines.append(line)
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if found:
                return found.group(1)
        raise AssertionError(f"the server did not start: {''.join(lines)}")

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
