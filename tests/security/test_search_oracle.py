"""Issue 12 point 2: the register's search is no oracle for numbers.

Played through the gateway as the issue measured it: signed in as the mediator, 40 fragment searches on grid
g1's register recover no digit of a resident's phone; a full-number look-up is refused to the mediator (403, no
record) and done for the grid worker, who finds the household and leaves a record like a reveal. The stored
hashes are keyed (HMAC with LOOKUP_HMAC_KEY), and households stored by an older version are backfilled.
"""
import hashlib
import hmac
import re

import pytest

from gateway.seed import seed_demo_users
from services.households import lookup, service
from services.households.models import Household, RevealRecord
from tests.support.data import household
from tests.support.stack import page_token, register, seed_district, sign_in, stack

PASSWORD = "demo-pass-1"
PHONE = "19712345850"
FOUND = re.compile(r"共找到 (\d+) 户")


@pytest.fixture(scope="module")
def s(mongo_url):
    with stack(mongo_url) as st:
        seed_district(st)
        for n in range(30):
            register(st, household("g1", n))
        target = household("g1", 500)
        target["residents"][0].update(name="林晓燕", phone=PHONE)
        st.target = register(st, target)
        seed_demo_users(st.gateway_app, password=PASSWORD, grid_ids=["g1"], community_ids=["c1"])
        yield st


def signed_in(s, username):
    c = s.gateway_app.test_client()
    assert sign_in(c, username, PASSWORD).status_code == 303
    return c


def test_40_fragment_searches_as_a_mediator_recover_no_digit(s):
    """The attack of the issue: extend what is known of the number one digit at a time, keep a digit on a hit."""
    c = signed_in(s, "mediator")
    suffix, prefix, searches, counts = "5850", "197", 0, []   # worst case: the old mask's last 4 are known
    while searches < 40:
        for digit in "0123456789":
            for guess in (digit + suffix, prefix + digit):
                page = c.get("/grids/g1/households", query_string={"q": guess}).get_data(as_text=True)
                searches += 1
                counts.append(int(FOUND.search(page).group(1)))
                if counts[-1]:
                    suffix, prefix = (guess, prefix) if guess.endswith(suffix) else (suffix, guess)
                    break
            if searches >= 40:
                break
    assert searches == 40 and counts == [0] * 40
    assert (prefix, suffix) == ("197", "5850")                # nothing learned beyond what it started with
    assert RevealRecord.objects.count() == 0


def test_a_mediator_may_not_look_up_a_full_number(s):
    c = signed_in(s, "mediator")
    page = c.get("/grids/g1/households").get_data(as_text=True)
    assert 'action="/grids/g1/households/lookup"' not in page  # not offered
    r = c.post("/grids/g1/households/lookup", data={"csrf_token": page_token(c), "number": PHONE, "reason": "x"})
    assert r.status_code == 403
    api = c.post("/api/households/households/lookup", json={"number": PHONE, "reason": "x"},
                 headers={"X-CSRFToken": c.get("/api/me").json["csrf_token"]})
    assert api.status_code == 403
    assert RevealRecord.objects(kind="lookup").count() == 0


def test_a_grid_worker_finds_the_household_by_full_number_and_the_find_is_recorded(s):
    c = signed_in(s, "worker-g1")
    page = c.get("/grids/g1/households").get_data(as_text=True)
    assert 'action="/grids/g1/households/lookup"' in page
    r = c.post("/grids/g1/households/lookup",
               data={"csrf_token": page_token(c), "number": "197 1234 5850", "reason": "居民来电核实"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert "林晓燕" in body and FOUND.search(body).group(1) == "1" and PHONE not in body
    [record] = RevealRecord.objects(kind="lookup")
    assert (record.household_id, record.role, record.reason) == (s.target["id"], "grid_worker", "居民来电核实")
    fragment = c.post("/grids/g1/households/lookup", data={"csrf_token": page_token(c), "number": "5850",
                                                            "reason": "居民来电核实"})
    assert fragment.status_code == 422 and "林晓燕" not in fragment.get_data(as_text=True)
    assert RevealRecord.objects(kind="lookup").count() == 1


def test_numbers_are_stored_only_as_keyed_hashes_and_old_documents_are_backfilled(s):
    stored = Household._get_collection().find_one({"_id": Household.objects.get(residents__name="林晓燕").pk})
    assert "5850" not in stored["search_text"] and "林晓燕" in stored["search_text"]
    key = s.households_app.config["LOOKUP_HMAC_KEY"].encode()
    assert hmac.new(key, PHONE.encode(), hashlib.sha256).hexdigest() in stored["lookup_keys"]
    assert hashlib.sha256(PHONE.encode()).hexdigest() not in stored["lookup_keys"]
    # an older version's document: the phone in its search text, no hashes
    Household._get_collection().update_one({"_id": stored["_id"]}, {
        "$set": {"search_text": stored["search_text"] + " " + PHONE},
        "$unset": {"lookup_keys": "", "lookup_keyed_with": ""}})
    worker = {"user_id": "w", "role": "grid_worker", "grid_ids": ("g1",)}
    from shared.identity import Principal

    actor = Principal(**worker)
    assert service.lookup_households(actor=actor, number=PHONE, reason="t") == []
    assert service.backfill_derived_fields() == 1 and service.backfill_derived_fields() == 0
    again = Household._get_collection().find_one({"_id": stored["_id"]})
    assert PHONE not in again["search_text"] and again["lookup_keys"] == stored["lookup_keys"]
    assert [str(h.pk) for h in service.lookup_households(actor=actor, number=PHONE, reason="t")] == [s.target["id"]]
    # a new key: every household is re-hashed, and the old hashes find nothing
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(lookup, "_key", lambda: b"rotated-key")
            assert service.backfill_derived_fields() == Household.objects.count()
            assert [str(h.pk) for h in service.lookup_households(actor=actor, number=PHONE, reason="t")] == [
                s.target["id"]]
    finally:
        service.backfill_derived_fields()
