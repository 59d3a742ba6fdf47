"""The households API's gauges, read from the grid summaries the worker keeps: households per grid, grids outside
the band, and each community's distinct grid workers against those it needs (the same figures the street overview
shows), a community without grids included."""
from services.households.models import Grid, GridSummary
from services.households.service.figures import community_figures
from tests.support.scrapes import samples


def per_community(text: str, name: str) -> dict[str, float]:
    return {dict(k)["community_id"]: v for k, v in samples(text, name).items()}


def test_staffing_and_band_gauges_follow_the_summaries(client, district):
    Grid.objects(pk="C1-G1").update(set__worker_ids=["w-a", "w-b"])
    Grid.objects(pk="C1-G2").update(set__worker_ids=[], set__worker_name="李四")
    for grid, community, households in (("C1-G1", "C1", 900), ("C1-G2", "C1", 450)):
        GridSummary.objects(pk=grid).update_one(upsert=True, set__community_id=community, set__households=households)

    text = client.get("/metrics").text

    assert samples(text, "grid_households") == {(("community_id", "C1"), ("grid_id", "C1-G1")): 900.0,
                                                (("community_id", "C1"), ("grid_id", "C1-G2")): 450.0,
                                                (("community_id", "C2"), ("grid_id", "C2-G1")): 0.0}
    assert per_community(text, "grid_grids_outside_band") == {"C1": 1.0, "C2": 1.0}
    # C1: w-a, w-b and the name-only 李四 against ceil(1,350 / 400) = 4; C2's empty grid: no one against 3
    assert per_community(text, "grid_community_workers") == {"C1": 3.0, "C2": 0.0}
    assert per_community(text, "grid_community_workers_required") == {"C1": 4.0, "C2": 3.0}
    pages = community_figures(["C1", "C2"])
    assert {c: float(f["workers"]) for c, f in pages.items()} == per_community(text, "grid_community_workers")
    assert {c: float(f["workers_required"]) for c, f in pages.items()} == per_community(
        text, "grid_community_workers_required")

    GridSummary.objects(pk="C1-G2").delete()
    text = client.get("/metrics").text
    assert ("C1-G2" in text, "C1-G1" in text) == (False, True)
    assert "李四" not in text and "w-a" not in text  # workers are counted, never named
