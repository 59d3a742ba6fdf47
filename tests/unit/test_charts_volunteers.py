"""The volunteers section's street figures from its communities' (pure): counts summed, the share recomputed from the
sums (never averaged), hours by kind merged, each community kept for its bars."""
from gateway.reports.sections.volunteers import combine

C1 = {"community_id": "c1", "month": "2026-10", "volunteers": 3, "new_signups": 2, "link_signups": 2, "hours": 4.0,
      "hours_by_kind": {"task": 2.5, "drill": 1.5, "self_report": 0.0}, "teams": 2, "residents": 12, "share": 25.0,
      "share_target": 10.0, "teams_target": 5}
C2 = {"community_id": "c2", "month": "2026-10", "volunteers": 1, "new_signups": 1, "link_signups": 3, "hours": 0.25,
      "hours_by_kind": {"task": 0.25}, "teams": 0, "residents": 3, "share": 33.3, "share_target": 10.0,
      "teams_target": 5}


def test_a_street_sums_and_recomputes_the_share_from_the_sums():
    street = combine([C1, C2])
    assert {k: street[k] for k in ("volunteers", "new_signups", "link_signups", "hours", "teams", "residents")} == {
        "volunteers": 4, "new_signups": 3, "link_signups": 5, "hours": 4.25, "teams": 2, "residents": 15}
    assert street["share"] == 26.7  # 4 of 15, not the mean of 25.0 and 33.3 (29.2)
    assert street["hours_by_kind"] == {"drill": 1.5, "self_report": 0.0, "task": 2.75}
    assert (street["share_target"], street["teams_target"], street["month"]) == (10.0, 5, "2026-10")
    assert [(c["community_id"], c["teams"], c["teams_target"]) for c in street["communities"]] == [
        ("c1", 2, 5), ("c2", 0, 5)]


def test_a_street_without_residents_has_no_share():
    assert combine([{**C2, "residents": 0}])["share"] is None
    assert combine([])["volunteers"] == 0
