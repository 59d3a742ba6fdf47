"""HTTP routes of the drills service: load with a schema, call the service, dump. Nothing else."""
from flask import Response

from services.drills import documents, service
from services.drills.schemas.base import CommunityQuery
from services.drills.schemas.drills import (
    Board,
    CancelRequest,
    CheckinCreate,
    CheckinRead,
    CheckoutRequest,
    DrillCreate,
    DrillQuery,
    DrillRead,
    DrillRoster,
    EndRequest,
    GridStatus,
    HouseholdTicks,
    ProblemCreate,
    RescheduleRequest,
    RosterQuery,
    ShelterOpenRequest,
    SingleTick,
    TickBatch,
    TickResults,
)
from services.drills.schemas.month import MonthFigures
from services.drills.schemas.plans import DrillLevel, PlanCreate, PlanLevelsUpdate, PlanQuery, PlanRead, PlanUpdate
from services.drills.schemas.reports import (
    ActionClose,
    ActionCreate,
    ActionQuery,
    ActionRead,
    ComplianceQuery,
    ComplianceRow,
    Report,
)
from services.drills.schemas.roster import AssistanceWrite, GridRead, GridRoster, SpecialResident, VolunteerRead
from services.drills.schemas.supplies import (
    MovementCreate,
    ShelterCreate,
    ShelterRead,
    ShelterUpdate,
    SupplyClearRequest,
    SupplyCreate,
    SupplyFlagRequest,
    SupplyQuery,
    SupplyRead,
    SupplyReport,
    SupplyUpdate,
)
from shared.schemas import MonthQuery
from shared.web.blueprint import Blueprint
from shared.web.factory import caller

bp = Blueprint("drills", __name__, url_prefix="/", description="Emergency drills (应急演练): every drill is an exercise")


# ---- plans, shelters, supplies -------------------------------------------------------------------------------

@bp.post("/plans")
@bp.arguments(PlanCreate)
@bp.response(201, PlanRead)
def create_plan(data):
    return service.create_plan(actor=caller(), data=data)


@bp.get("/plans")
@bp.arguments(PlanQuery, location="query")
@bp.response(200, PlanRead(many=True))
def list_plans(args):
    return service.list_plans(actor=caller(), **args)


@bp.get("/plans/<plan_id>")
@bp.response(200, PlanRead)
def get_plan(plan_id):
    return service.get_plan(actor=caller(), plan_id=plan_id)


@bp.put("/plans/<plan_id>")
@bp.arguments(PlanUpdate)
@bp.response(200, PlanRead)
def update_plan(data, plan_id):
    return service.update_plan(actor=caller(), plan_id=plan_id, data=data)


@bp.put("/plans/<plan_id>/levels")
@bp.arguments(PlanLevelsUpdate)
@bp.response(200, PlanRead)
def update_plan_levels(data, plan_id):
    return service.update_plan_levels(actor=caller(), plan_id=plan_id, **data)


@bp.get("/drills/<drill_id>/level")
@bp.response(200, DrillLevel)
def drill_level(drill_id):
    return service.drill_level(actor=caller(), drill_id=drill_id)


@bp.post("/shelters")
@bp.arguments(ShelterCreate)
@bp.response(201, ShelterRead)
def create_shelter(data):
    return service.create_shelter(actor=caller(), data=data)


@bp.get("/shelters")
@bp.arguments(CommunityQuery, location="query")
@bp.response(200, ShelterRead(many=True))
def list_shelters(args):
    return service.list_shelters(actor=caller(), **args)


@bp.get("/shelters/<shelter_id>")
@bp.response(200, ShelterRead)
def get_shelter(shelter_id):
    return service.get_shelter(actor=caller(), shelter_id=shelter_id)


@bp.put("/shelters/<shelter_id>")
@bp.arguments(ShelterUpdate)
@bp.response(200, ShelterRead)
def update_shelter(data, shelter_id):
    return service.update_shelter(actor=caller(), shelter_id=shelter_id, data=data)


@bp.post("/supplies")
@bp.arguments(SupplyCreate)
@bp.response(201, SupplyRead)
def create_supply(data):
    return service.create_supply(actor=caller(), data=data)


@bp.get("/supplies")
@bp.arguments(SupplyQuery, location="query")
@bp.response(200, SupplyRead(many=True))
def list_supplies(args):
    return service.list_supplies(actor=caller(), **args)


