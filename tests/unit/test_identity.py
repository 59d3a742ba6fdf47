import time

import pytest

from shared.identity import Principal, Unauthenticated, sign, verify

WORKER = Principal(user_id="u1", role="grid_worker", grid_ids=("G1",))


def test_signed_identity_round_trips():
    assert verify(sign(WORKER, secret="k"), secret="k", max_age_s=60) == WORKER


def test_forged_expired_or_missing_identity_is_refused():
    with pytest.raises(Unauthenticated, match="not genuine"):
        verify(sign(WORKER, secret="other"), secret="k", max_age_s=60)
    token = sign(WORKER, secret="k")
    time.sleep(1.1)
    with pytest.raises(Unauthenticated, match="expired"):
        verify(token, secret="k", max_age_s=0)
    with pytest.raises(Unauthenticated):
        verify(None, secret="k", max_age_s=60)


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
