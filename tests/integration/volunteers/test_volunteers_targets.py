"""The volunteer targets are settings (VOLUNTEER_SHARE_TARGET 0.10, VOLUNTEER_TEAMS_TARGET 5): the figures, the
metric and the staff page follow them, and a wrong value is refused at start."""
import pytest

from services.volunteers.config import SETTINGS
from shared.config import TestConfig
from shared.settings import ConfigError
from tests.integration.apps import _config
from tests.support.volunteers import BASE_URL, add_residents, make_team


@pytest.fixture
def vol_config(mongo_url, amqp_url, run_id, request):
    """The volunteers config; a test gives targets of its own by indirect parametrization."""
    yield from _config(TestConfig("volunteers", SETTINGS, mongo_url=mongo_url, run_id=run_id, amqp_url=amqp_url,
                                  PUBLIC_BASE_URL=BASE_URL, **getattr(request, "param", {})))


def test_the_defaults_are_ten_percent_and_five_teams(vc, staff, places):
    add_residents(12)  # 36 residents: 10 % is 3.6, rounded up 4
    make_team(vc, staff)
    figures = vc.get("/communities/C1/figures", headers=staff).json
    assert (figures["volunteer_target"], figures["volunteer_share_target"]) == (4, 0.1)
    assert (figures["teams"], figures["team_target"], figures["meets_team_target"]) == (1, 5, False)


@pytest.mark.parametrize("vol_config", [{"VOLUNTEER_SHARE_TARGET": 0.25, "VOLUNTEER_TEAMS_TARGET": 1}], indirect=True)
def test_the_targets_follow_the_settings(vc, staff, places):
    add_residents(12)  # 36 residents: 25 % is 9
    make_team(vc, staff)
    figures = vc.get("/communities/C1/figures", headers=staff).json
    assert (figures["volunteer_target"], figures["volunteer_share_target"]) == (9, 0.25)
    assert (figures["team_target"], figures["meets_team_target"]) == (1, True)
    assert 'grid_volunteer_target{community_id="C1"} 9.0' in vc.get("/metrics").text


def test_a_wrong_target_is_refused():
    for name, value in (("VOLUNTEER_SHARE_TARGET", "10"), ("VOLUNTEER_SHARE_TARGET", "0"),
                        ("VOLUNTEER_TEAMS_TARGET", "-1"), ("VOLUNTEER_TEAMS_TARGET", "five")):
        with pytest.raises(ConfigError):
            SETTINGS.declared[name].read({name: value})
    assert (SETTINGS.declared["VOLUNTEER_SHARE_TARGET"].read({}), SETTINGS.declared["VOLUNTEER_TEAMS_TARGET"].read({})) \
        == (0.10, 5)
