"""Fixtures shared by every suite: one MongoDB server per session, named databases per run."""
import uuid

import pytest

from tests.support.mongo import mongo_server


@pytest.fixture(scope="session")
def mongo_url():
    with mongo_server() as (url, which):
        print(f"\n[mongo] tests use {which} at {url}")
        yield url


@pytest.fixture
def run_id():
    return uuid.uuid4().hex[:10]


def pytest_collection_modifyitems(config, items):
    """Mark each test by the folder it lives in, so a suite can be run alone (-m integration)."""
    for item in items:
        for folder in ("integration", "e2e", "unit", "ops", "faults"):
            if f"tests/{folder}/" in str(item.fspath).replace("\\", "/"):
                item.add_marker(folder)
