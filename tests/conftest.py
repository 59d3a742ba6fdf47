"""Fixtures shared by every suite: one MongoDB server per session, named databases per run."""
import os
import shutil
import uuid

import pytest

from tests.support.mongo import mongo_server

# Each service's config, app and test client, for every folder (a folder's own fixtures are in its conftest).
pytest_plugins = ("tests.integration.apps",)


@pytest.fixture(scope="session")
def mongo_url():
    with mongo_server() as (url, which):
        print(f"\n[mongo] tests use {which} at {url}")
        yield url


@pytest.fixture
def run_id():
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def seeded_stack(mongo_url):
    """The whole product once per session: every service and its worker (each a process) and the gateway (in
    this process), seeded by seed_full (users' password DEMO_PASSWORD), public-page limits out of the way.
    Tests share it: each makes its own objects (links, names, phones) rather than count what others made."""
    from tests.support.stack import DEMO_PASSWORD, UNTHROTTLED, full_stack, seed_full

    with full_stack(mongo_url, **UNTHROTTLED) as st:
        st.seeded = seed_full(st, password=DEMO_PASSWORD)
        yield st


def pytest_collection_modifyitems(config, items):
    """Mark each test by the folder it lives in, so a suite can be run alone (-m integration)."""
    for item in items:
        for folder in ("integration", "e2e", "unit", "ops", "faults"):
            if f"tests/{folder}/" in str(item.fspath).replace("\\", "/"):
                item.add_marker(folder)


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one for the whole run (a second sync Playwright cannot start)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"no chromium at {CHROMIUM} (make test installs it: apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
