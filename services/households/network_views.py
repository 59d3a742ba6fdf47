"""HTTP routes of the four-in-one network and ten-household groups (service/network.py): load, call, dump."""
from services.households import network_schemas as s
from services.households import service
from services.households.schemas import RevealRequest
from shared.web.blueprint import Blueprint
from shared.web.factory import caller

bp = Blueprint("network", __name__, url_prefix="/",
               description="The four-in-one network: residents' groups, building heads, ten-household groups (十联户)")


@bp.get("/grids/<grid_id>/network")
@bp.arguments(s.GridNetworkQuery, location="query")
@bp.response(200, s.GridNetwork)
def grid_network(args, grid_id):
    return service.grid_network(actor=caller(), grid_id=grid_id, **args)


@bp.get("/households/<household_id>/network")
@bp.response(200, s.HouseholdNetwork)
def household_network(household_id):
    return service.household_network(actor=caller(), household_id=household_id)


@bp.put("/grids/<grid_id>/building-heads")
@bp.arguments(s.BuildingHeadWrite)
@bp.response(200, s.BuildingHeadRead)
def set_building_head(data, grid_id):
    return service.set_building_head(actor=caller(), grid_id=grid_id, **data)


@bp.delete("/building-heads/<head_id>")
@bp.response(200, s.BuildingHeadRead)
def remove_building_head(head_id):
    return service.remove_building_head(actor=caller(), head_id=head_id)


@bp.post("/building-heads/<head_id>/reveal")
@bp.arguments(RevealRequest)
@bp.response(200, s.BuildingHeadRevealed)
def reveal_building_head(data, head_id):
    return service.reveal_building_head(actor=caller(), head_id=head_id, **data)


@bp.post("/grids/<grid_id>/ten-groups")
@bp.arguments(s.TenGroupWrite)
@bp.response(201, s.TenGroupRead)
def create_ten_group(data, grid_id):
    group = service.create_ten_group(actor=caller(), grid_id=grid_id, **data)
    return service.get_ten_group(actor=caller(), group_id=str(group.pk))


@bp.get("/ten-groups/<group_id>")
@bp.response(200, s.TenGroupRead)
def get_ten_group(group_id):
    return service.get_ten_group(actor=caller(), group_id=group_id)


@bp.put("/ten-groups/<group_id>")
@bp.arguments(s.TenGroupUpdate)
@bp.response(200, s.TenGroupRead)
def update_ten_group(data, group_id):
    service.update_ten_group(actor=caller(), group_id=group_id, **data)
    return service.get_ten_group(actor=caller(), group_id=group_id)


@bp.delete("/ten-groups/<group_id>")
@bp.response(200, s.TenGroupRead)
def dissolve_ten_group(group_id):
    service.dissolve_ten_group(actor=caller(), group_id=group_id)
    return service.get_ten_group(actor=caller(), group_id=group_id)


@bp.get("/communities/<community_id>/residents-groups")
@bp.response(200, s.ResidentsGroupRead(many=True))
def list_residents_groups(community_id):
    return service.list_residents_groups(actor=caller(), community_id=community_id)


@bp.post("/communities/<community_id>/residents-groups")
@bp.arguments(s.ResidentsGroupWrite)
@bp.response(201, s.ResidentsGroupRead)
def create_residents_group(data, community_id):
    return service.create_residents_group(actor=caller(), community_id=community_id, data=data)


@bp.put("/residents-groups/<group_id>")
@bp.arguments(s.ResidentsGroupWrite)
@bp.response(200, s.ResidentsGroupRead)
def update_residents_group(data, group_id):
    return service.update_residents_group(actor=caller(), group_id=group_id, data=data)


@bp.delete("/residents-groups/<group_id>")
@bp.response(204)
def delete_residents_group(group_id):
    service.delete_residents_group(actor=caller(), group_id=group_id)


@bp.post("/residents-groups/<group_id>/reveal")
@bp.arguments(RevealRequest)
@bp.response(200, s.ResidentsGroupRevealed)
def reveal_residents_group_leader(data, group_id):
    return service.reveal_residents_group_leader(actor=caller(), group_id=group_id, **data)
