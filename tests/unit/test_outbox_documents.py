"""Issue 14: the relay finds every document that has an outbox by itself."""
import importlib

import pytest

from shared.messaging.outbox import documents_with_outbox

pytestmark = pytest.mark.unit


def test_drills_plans_shelters_and_supplies_are_relayed_too():
    """Before: drills' worker listed Drill, Tick and Action only; an event put in a plan's, shelter's or supply's
    outbox would never have been sent."""
    names = {cls.__name__ for cls in documents_with_outbox(importlib.import_module("services.drills.models"))}
    assert {"Drill", "Tick", "Action", "EmergencyPlan", "Shelter", "Supply"} <= names


def test_each_service_relays_only_its_own_documents():
    for service in ("households", "volunteers", "drills", "mediation"):
        models = importlib.import_module(f"services.{service}.models")
        documents = documents_with_outbox(models)
        assert documents and all(cls.__module__ == models.__name__ for cls in documents)


def test_each_worker_relays_every_aggregate_of_its_service():
    for service in ("households", "volunteers", "drills", "mediation"):
        worker = importlib.import_module(f"services.{service}.worker")
        models = importlib.import_module(f"services.{service}.models")
        config = type("Config", (), {"use": lambda self, *settings: self, "DEADLINE_CHECK_S": 300,
                                     "VOLUNTEERS_RECOUNT_EVERY_S": 2})()
        assert worker.bootstrap(config)["documents"] == documents_with_outbox(models)
