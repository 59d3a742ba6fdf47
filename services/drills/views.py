"""HTTP routes of the drills service: load with a schema, call the service, dump. Nothing else."""
from flask import Response
from flask_smorest import Blueprint

from services.drills import documents, service
from services.drills import schemas as s
from shared.web.factory import caller

bp = Blueprint("drills", __name__, url_prefix="/", description="Emergency drills (应急演练): every drill is an exercise")


# ---- plans, shelters, supplies -------------------------------------------------------------------------------

@bp.post("/plans")
@bp.arguments(s.PlanCreate)
@bp.response(201, s.PlanRead)
def create_plan(data):
    return service.create_plan(actor=caller(), data=data)


@bp.get("/plans")
@bp.arguments(s.PlanQuery, location="query")
@bp.response(200, s.PlanRead(many=True))
def list_plans(args):
    return service.list_plans(actor=caller(), **args)


@bp.get("/plans/<plan_id>")
@bp.response(200, s.PlanRead)
def get_plan(plan_id):
    return service.get_plan(actor=caller(), plan_id=plan_id)


@bp.put("/plans/<plan_id>")
@bp.arguments(s.PlanUpdate)
@bp.response(200, s.PlanRead)
def update_plan(data, plan_id):
    return service.update_plan(actor=caller(), plan_id=plan_id, data=data)


@bp.post("/shelters")
@bp.arguments(s.ShelterCreate)
@bp.response(201, s.ShelterRead)
def create_shelter(data):
    return service.create_shelter(actor=caller(), data=data)


@bp.get("/shelters")
@bp.arguments(s.CommunityQuery, location="query")
@bp.response(200, s.ShelterRead(many=True))
def list_shelters(args):
    return service.list_shelters(actor=caller(), **args)


@bp.get("/shelters/<shelter_id>")
@bp.response(200, s.ShelterRead)
def get_shelter(shelter_id):
    return service.get_shelter(actor=caller(), shelter_id=shelter_id)


@bp.put("/shelters/<shelter_id>")
@bp.arguments(s.ShelterUpdate)
@bp.response(200, s.ShelterRead)
def update_shelter(data, shelter_id):
    return service.update_shelter(actor=caller(), shelter_id=shelter_id, data=data)


@bp.post("/supplies")
@bp.arguments(s.SupplyCreate)
@bp.response(201, s.SupplyRead)
def create_supply(data):
    return service.create_supply(actor=caller(), data=data)


@bp.get("/supplies")
@bp.arguments(s.SupplyQuery, location="query")
@bp.response(200, s.SupplyRead(many=True))
def list_supplies(args):
    return service.list_supplies(actor=caller(), **args)


@bp.get("/supplies/report")
@bp.arguments(s.CommunityQuery, location="query")
@bp.response(200, s.SupplyReport)
def supplies_report(args):
    return service.supplies_report(actor=caller(), community_id=args.get("community_id"))


@bp.get("/supplies/<supply_id>")
@bp.response(200, s.SupplyRead)
def get_supply(supply_id):
    return service.get_supply(actor=caller(), supply_id=supply_id)


@bp.put("/supplies/<supply_id>")
@bp.arguments(s.SupplyUpdate)
@bp.response(200, s.SupplyRead)
def update_supply(data, supply_id):
    return service.update_supply(actor=caller(), supply_id=supply_id, data=data)


@bp.post("/supplies/<supply_id>/flags")
@bp.arguments(s.SupplyFlagRequest)
@bp.response(200, s.SupplyRead)
def flag_supply(data, supply_id):
    return service.flag_supply(actor=caller(), supply_id=supply_id, **data)


@bp.post("/supplies/<supply_id>/flags/clear")
@bp.arguments(s.SupplyClearRequest)
@bp.response(200, s.SupplyRead)
def clear_supply_flags(data, supply_id):
    return service.clear_supply_flags(actor=caller(), supply_id=supply_id, **data)


# ---- the roster copy and volunteers -------------------------------------------------------------------------

@bp.get("/grids")
@bp.arguments(s.CommunityQuery, location="query")
@bp.response(200, s.GridRead(many=True))
def list_grids(args):
    return service.list_grids(actor=caller(), **args)


@bp.get("/grids/<grid_id>/roster")
@bp.response(200, s.GridRoster)
def grid_roster(grid_id):
    return service.grid_roster(actor=caller(), grid_id=grid_id)


@bp.put("/residents/<resident_id>/assistance")
@bp.arguments(s.AssistanceWrite)
@bp.response(200, s.SpecialResident)
def set_assistance(data, resident_id):
    return service.set_assistance(actor=caller(), resident_id=resident_id, data=data)


@bp.get("/volunteers")
@bp.arguments(s.CommunityQuery, location="query")
@bp.response(200, s.VolunteerRead(many=True))
def list_volunteers(args):
    return service.list_volunteers(actor=caller(), **args)


# ---- drills ------------------------------------------------------------------------------------------------

@bp.post("/drills")
@bp.arguments(s.DrillCreate)
@bp.response(201, s.DrillRead)
def plan_drill(data):
    return service.plan_drill(actor=caller(), data=data)


@bp.get("/drills")
@bp.arguments(s.DrillQuery, location="query")
@bp.response(200, s.DrillRead(many=True))
def list_drills(args):
    return service.list_drills(actor=caller(), **args)


@bp.get("/drills/<drill_id>")
@bp.response(200, s.DrillRead)
def get_drill(drill_id):
    return service.get_drill(actor=caller(), drill_id=drill_id)


