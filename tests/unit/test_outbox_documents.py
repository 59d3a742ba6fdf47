"""Issue 14: the relay finds every document that has an outbox by itself."""
import pytest

from shared.messaging.outbox import documents_with_outbox

pytestmark = pytest.mark.unit


def test_drills_plans_shelters_and_supplies_are_relayed_too():
    """Before: drills' worker listed Drill, Tick and Action only; an event put in a plan's, shelter's or supply's
    outbox would never have been sent."""
    names = {cls.__name__ for cls in documents_with_outbox("services.drills")}
    assert {"Drill", "Tick", "Action", "EmergencyPlan", "Shelter", "Supply"} <= names


def test_each_service_relays_only_its_own_documents():
    found = {s: documents_with_outbox(f"services.{s}") for s in ("households", "volunteers", "drills", "mediation")}
    for service, documents in found.items():
        assert documents and all(cls.__module__.startswith(f"services.{service}.") for cls in documents)
