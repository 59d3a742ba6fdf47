"""`set_unless_newer` on the test's MongoDB: the write stamped latest wins, whatever order writes arrive in."""
from datetime import datetime, timedelta, timezone

import pytest
from pymongo import MongoClient

from shared.register_copy import set_unless_newer

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def collection(mongo_url, run_id):
    client = MongoClient(mongo_url, tz_aware=True)
    yield client[f"shared_db_{run_id}"]["copies"]
    client.drop_database(f"shared_db_{run_id}")
    client.close()


def test_a_later_stamp_wins_and_an_earlier_one_is_ignored(collection):
    assert set_unless_newer(collection, "h1", {"grid_id": "G2"}, stamp="as_of", at=T0 + timedelta(seconds=2))
    assert not set_unless_newer(collection, "h1", {"grid_id": "G1"}, stamp="as_of", at=T0)  # arrived late
    assert set_unless_newer(collection, "h1", {"grid_id": "G3"}, stamp="as_of", at=T0 + timedelta(seconds=3))
    assert collection.find_one({"_id": "h1"}) == {"_id": "h1", "grid_id": "G3", "as_of": T0 + timedelta(seconds=3)}


def test_a_tie_is_refused_unless_ties_win(collection):
    assert set_unless_newer(collection, "h1", {"status": "active"}, stamp="as_of", at=T0)
    assert not set_unless_newer(collection, "h1", {"status": "active"}, stamp="as_of", at=T0)
    assert set_unless_newer(collection, "h1", {"status": "left"}, stamp="as_of", at=T0, ties_win=True)
    assert collection.find_one({"_id": "h1"})["status"] == "left"


def test_a_document_without_the_stamp_takes_any_write_and_on_insert_fields_only_once(collection):
    collection.insert_many([{"_id": "bare"}, {"_id": "null", "as_of": None}])
    assert set_unless_newer(collection, "bare", {"n": 1}, stamp="as_of", at=T0)
    assert set_unless_newer(collection, "null", {"n": 1}, stamp="as_of", at=T0)
    assert set_unless_newer(collection, "new", {"n": 1}, stamp="as_of", at=T0, on_insert={"name": "first"})
    assert set_unless_newer(collection, "new", {"n": 2}, stamp="as_of", at=T0 + timedelta(seconds=1),
                            on_insert={"name": "second"})
    assert collection.find_one({"_id": "new"}) == {"_id": "new", "n": 2, "name": "first",
                                                   "as_of": T0 + timedelta(seconds=1)}
    assert collection.count_documents({"n": 1}) == 2