@bp.get("/supplies/report")
@bp.arguments(CommunityQuery, location="query")
@bp.response(200, SupplyReport)
def supplies_report(args):
    return service.supplies_report(actor=caller(), community_id=args.get("community_id"))


@bp.get("/supplies/<supply_id>")
@bp.response(200, SupplyRead)
def get_supply(supply_id):
    return service.get_supply(actor=caller(), supply_id=supply_id)


@bp.put("/supplies/<supply_id>")
@bp.arguments(SupplyUpdate)
@bp.response(200, SupplyRead)
def update_supply(data, supply_id):
    return service.update_supply(actor=caller(), supply_id=supply_id, data=data)


@bp.post("/supplies/<supply_id>/movements")
@bp.arguments(MovementCreate)
@bp.response(201, SupplyRead)
def book_movement(data, supply_id):
    return service.book_movement(actor=caller(), supply_id=supply_id, **data)


@bp.post("/supplies/<supply_id>/flags")
@bp.arguments(SupplyFlagRequest)
@bp.response(200, SupplyRead)
def flag_supply(data, supply_id):
    return service.flag_supply(actor=caller(), supply_id=supply_id, **data)


@bp.post("/supplies/<supply_id>/flags/clear")
@bp.arguments(SupplyClearRequest)
@bp.response(200, SupplyRead)
def clear_supply_flags(data, supply_id):
    return service.clear_supply_flags(actor=caller(), supply_id=supply_id, **data)


# ---- the roster copy and volunteers -------------------------------------------------------------------------

@bp.get("/grids")
@bp.arguments(CommunityQuery, location="query")
@bp.response(200, GridRead(many=True))
def list_grids(args):
    return service.list_grids(actor=caller(), **args)


@bp.get("/grids/<grid_id>/roster")
@bp.response(200, GridRoster)
def grid_roster(grid_id):
    return service.grid_roster(actor=caller(), grid_id=grid_id)


@bp.put("/residents/<resident_id>/assistance")
@bp.arguments(AssistanceWrite)
@bp.response(200, SpecialResident)
def set_assistance(data, resident_id):
    return service.set_assistance(actor=caller(), resident_id=resident_id, data=data)


@bp.get("/volunteers")
@bp.arguments(CommunityQuery, location="query")
@bp.response(200, VolunteerRead(many=True))
def list_volunteers(args):
    return service.list_volunteers(actor=caller(), **args)


# ---- drills ------------------------------------------------------------------------------------------------

@bp.post("/drills")
@bp.arguments(DrillCreate)
@bp.response(201, DrillRead)
def plan_drill(data):
    return service.plan_drill(actor=caller(), data=data)


@bp.get("/drills")
@bp.arguments(DrillQuery, location="query")
@bp.response(200, DrillRead(many=True))
def list_drills(args):
    return service.list_drills(actor=caller(), **args)


@bp.get("/drills/<drill_id>")
@bp.response(200, DrillRead)
def get_drill(drill_id):
    return service.get_drill(actor=caller(), drill_id=drill_id)


@bp.post("/drills/<drill_id>/start")
@bp.response(200, DrillRead)
def start_drill(drill_id):
    return service.start_drill(actor=caller(), drill_id=drill_id)


@bp.post("/drills/<drill_id>/cancel")
@bp.arguments(CancelRequest)
@bp.response(200, DrillRead)
def cancel_drill(data, drill_id):
    return service.cancel_drill(actor=caller(), drill_id=drill_id, **data)


@bp.post("/drills/<drill_id>/reschedule")
@bp.arguments(RescheduleRequest)
@bp.response(200, DrillRead)
def reschedule_drill(data, drill_id):
    return service.reschedule_drill(actor=caller(), drill_id=drill_id, **data)


@bp.post("/drills/<drill_id>/end")
@bp.arguments(EndRequest)
@bp.response(200, DrillRead)
def end_drill(data, drill_id):
    return service.end_drill(actor=caller(), drill_id=drill_id, **data)


@bp.get("/drills/<drill_id>/board")
@bp.response(200, Board)
def board(drill_id):
    return service.board(actor=caller(), drill_id=drill_id)


@bp.get("/drills/<drill_id>/grids/<grid_id>/roster")
@bp.etag
@bp.arguments(RosterQuery, location="query")
@bp.response(200, DrillRoster)
def drill_roster(args, drill_id, grid_id):
    return service.drill_roster(actor=caller(), drill_id=drill_id, grid_id=grid_id, **args)


