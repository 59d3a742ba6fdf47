"""Emergency plans (应急预案): one per community and hazard type, with roles, assembly points and shelters."""
from services.drills.models import AssemblyPoint, EmergencyPlan, PlanRole
from services.drills.service.areas import community_object, community_query, manage
from services.drills.service.roster import grids_of_community
from services.drills.service.shelters import shelters_of
from shared import clock
from shared.errors import Conflict
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import common


def _plan_fields(community_id: str, data: dict) -> dict:
    for n, role in enumerate(data["roles"]):
        grids_of_community(community_id, role["grid_ids"], field=f"roles.{n}.grid_ids")
    for n, point in enumerate(data["assembly_points"]):
        grids_of_community(community_id, point["grid_ids"], field=f"assembly_points.{n}.grid_ids")
    shelters = shelters_of(community_id, data["shelter_ids"])
    return {"hazard": data["hazard"], "title": data["title"], "level": data["level"], "summary": data.get("summary"),
            "response_steps": data["response_steps"], "roles": [PlanRole(**r) for r in data["roles"]],
            "assembly_points": [AssemblyPoint(**a) for a in data["assembly_points"]],
            "shelter_ids": [str(s.pk) for s in shelters]}


def create_plan(*, actor: Principal, data: dict) -> EmergencyPlan:
    """Write a community's emergency plan (应急预案) for one hazard type."""
    manage(actor, data["community_id"])
    plan = EmergencyPlan(community_id=data["community_id"], **_plan_fields(data["community_id"], data),
                         created_by=actor.user_id, updated_by=actor.user_id)
    return commit(plan)


def list_plans(*, actor: Principal, community_id: str | None = None, hazard: str | None = None) -> list[EmergencyPlan]:
    """Emergency plans of the communities in scope."""
    actor.require("drills.read")
    query = EmergencyPlan.objects(community_query(actor, community_id)).exclude("outbox")
    if hazard:
        query = query.filter(hazard=hazard)
    return list(query.order_by("community_id", "hazard", "-updated_at"))


def get_plan(*, actor: Principal, plan_id: str) -> EmergencyPlan:
    """One emergency plan."""
    return community_object(EmergencyPlan, plan_id, actor=actor, what="plan", permission="drills.read")


def update_plan(*, actor: Principal, plan_id: str, data: dict) -> EmergencyPlan:
    """Revise an emergency plan; the version must be the one read."""
    plan = community_object(EmergencyPlan, plan_id, actor=actor, what="plan", permission="drills.manage")
    if data["version"] != plan.version:
        raise Conflict(common.CHANGED_MEANWHILE(), field="version")
    for key, value in _plan_fields(plan.community_id, data).items():
        setattr(plan, key, value)
    plan.status = data["status"]
    plan.updated_by, plan.updated_at = actor.user_id, clock.now()
    return commit(plan)
