"""What the households API accepts and returns for the four-in-one network: building heads, ten-household groups
(十联户) and residents' groups (service/network.py). Phones are masked like the register's; reveal is logged."""
from marshmallow import Schema, fields, validate

from services.households.schemas import Masked, Text
from shared.schemas import StrictSchema
from shared.validators import mask_phone, validate_phone


class BuildingHeadWrite(StrictSchema):
    building = Text(40, required=True)
    resident_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                                metadata={"description": "a resident of a household in the building"})
    name = Text(40, load_default=None, allow_none=True, metadata={"description": "when not picked from the register"})
    phone = fields.String(load_default=None, allow_none=True, validate=validate_phone,
                          metadata={"description": "the resident's phone when left out"})


class BuildingHeadRead(Schema):
    id = fields.String()
    grid_id = fields.String()
    building = fields.String()
    name = fields.String(allow_none=True)
    household_id = fields.String(allow_none=True)
    resident_id = fields.String(allow_none=True)
    phone = Masked(mask_phone)
    removed = fields.Boolean()


class BuildingHeadRevealed(BuildingHeadRead):
    phone = fields.String(allow_none=True)


class TenGroupWrite(StrictSchema):
    name = Text(40, required=True)
    household_ids = fields.List(fields.String(validate=validate.Length(equal=24)), required=True)
    lead_household_id = fields.String(required=True, validate=validate.Length(equal=24),
                                      metadata={"description": "联户长: one of household_ids"})


class TenGroupUpdate(TenGroupWrite):
    version = fields.Integer(required=True, metadata={"description": "the version you read; 409 if it changed"})


class GroupMember(Schema):
    household_id = fields.String()
    label = fields.String(allow_none=True)


class TenGroupRead(Schema):
    id = fields.String()
    grid_id = fields.String()
    name = fields.String()
    household_ids = fields.List(fields.String())
    members = fields.List(fields.Nested(GroupMember))
    lead_household_id = fields.String(allow_none=True)
    lead_label = fields.String(allow_none=True)
    dissolved = fields.Boolean()
    version = fields.Integer()


class ResidentsGroupWrite(StrictSchema):
    number = fields.Integer(required=True, validate=validate.Range(min=1, max=999))
    name = Text(40, required=True)
    buildings = fields.List(Text(40), load_default=list, validate=validate.Length(max=100))
    household_ids = fields.List(fields.String(validate=validate.Length(equal=24)), load_default=list,
                                validate=validate.Length(max=500))
    leader_name = Text(40, load_default=None, allow_none=True)
    leader_phone = fields.String(load_default=None, allow_none=True, validate=validate_phone)


class ResidentsGroupRead(Schema):
    id = fields.String()
    community_id = fields.String()
    number = fields.Integer()
    name = fields.String()
    buildings = fields.List(fields.String())
    household_ids = fields.List(fields.String())
    leader_name = fields.String(allow_none=True)
    leader_phone = Masked(mask_phone)


class ResidentsGroupRevealed(ResidentsGroupRead):
    leader_phone = fields.String(allow_none=True)


class NetworkBuilding(Schema):
    building = fields.String()
    households = fields.Integer()
    head = fields.Nested(BuildingHeadRead, allow_none=True)
    residents_group = fields.String(allow_none=True)


class NetworkResident(Schema):
    resident_id = fields.String()
    name = fields.String()


class NetworkHousehold(Schema):
    household_id = fields.String()
    label = fields.String()
    group_id = fields.String(allow_none=True)
    group_name = fields.String(allow_none=True)
    residents = fields.List(fields.Nested(NetworkResident), metadata={"description": "names, to pick a building head"})


class GridNetworkQuery(Schema):
    building = Text(40, metadata={"description": "list this building's households and their groups"})


class GridNetwork(Schema):
    grid_id = fields.String()
    name = fields.String()
    community_id = fields.String()
    buildings = fields.List(fields.Nested(NetworkBuilding))
    building_heads = fields.List(fields.Nested(BuildingHeadRead))
    ten_groups = fields.List(fields.Nested(TenGroupRead))
    residents_groups = fields.List(fields.Nested(ResidentsGroupRead))
    households_total = fields.Integer()
    households_grouped = fields.Integer(metadata={"description": "households in a ten-household group"})
    max_group = fields.Integer()
    households = fields.List(fields.Nested(NetworkHousehold))


class HouseholdTenGroup(TenGroupRead):
    is_lead = fields.Boolean()


class HouseholdNetwork(Schema):
    household_id = fields.String()
    building = fields.String()
    residents_group = fields.Nested(ResidentsGroupRead, allow_none=True)
    building_head = fields.Nested(BuildingHeadRead, allow_none=True)
    ten_group = fields.Nested(HouseholdTenGroup, allow_none=True)