@bp.get("/drills/<drill_id>/grids/<grid_id>/status")
@bp.etag
@bp.response(200, GridStatus)
def grid_status(drill_id, grid_id):
    return service.grid_status(actor=caller(), drill_id=drill_id, grid_id=grid_id)


@bp.post("/drills/<drill_id>/grids/<grid_id>/ticks")
@bp.arguments(TickBatch)
@bp.response(200, TickResults)
def record_ticks(data, drill_id, grid_id):
    return service.record_ticks(actor=caller(), drill_id=drill_id, grid_id=grid_id, **data)


@bp.post("/drills/<drill_id>/grids/<grid_id>/households/<household_id>/tick")
@bp.arguments(SingleTick)
@bp.response(201, TickResults)
@bp.alt_response(200, schema=TickResults, description="already stored (same client_id)")
def record_tick(data, drill_id, grid_id, household_id):
    result, stored = service.record_tick(actor=caller(), drill_id=drill_id, grid_id=grid_id,
                                         household_id=household_id, data=data)
    return result, (201 if stored else 200)


@bp.get("/drills/<drill_id>/grids/<grid_id>/households/<household_id>/ticks")
@bp.response(200, HouseholdTicks)
def household_ticks(drill_id, grid_id, household_id):
    return service.household_ticks(actor=caller(), drill_id=drill_id, grid_id=grid_id, household_id=household_id)


@bp.post("/drills/<drill_id>/checkins")
@bp.arguments(CheckinCreate)
@bp.response(201, CheckinRead)
@bp.alt_response(200, schema=CheckinRead, description="already checked in")
def check_in(data, drill_id):
    checkin, created = service.check_in(actor=caller(), drill_id=drill_id, **data)
    return checkin, (201 if created else 200)


@bp.get("/drills/<drill_id>/checkins")
@bp.response(200, CheckinRead(many=True))
def list_checkins(drill_id):
    return service.list_checkins(actor=caller(), drill_id=drill_id)


@bp.post("/drills/<drill_id>/checkins/<volunteer_id>/out")
@bp.arguments(CheckoutRequest)
@bp.response(200, CheckinRead)
def check_out(data, drill_id, volunteer_id):
    return service.check_out(actor=caller(), drill_id=drill_id, volunteer_id=volunteer_id, **data)


@bp.post("/drills/<drill_id>/shelters/<shelter_id>/open")
@bp.arguments(ShelterOpenRequest)
@bp.response(200, DrillRead)
def open_shelter(data, drill_id, shelter_id):
    return service.open_shelter(actor=caller(), drill_id=drill_id, shelter_id=shelter_id, **data)


@bp.post("/drills/<drill_id>/problems")
@bp.arguments(ProblemCreate)
@bp.response(201, DrillRead)
def add_problem(data, drill_id):
    return service.add_problem(actor=caller(), drill_id=drill_id, **data)


@bp.get("/drills/<drill_id>/report")
@bp.response(200, Report)
def report(drill_id):
    return service.report(actor=caller(), drill_id=drill_id)


@bp.get("/drills/<drill_id>/report.pdf")
@bp.doc(responses={"200": {"description": "the after-action report, printable (A4, marked 演练)",
                           "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
def report_pdf(drill_id):
    """The after-action report as a PDF for printing."""
    data = Report().dump(service.report(actor=caller(), drill_id=drill_id))
    response = Response(documents.report_pdf(data), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="drill-{drill_id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- corrective actions and compliance ------------------------------------------------------------------

@bp.post("/drills/<drill_id>/actions")
@bp.arguments(ActionCreate)
@bp.response(201, ActionRead)
def open_action(data, drill_id):
    return service.open_action(actor=caller(), drill_id=drill_id, data=data)


@bp.get("/actions")
@bp.arguments(ActionQuery, location="query")
@bp.response(200, ActionRead(many=True))
def list_actions(args):
    return service.list_actions(actor=caller(), **args)


@bp.post("/actions/<action_id>/close")
@bp.arguments(ActionClose)
@bp.response(200, ActionRead)
def close_action(data, action_id):
    return service.close_action(actor=caller(), action_id=action_id, **data)


@bp.get("/compliance")
@bp.arguments(ComplianceQuery, location="query")
@bp.response(200, ComplianceRow(many=True))
def compliance(args):
    return service.compliance(actor=caller(), **args)


@bp.get("/reports/month")
@bp.arguments(MonthQuery, location="query")
@bp.response(200, MonthFigures)
def month_figures(args):
    """A community's month for the monthly report: drills held and their times, corrective actions."""
    return service.month_figures(actor=caller(), **args)
