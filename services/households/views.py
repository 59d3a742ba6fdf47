"""HTTP routes of the grid register: load with a schema, call the service, dump. Nothing else."""
from services.households import schemas as s
from services.households import service
from shared.web.blueprint import Blueprint
from shared.web.factory import caller

bp = Blueprint("households", __name__, url_prefix="/", description="The grid register (网格台账)")


@bp.post("/streets")
@bp.arguments(s.StreetCreate)
@bp.response(201, s.StreetCreate)
def create_street(data):
    return service.create_street(actor=caller(), data=data)


@bp.get("/streets")
@bp.response(200, s.StreetRead(many=True))
def list_streets():
    return service.list_streets(actor=caller())


@bp.get("/streets/<street_id>")
@bp.response(200, s.StreetRead)
def get_street(street_id):
    return service.get_street(actor=caller(), street_id=street_id)


@bp.patch("/streets/<street_id>")
@bp.arguments(s.StreetUpdate)
@bp.response(200, s.StreetRead)
def update_street(data, street_id):
    return service.update_street(actor=caller(), street_id=street_id, data=data)


@bp.get("/streets/<street_id>/overview")
@bp.response(200, s.StreetOverview)
def street_overview(street_id):
    """The street's communities as rows: grids against the band, households, care overdue, staffing."""
    return service.street_overview(actor=caller(), street_id=street_id)


@bp.get("/places")
@bp.arguments(s.PlacesQuery, location="query")
@bp.response(200, s.PlaceRead(many=True))
def place_names(args):
    """Names of streets, communities and grids by id, for pages to show instead of codes."""
    return service.place_names(actor=caller(), ids=args["ids"].split(","))


@bp.post("/communities")
@bp.arguments(s.CommunityCreate)
@bp.response(201, s.CommunityRead)
def create_community(data):
    return service.create_community(actor=caller(), data=data)


@bp.get("/communities")
@bp.arguments(s.CommunityQuery, location="query")
@bp.response(200, s.CommunityRead(many=True))
def list_communities(args):
    return service.list_communities(actor=caller(), **args)


@bp.patch("/communities/<community_id>")
@bp.arguments(s.CommunityUpdate)
@bp.response(200, s.CommunityRead)
def update_community(data, community_id):
    return service.update_community(actor=caller(), community_id=community_id, data=data)


@bp.post("/grids")
@bp.arguments(s.GridCreate)
@bp.response(201, s.GridRead)
def create_grid(data):
    grid = service.create_grid(actor=caller(), data=data)
    return service.get_grid(actor=caller(), grid_id=grid.pk)


@bp.get("/grids")
@bp.arguments(s.GridQuery, location="query")
@bp.response(200, s.GridRead(many=True))
def list_grids(args):
    return service.list_grids(actor=caller(), **args)


@bp.get("/grids/<grid_id>")
@bp.response(200, s.GridRead)
def get_grid(grid_id):
    return service.get_grid(actor=caller(), grid_id=grid_id)


@bp.patch("/grids/<grid_id>")
@bp.arguments(s.GridUpdate)
@bp.response(200, s.GridRead)
def update_grid(data, grid_id):
    return service.update_grid(actor=caller(), grid_id=grid_id, data=data)


@bp.post("/grids/<grid_id>/redraw")
@bp.arguments(s.RedrawRequest)
@bp.response(201, s.RedrawRead)
def redraw(data, grid_id):
    return service.redraw(actor=caller(), grid_id=grid_id, **data)


@bp.get("/grids/<grid_id>/overdue-visits")
@bp.response(200, s.OverdueRead(many=True))
def overdue_visits(grid_id):
    return service.overdue_visits(actor=caller(), grid_id=grid_id)


@bp.get("/grids/<grid_id>/permits-expiring")
@bp.response(200, s.PermitExpiringRead(many=True))
def permits_expiring(grid_id):
    """Residence permits (居住证) of the grid's floating residents expiring within PERMIT_EXPIRY_NOTICE_DAYS, or
    expired (marked); numbers masked."""
    return service.permits_expiring(actor=caller(), grid_id=grid_id)


