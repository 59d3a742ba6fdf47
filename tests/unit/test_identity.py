import time

import pytest

from shared.identity import MAX_AGE_S, Principal, Unauthenticated, generate_key_pair, sign, verify

WORKER = Principal(user_id="u1", role="grid_worker", name="网格员", grid_ids=("G1",))
PRIVATE, PUBLIC = generate_key_pair()
CALL = {"audience": "households", "method": "GET", "path": "/households/abc"}


def test_signed_identity_round_trips_for_its_own_call():
    assert verify(sign(WORKER, key=PRIVATE, **CALL), key=PUBLIC, **CALL) == WORKER


def test_the_path_is_bound_as_the_service_sees_it():
    token = sign(WORKER, key=PRIVATE, audience="households", method="get", path="/households/%E5%BC%A0?limit=5")
    assert verify(token, key=PUBLIC, audience="households", method="GET", path="/households/张") == WORKER


@pytest.mark.parametrize("other, reason", [
    ({"audience": "volunteers"}, "another service"), ({"method": "POST"}, "another request"),
    ({"path": "/households/abd"}, "another request"), ({"path": "/households/abc/visits"}, "another request")])
def test_an_identity_for_another_service_method_or_path_is_refused(other, reason):
    token = sign(WORKER, key=PRIVATE, **CALL)
    with pytest.raises(Unauthenticated, match=reason):
        verify(token, key=PUBLIC, **{**CALL, **other})


def test_forged_old_or_missing_identity_is_refused():
    other_private, _ = generate_key_pair()
    with pytest.raises(Unauthenticated, match="not genuine"):
        verify(sign(WORKER, key=other_private, **CALL), key=PUBLIC, **CALL)
    for ttl_s in (MAX_AGE_S, 3600):  # expired, or genuine with a long expiry: older than 30 s either way
        with pytest.raises(Unauthenticated, match="expired"):
            verify(sign(WORKER, key=PRIVATE, now=time.time() - MAX_AGE_S - 1, ttl_s=ttl_s, **CALL), key=PUBLIC, **CALL)
    with pytest.raises(Unauthenticated, match="expired"):  # a service may keep identities younger still
        verify(sign(WORKER, key=PRIVATE, now=time.time() - 6, **CALL), key=PUBLIC, max_age_s=5, **CALL)
    with pytest.raises(Unauthenticated):
        verify(None, key=PUBLIC, **CALL)


def test_scope_is_denied_by_default():
    staff = Principal(user_id="s", role="community_staff", community_ids=("C1",))
    assert WORKER.covers(community_id="C1", grid_id="G1")
    assert not WORKER.covers(community_id="C1", grid_id="G2")
    assert staff.covers(community_id="C1", grid_id="G9") and not staff.covers(community_id="C2", grid_id=None)
    assert Principal(user_id="o", role="operator").covers(community_id=None, grid_id=None)
    assert not Principal(user_id="n", role="mediator").covers(community_id=None, grid_id=None)


def test_permissions_follow_the_role():
    assert WORKER.may("visits.write") and not WORKER.may("grids.manage")
    assert not Principal(user_id="o", role="operator").may("register.read")
