"""The desk's figures on the mediation service's /metrics: cases registered, open, overdue, closed and closed on
time per community and kind (dispute, request, incident), and the on-time target beside them; the older
grid_disputes_* gauges keep counting disputes only. Cases stored before kinds existed (no `kind`) are disputes."""
from datetime import date

import pytest

from services.mediation.models import Dispute, Person
from tests.support.scrapes import samples


def case(kind: str | None, community_id: str, *, status: str, registered: str, due: str, closed: str | None = None,
         category: str = "other") -> None:
    """A case stored as the service stores it (kind None: a document from before the desk had kinds)."""
    registered_on = date.fromisoformat(registered)
    d = Dispute(kind=kind or "dispute", number=f"{registered_on.year}-T-{Dispute.objects.count() + 1:04d}",
                year=registered_on.year, month=registered_on.strftime("%Y-%m"), community_id=community_id,
                grid_id=f"{community_id}-G1", category=category, description="楼道灯坏了，张三 13800138000",
                urgency="normal", channel="walk_in", first_contact=Person(user_id="w-a", name="王网格"),
                owner_id="w-a", status=status, registered_on=registered_on, working_days=7,
                due_on=date.fromisoformat(due), closed_on=date.fromisoformat(closed) if closed else None)
    if kind:
        d.save()
        return
    doc = d.to_mongo().to_dict()
    doc.pop("kind")
    Dispute._get_collection().insert_one(doc)


def by_kind(text: str, name: str, community_id: str) -> dict[str, float]:
    return {dict(k)["kind"]: v for k, v in samples(text, name).items() if dict(k)["community_id"] == community_id}


def test_cases_are_counted_per_kind_and_disputes_gauges_keep_to_disputes(api, today):
    today.set("2026-06-10")
    case(None, "C1", status="registered", registered="2026-05-20", due="2026-06-01", category="neighbours")
    case("dispute", "C1", status="closed", registered="2026-05-01", due="2026-05-12", closed="2026-05-08",
         category="neighbours")
    case("request", "C1", status="dispatched", registered="2026-06-08", due="2026-06-17")
    case("request", "C1", status="closed", registered="2026-05-20", due="2026-06-01", closed="2026-06-05")
    case("request", "C1", status="archived", registered="2025-12-28", due="2026-01-08", closed="2026-01-06")
    case("request", "C1", status="archived", registered="2025-11-02", due="2025-11-11", closed="2025-11-10")
    case("incident", "C1", status="handled", registered="2026-05-29", due="2026-06-09")
    case("incident", "C1", status="paused", registered="2026-05-04", due="2026-05-13")
    case("incident", "C2", status="archived", registered="2026-02-20", due="2026-03-03", closed="2026-03-01")

    text = api.get("/metrics").text

    assert by_kind(text, "grid_cases_registered", "C1") == {"dispute": 2, "request": 2, "incident": 2}
    assert by_kind(text, "grid_cases_open", "C1") == {"dispute": 1, "request": 1, "incident": 2}
    # the paused incident's clock stops: past its date but not overdue; the handled one waits for 核查, still running
    assert by_kind(text, "grid_cases_overdue", "C1") == {"dispute": 1, "request": 0, "incident": 1}
    # closed this year: the request registered last December and closed in January counts, last November's does not
    assert by_kind(text, "grid_cases_closed", "C1") == {"dispute": 1, "request": 2, "incident": 0}
    assert by_kind(text, "grid_cases_closed_on_time", "C1") == {"dispute": 1, "request": 1, "incident": 0}
    assert by_kind(text, "grid_cases_closed", "C2") == {"dispute": 0, "request": 0, "incident": 1}
    assert by_kind(text, "grid_cases_closed_on_time", "C2") == {"dispute": 0, "request": 0, "incident": 1}
    assert samples(text, "grid_cases_on_time_target") == {(("community_id", "C1"),): 0.9,
                                                          (("community_id", "C2"),): 0.9}

    # the dispute gauges: the legacy open dispute only, not the overdue incident nor the open request
    assert samples(text, "grid_disputes_overdue") == {(("community_id", "C1"),): 1.0}
    assert sum(samples(text, "grid_disputes_open").values()) == 1
    assert samples(text, "grid_disputes_by_category") == {(("category", "neighbours"), ("community_id", "C1")): 2.0}

    # labels carry communities and kinds only: nothing of what a case says or who is in it
    assert "张三" not in text and "13800138000" not in text and "王网格" not in text and "w-a" not in text


@pytest.fixture
def target_three_quarters(mediation_config):
    mediation_config.CASES_ON_TIME_TARGET = 0.75  # before the app is built: its factory applies the settings


def test_the_target_follows_the_setting_and_a_community_without_cases_disappears(target_three_quarters, api, today):
    today.set("2026-06-10")
    case("incident", "C2", status="closed", registered="2026-06-01", due="2026-06-10", closed="2026-06-03")
    text = api.get("/metrics").text
    assert samples(text, "grid_cases_on_time_target") == {(("community_id", "C2"),): 0.75}
    assert by_kind(text, "grid_cases_closed_on_time", "C2") == {"dispute": 0, "request": 0, "incident": 1}
    Dispute.objects(community_id="C2").delete()
    text = api.get("/metrics").text
    assert samples(text, "grid_cases_on_time_target") == {}
    assert samples(text, "grid_cases_registered") == {}