@bp.post("/drills/<drill_id>/start")
@bp.response(200, s.DrillRead)
def start_drill(drill_id):
    return service.start_drill(actor=caller(), drill_id=drill_id)


@bp.post("/drills/<drill_id>/end")
@bp.arguments(s.EndRequest)
@bp.response(200, s.DrillRead)
def end_drill(data, drill_id):
    return service.end_drill(actor=caller(), drill_id=drill_id, **data)


@bp.get("/drills/<drill_id>/board")
@bp.response(200, s.Board)
def board(drill_id):
    return service.board(actor=caller(), drill_id=drill_id)


@bp.get("/drills/<drill_id>/grids/<grid_id>/roster")
@bp.etag
@bp.response(200, s.DrillRoster)
def drill_roster(drill_id, grid_id):
    return service.drill_roster(actor=caller(), drill_id=drill_id, grid_id=grid_id)


@bp.get("/drills/<drill_id>/grids/<grid_id>/status")
@bp.etag
@bp.response(200, s.GridStatus)
def grid_status(drill_id, grid_id):
    return service.grid_status(actor=caller(), drill_id=drill_id, grid_id=grid_id)


@bp.post("/drills/<drill_id>/grids/<grid_id>/ticks")
@bp.arguments(s.TickBatch)
@bp.response(200, s.TickResults)
def record_ticks(data, drill_id, grid_id):
    return service.record_ticks(actor=caller(), drill_id=drill_id, grid_id=grid_id, **data)


@bp.post("/drills/<drill_id>/grids/<grid_id>/households/<household_id>/tick")
@bp.arguments(s.SingleTick)
@bp.response(201, s.TickResults)
@bp.alt_response(200, schema=s.TickResults, description="already stored (same client_id)")
def record_tick(data, drill_id, grid_id, household_id):
    result, stored = service.record_tick(actor=caller(), drill_id=drill_id, grid_id=grid_id,
                                         household_id=household_id, data=data)
    return result, (201 if stored else 200)


@bp.get("/drills/<drill_id>/grids/<grid_id>/households/<household_id>/ticks")
@bp.response(200, s.HouseholdTicks)
def household_ticks(drill_id, grid_id, household_id):
    return service.household_ticks(actor=caller(), drill_id=drill_id, grid_id=grid_id, household_id=household_id)


@bp.post("/drills/<drill_id>/checkins")
@bp.arguments(s.CheckinCreate)
@bp.response(201, s.CheckinRead)
@bp.alt_response(200, schema=s.CheckinRead, description="already checked in")
def check_in(data, drill_id):
    checkin, created = service.check_in(actor=caller(), drill_id=drill_id, **data)
    return checkin, (201 if created else 200)


@bp.get("/drills/<drill_id>/checkins")
@bp.response(200, s.CheckinRead(many=True))
def list_checkins(drill_id):
    return service.list_checkins(actor=caller(), drill_id=drill_id)


@bp.post("/drills/<drill_id>/checkins/<volunteer_id>/out")
@bp.arguments(s.CheckoutRequest)
@bp.response(200, s.CheckinRead)
def check_out(data, drill_id, volunteer_id):
    return service.check_out(actor=caller(), drill_id=drill_id, volunteer_id=volunteer_id, **data)


@bp.post("/drills/<drill_id>/shelters/<shelter_id>/open")
@bp.arguments(s.ShelterOpenRequest)
@bp.response(200, s.DrillRead)
def open_shelter(data, drill_id, shelter_id):
    return service.open_shelter(actor=caller(), drill_id=drill_id, shelter_id=shelter_id, **data)


@bp.post("/drills/<drill_id>/problems")
@bp.arguments(s.ProblemCreate)
@bp.response(201, s.DrillRead)
def add_problem(data, drill_id):
    return service.add_problem(actor=caller(), drill_id=drill_id, **data)


@bp.get("/drills/<drill_id>/report")
@bp.response(200, s.Report)
def report(drill_id):
    return service.report(actor=caller(), drill_id=drill_id)


@bp.get("/drills/<drill_id>/report.pdf")
@bp.doc(responses={"200": {"description": "the after-action report, printable (A4, marked 演练)",
                           "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
def report_pdf(drill_id):
    """The after-action report as a PDF for printing."""
    data = s.Report().dump(service.report(actor=caller(), drill_id=drill_id))
    response = Response(documents.report_pdf(data), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="drill-{drill_id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- corrective actions and compliance ------------------------------------------------------------------

@bp.post("/drills/<drill_id>/actions")
@bp.arguments(s.ActionCreate)
@bp.response(201, s.ActionRead)
def open_action(data, drill_id):
    return service.open_action(actor=caller(), drill_id=drill_id, data=data)


@bp.get("/actions")
@bp.arguments(s.ActionQuery, location="query")
@bp.response(200, s.ActionRead(many=True))
def list_actions(args):
    return service.list_actions(actor=caller(), **args)


@bp.post("/actions/<action_id>/close")
@bp.arguments(s.ActionClose)
@bp.response(200, s.ActionRead)
def close_action(data, action_id):
    return service.close_action(actor=caller(), action_id=action_id, **data)


@bp.get("/compliance")
@bp.arguments(s.ComplianceQuery, location="query")
@bp.response(200, s.ComplianceRow(many=True))
def compliance(args):
    return service.compliance(actor=caller(), **args)
