"""The demo district loads into an empty register, and a load stopped half-way is finished by the next one."""
import os

from localrun import demo_data
from services.households.models import Household
from tests.support.stack import serve


def _grids(monkeypatch, xf01: int, hp01: int) -> None:
    monkeypatch.setattr(demo_data, "GRIDS", [("XF-01", "幸福一网格", "XF", xf01), ("HP-01", "和平村网格", "HP", hp01)])


def test_an_interrupted_demo_load_is_resumed_and_a_loaded_register_is_left_alone(households_app, monkeypatch):
    key = os.environ["IDENTITY_PRIVATE_KEY"]
    with serve(households_app) as url:
        _grids(monkeypatch, 3, 0)  # the first run was stopped after three households of the first grid
        assert demo_data.seed(households_url=url, identity_private_key=key) == 3

        _grids(monkeypatch, 6, 2)
        assert demo_data.seed(households_url=url, identity_private_key=key) == 0  # not empty: untouched
        assert Household.objects.count() == 3

        assert demo_data.seed(households_url=url, identity_private_key=key, resume=True) == 5
        assert Household.objects(grid_id="XF-01").count() == 6 and Household.objects(grid_id="HP-01").count() == 2
        assert demo_data.seed(households_url=url, identity_private_key=key, resume=True) == 0
        assert Household.objects.count() == 8
