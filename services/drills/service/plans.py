"""Emergency plans (应急预案): one per community and hazard type, with roles, assembly points and shelters."""
from bson import ObjectId

from services.drills import rules
from services.drills.models import AssemblyPoint, EmergencyPlan, PlanLevel, PlanRole
from services.drills.service.areas import community_object, community_query, load_drill, manage
from services.drills.service.roster import grids_of_community
from services.drills.service.shelters import shelters_of
from shared import clock
from shared.errors import Conflict, Invalid
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import common
from shared.reasons import drills as reasons


def _levels(data_levels: list[dict], hazard: str) -> list[PlanLevel]:
    """Levels I–IV: each as given (once), else (not given, or given with neither criteria nor steps) the hazard's
    Chinese defaults."""
    given: dict[str, dict] = {}
    for level in data_levels:
        if level["level"] in given:
            raise Invalid(reasons.LEVEL_TWICE(level=level["level"]), field="levels")
        given[level["level"]] = level
    chosen = [given[x["level"]] if given.get(x["level"], {}).get("criteria") or given.get(x["level"], {}).get("steps")
              else x for x in rules.default_levels(hazard)]
    return [PlanLevel(level=x["level"], criteria=x.get("criteria"), steps=list(x.get("steps") or [])) for x in chosen]


def with_levels(plan: EmergencyPlan) -> EmergencyPlan:
    """A plan written before levels had them shows its hazard's defaults (not stored until the plan is saved)."""
    if not plan.levels:
        plan.levels = _levels([], plan.hazard)
    return plan


def _plan_fields(community_id: str, data: dict) -> dict:
    for n, role in enumerate(data["roles"]):
        grids_of_community(community_id, role["grid_ids"], field=f"roles.{n}.grid_ids")
    for n, point in enumerate(data["assembly_points"]):
        grids_of_community(community_id, point["grid_ids"], field=f"assembly_points.{n}.grid_ids")
    shelters = shelters_of(community_id, data["shelter_ids"])
    return {"hazard": data["hazard"], "title": data["title"], "level": data["level"], "summary": data.get("summary"),
            "response_steps": data["response_steps"], "roles": [PlanRole(**r) for r in data["roles"]],
            "assembly_points": [AssemblyPoint(**a) for a in data["assembly_points"]],
            "shelter_ids": [str(s.pk) for s in shelters], "levels": _levels(data.get("levels") or [], data["hazard"])}


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
    return [with_levels(p) for p in query.order_by("community_id", "hazard", "-updated_at")]


def get_plan(*, actor: Principal, plan_id: str) -> EmergencyPlan:
    """One emergency plan."""
    return with_levels(community_object(EmergencyPlan, plan_id, actor=actor, what="plan", permission="drills.read"))


def update_plan(*, actor: Principal, plan_id: str, data: dict) -> EmergencyPlan:
    """Revise an emergency plan; the version must be the one read."""
    plan = community_object(EmergencyPlan, plan_id, actor=actor, what="plan", permission="drills.manage")
    if data["version"] != plan.version:
        raise Conflict(common.CHANGED_MEANWHILE(), field="version")
    fields = _plan_fields(plan.community_id, data)
    if not data.get("levels") and plan.levels and plan.hazard == data["hazard"]:
        fields.pop("levels")  # a revision that does not send levels keeps the plan's own
    for key, value in fields.items():
        setattr(plan, key, value)
    plan.status = data["status"]
    plan.updated_by, plan.updated_at = actor.user_id, clock.now()
    return commit(plan)


def update_plan_levels(*, actor: Principal, plan_id: str, levels: list[dict], version: int) -> EmergencyPlan:
    """Set response levels' activation criteria (启动条件) and ordered steps (响应措施); levels not sent stay as they
    are, a level sent blank goes back to the defaults; the version must be the one read."""
    plan = community_object(EmergencyPlan, plan_id, actor=actor, what="plan", permission="drills.manage")
    if version != plan.version:
        raise Conflict(common.CHANGED_MEANWHILE(), field="version")
    _levels(levels, plan.hazard)  # each level once
    kept = {x.level: {"level": x.level, "criteria": x.criteria, "steps": list(x.steps)} for x in with_levels(plan).levels}
    plan.levels = _levels(list({**kept, **{x["level"]: x for x in levels}}.values()), plan.hazard)
    plan.updated_by, plan.updated_at = actor.user_id, clock.now()
    return commit(plan)


def drill_level(*, actor: Principal, drill_id: str) -> dict:
    """The drill's response level with its criteria and steps: from the drill's plan, else the community's active
    plan for its hazard, else the defaults for the hazard."""
    drill = load_drill(drill_id, actor=actor)
    plan = None
    if drill.plan_id and ObjectId.is_valid(drill.plan_id):
        plan = EmergencyPlan.objects(pk=ObjectId(drill.plan_id), community_id=drill.community_id).first()
    if plan is None:
        plan = EmergencyPlan.objects(community_id=drill.community_id, hazard=drill.hazard, status="active").order_by(
            "-updated_at").first()
    found = next((x for x in plan.levels if x.level == drill.level), None) if plan else None
    if found is not None:
        return {"drill_id": str(drill.pk), "level": drill.level, "criteria": found.criteria, "steps": list(found.steps),
                "source": "plan", "plan_id": str(plan.pk), "plan_title": plan.title}
    default = next(x for x in rules.default_levels(drill.hazard) if x["level"] == drill.level)
    return {"drill_id": str(drill.pk), "level": drill.level, "criteria": default["criteria"], "steps": default["steps"],
            "source": "default", "plan_id": str(plan.pk) if plan else None, "plan_title": plan.title if plan else None}
