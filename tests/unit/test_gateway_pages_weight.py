"""The weight of the heaviest new pages, rendered without servers: a 500-household roll-call, the sign-up form,
the live board of 12 grids. Budget: HTML+CSS under 100 KB compressed, JavaScript under 50 KB."""
import gzip
import uuid
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "gateway" / "static"


@pytest.fixture(scope="module")
def app():
    from gateway.app import create_app
    from gateway.config import TestConfig

    return create_app(TestConfig(mongo_url="mongodb://127.0.0.1:1", run_id="weight"))


def compressed(html: str) -> int:
    return len(gzip.compress(html.encode() + (STATIC / "app.css").read_bytes()))


def drill(status="live"):
    return {"id": "6b0464688065" + "4a11ff40aba0", "title": "年度综合演练", "status": status, "grid_ids": ["g1"],
            "kind": "comprehensive", "hazard": "natural_disaster", "level": "III", "community_id": "c1"}


def test_a_500_household_roll_call_is_within_budget(app):
    from flask import render_template

    households = [{"household_id": uuid.uuid4().hex[:24], "label": f"{n // 40 + 1}栋{n % 4 + 1}单元{n % 40 + 101}",
                   "residents": 3, "care_tags": ["elderly_alone"] if n % 9 == 0 else [],
                   "special": [{"name": f"居民{n}", "needs_help": True, "need": "轮椅", "helper_name": "志愿者甲"}]
                   if n % 9 == 0 else [], "status": "at_home" if n % 3 == 0 else None} for n in range(500)]
    roster = {"frozen": True, "total": 500, "accounted": 167, "households": households}
    with app.test_request_context("/drills/x/grids/g1/roll"):
        html = render_template("drills/roll.html", d=drill(), roster=roster, grid_id="g1", nonce="a1b2c3d4e5f6a7b8",
                               statuses=("at_home", "evacuated", "absent", "needs_help"))
    assert html.count('class="card hh') == 500
    assert compressed(html) < 100 * 1024, compressed(html)


def test_public_and_board_pages_are_light(app):
    from flask import render_template

    link = {"community_name": "幸福社区", "team_name": None, "title": "招募", "state": "open", "places_left": None,
            "expires_at": "2030-01-01T00:00:00+00:00", "grids": [{"id": f"g{n}", "name": f"第{n}网格"} for n in range(12)],
            "consent_text": "我同意……"}
    from gateway.forms.volunteers import SignupForm

    with app.test_request_context("/v/x"):
        form = SignupForm(formdata=None)
        form.grid_id.choices = [(g["id"], g["name"]) for g in link["grids"]]
        signup = render_template("volunteers/signup.html", token="t" * 43, link=link, form=form, errors=[])
        board = render_template("drills/board.html", drill_id="x" * 24, b={
            "title": "演练", "status": "live", "elapsed_s": 600, "share": 0.5, "accounted": 3000, "total": 6000,
            "needs_help": 12, "time_to_90_s": None, "time_to_100_s": None, "as_of": "2030-01-01T00:00:00+00:00",
            "grids": [{"grid_id": f"g{n}", "name": f"第{n}网格", "accounted": 250, "total": 500, "share": 0.5,
                       "needs_help": 1} for n in range(12)]})
    assert compressed(signup) < 30 * 1024 and compressed(board) < 30 * 1024
    assert sum(len((STATIC / name).read_bytes()) for name in ("app.js", "sw.js", "incident.js")) < 50 * 1024


def test_the_incident_report_is_light(app):
    """The form a grid worker fills in a stairwell: 6 categories, 40 buildings, 3 photo inputs."""
    from flask import render_template
    from wtforms.fields.choices import SelectChoice

    from gateway.forms.incidents import IncidentForm

    with app.test_request_context("/grids/g1/incidents/new"):
        form = IncidentForm(formdata=None)
        form.category.choices = [SelectChoice(f"c{n}", f"类别{n}") for n in range(6)]
        form.building.choices = [SelectChoice(f"{n}栋", f"{n}栋") for n in range(40)]
        html = render_template("desk/incident_form.html", form=form, grid_id="g1", errors=[])
    assert html.count('capture="environment"') == 3
    assert compressed(html) < 20 * 1024, compressed(html)
