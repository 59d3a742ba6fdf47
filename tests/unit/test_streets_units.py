"""Streets without servers: the staffing rule and the band as pure rules, a street staff user's scope, the demo
cast's street staff."""
import pytest

from gateway.seed import demo_users
from gateway.users import UserInvalid, _check_scope
from services.households import rules

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("households, needed", [(0, 3), (400, 3), (1200, 3), (1201, 4), (1360, 4), (2001, 6)])
def test_one_grid_worker_per_400_households_at_least_3(households, needed):
    assert rules.workers_required(households, per_worker=400, minimum=3) == needed


def test_a_worker_serving_two_grids_counts_once_and_a_named_worker_without_ids_counts_by_name():
    grids = [{"worker_ids": ["w1", "w2"]}, {"worker_ids": ["w1"]}, {"worker_name": "李四"}, {"worker_name": "李四"},
             {"worker_ids": [], "worker_name": " "}]
    assert len(rules.distinct_workers(grids)) == 3


def test_the_band_takes_its_ends_from_the_caller():
    assert [rules.band(n, low=300, high=350) for n in (299, 300, 350, 351)] == ["below", "within", "within", "above"]


def test_street_staff_need_streets_and_only_they_serve_streets():
    _check_scope("street_staff", [], [], ["s1"])
    with pytest.raises(UserInvalid) as exc:
        _check_scope("street_staff", [], [], [])
    assert (exc.value.field, exc.value.code) == ("street_ids", "streets_needed")
    with pytest.raises(UserInvalid) as exc:
        _check_scope("community_staff", [], ["c1"], ["s1"])
    assert exc.value.code == "streets_only_street_staff"
    with pytest.raises(UserInvalid) as exc:
        _check_scope("street_staff", [], [], ["s 1"])
    assert exc.value.code == "bad_id"


def test_the_demo_cast_has_street_staff_for_the_demo_street():
    from localrun import demo_data

    cast = demo_users(grid_ids=["XF-01"], community_ids=["XF"], street_ids=[demo_data.STREET["id"]])
    street = [u for u in cast if u["role"] == "street_staff"]
    assert street == [{"username": "street-cg", "name": "街道干部1", "role": "street_staff", "street_ids": ["CG"]}]
    assert demo_data.STREET["name"] == "城关街道"