@bp.get("/grids/<grid_id>/follow-ups")
@bp.response(200, s.VisitRead(many=True))
def follow_ups(grid_id):
    return service.open_follow_ups(actor=caller(), grid_id=grid_id)


@bp.post("/households")
@bp.arguments(s.HouseholdCreate)
@bp.response(201, s.HouseholdRead)
def register_household(data):
    return service.register_household(actor=caller(), data=data)


@bp.get("/households")
@bp.arguments(s.HouseholdQuery, location="query")  # a sort or filter it does not offer is a 422 (shared.web.blueprint)
@bp.response(200, s.HouseholdPage)
def list_households(args):
    return service.list_households(actor=caller(), **args)


@bp.post("/households/lookup")
@bp.arguments(s.LookupRequest)
@bp.response(200, s.HouseholdRead(many=True))
def lookup_households(data):
    """Households holding a full ID number or phone (needs the reveal permission; recorded per household)."""
    return service.lookup_households(actor=caller(), **data)


@bp.get("/households/<household_id>")
@bp.response(200, s.HouseholdRead)
def get_household(household_id):
    return service.get_household(actor=caller(), household_id=household_id)


@bp.put("/households/<household_id>")
@bp.arguments(s.HouseholdUpdate)
@bp.response(200, s.HouseholdRead)
def update_household(data, household_id):
    return service.update_household(actor=caller(), household_id=household_id, data=data)


@bp.post("/households/<household_id>/reveal")
@bp.arguments(s.RevealRequest)
@bp.response(200, s.HouseholdRevealed)
def reveal_household(data, household_id):
    return service.reveal_household(actor=caller(), household_id=household_id, **data)


@bp.get("/households/<household_id>/reveals")
@bp.response(200, s.RevealRecordRead(many=True))
def reveal_records(household_id):
    return service.reveal_records(actor=caller(), household_id=household_id)


@bp.post("/households/<household_id>/move")
@bp.arguments(s.MoveRequest)
@bp.response(200, s.HouseholdRead)
def move_household(data, household_id):
    return service.move_household(actor=caller(), household_id=household_id, **data)


@bp.post("/households/<household_id>/leave")
@bp.arguments(s.LeaveRequest)
@bp.response(200, s.HouseholdRead)
def household_left(data, household_id):
    return service.household_left(actor=caller(), household_id=household_id, **data)


@bp.post("/households/<household_id>/residents/<resident_id>/care-tags")
@bp.arguments(s.CareFlagRequest)
@bp.response(200, s.HouseholdRead)
def flag_care(data, household_id, resident_id):
    return service.flag_care(actor=caller(), household_id=household_id, resident_id=resident_id, **data)


@bp.post("/households/<household_id>/residents/<resident_id>/care-tags/clear")
@bp.arguments(s.CareClearRequest)
@bp.response(200, s.HouseholdRead)
def clear_care(data, household_id, resident_id):
    return service.clear_care(actor=caller(), household_id=household_id, resident_id=resident_id, **data)


@bp.post("/households/<household_id>/visits")
@bp.arguments(s.VisitCreate)
@bp.response(201, s.VisitRead)
@bp.alt_response(200, schema=s.VisitRead, description="already stored (same client_id)")
def log_visit(data, household_id):
    visit, created = service.log_visit(actor=caller(), household_id=household_id, data=data)
    return visit, (201 if created else 200)


@bp.get("/households/<household_id>/visits")
@bp.response(200, s.VisitRead(many=True))
def list_visits(household_id):
    return service.list_visits(actor=caller(), household_id=household_id)


@bp.post("/visits/<visit_id>/follow-up-done")
@bp.response(200, s.VisitRead)
def complete_follow_up(visit_id):
    return service.complete_follow_up(actor=caller(), visit_id=visit_id)
