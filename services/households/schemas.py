"""What the households API accepts and returns. Reads are masked; reveal is a separate, logged call."""
from flask import g, has_request_context
from marshmallow import Schema, ValidationError, fields, post_dump, post_load, validate, validates_schema

from shared import schemas
from shared.events.contracts import CARE_TAGS
from shared.reasons import households as reasons
from shared.schemas import CODE, StrictSchema
from shared.validators import (
    mask_id_number,
    mask_phone,
    normalise_id_number,
    normalise_permit_number,
    refuse_control_characters,
    validate_id_number,
    validate_permit_number,
    validate_phone,
)

FLOATING_FIELDS = ("hukou_place", "permit_number", "permit_expires_on", "arrived_on", "stay_months")

RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "grandparent", "sibling", "in_law", "other")
Text = lambda n, **kw: schemas.Text(n, validate_also=[refuse_control_characters], **kw)  # noqa: E731


class Masked(fields.String):
    """A personal number shown masked (documents and raw rows alike)."""

    def __init__(self, mask, **kwargs):
        super().__init__(dump_only=True, allow_none=True, **kwargs)
        self.mask = mask

    def _serialize(self, value, attr, obj, **kwargs):
        return self.mask(value)


class BirthYear(fields.Integer):
    """The year of a birth date: the date itself narrows a masked ID number too far (shown only on reveal)."""

    def __init__(self, **kwargs):
        super().__init__(dump_only=True, allow_none=True, attribute="birth_date", **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.year


class Day(fields.Date):
    """A date, also when the database hands back a datetime (raw rows)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value.date() if hasattr(value, "date") else value, attr, obj, **kwargs)


def care_visible() -> bool:
    """True when this request's caller may see care and disability status (care.read); hidden otherwise."""
    principal = g.get("principal") if has_request_context() else None
    return principal is not None and principal.may("care.read")


class CareHidden(Schema):
    """Drops `CARE_FIELDS` from what it dumps unless the caller may see care status."""
    CARE_FIELDS: tuple[str, ...] = ()

    @post_dump
    def _hide_care(self, data, **kwargs):
        if not care_visible():
            for name in self.CARE_FIELDS:
                data.pop(name, None)
        return data



class StreetCreate(StrictSchema):
    id = fields.String(required=True, validate=CODE)
    name = Text(60, required=True)
    district = Text(60, required=True)


class CommunityCreate(StrictSchema):
    id = fields.String(required=True, validate=CODE)
    name = Text(60, required=True)
    street_id = fields.String(required=True, validate=CODE)
    kind = fields.String(load_default="urban", validate=validate.OneOf(("urban", "rural")))


class StreetRead(Schema):
    id = fields.String()
    name = fields.String()
    district = fields.String()


class StreetUpdate(StrictSchema):
    name = Text(60)
    district = Text(60)


class CommunityUpdate(StrictSchema):
    name = Text(60)
    kind = fields.String(validate=validate.OneOf(("urban", "rural")))
    street_id = fields.String(validate=CODE)


class CommunityQuery(StrictSchema):
    street_id = fields.String(validate=CODE)
    figures = fields.Boolean(load_default=False, metadata={"description": "add each community's figures"})


class CommunityRead(Schema):
    id = fields.String()
    name = fields.String()
    street_id = fields.String()
    kind = fields.String()
    # with figures=true (and in a street's overview): grids against the band, households, staffing
    grids = fields.Integer()
    households = fields.Integer()
    grids_below = fields.Integer()
    grids_within = fields.Integer()
    grids_above = fields.Integer()
    band_min = fields.Integer()
    band_max = fields.Integer()
    grid_sizes = fields.List(fields.Dict(), metadata={"description": "each grid's {grid_id, name, households}"})
    care_households_overdue = fields.Integer()
    workers = fields.Integer(metadata={"description": "distinct grid workers assigned to the community's grids"})
    workers_required = fields.Integer(metadata={"description": "max(GRID_WORKERS_MIN, households / "
                                                               "GRID_WORKER_HOUSEHOLDS rounded up)"})
    understaffed = fields.Boolean()


class StreetTotals(Schema):
    grids = fields.Integer()
    households = fields.Integer()
    grids_below = fields.Integer()
    grids_within = fields.Integer()
    grids_above = fields.Integer()
    care_households_overdue = fields.Integer()
    workers = fields.Integer()
    workers_required = fields.Integer()
    communities_understaffed = fields.Integer()


class StaffingRule(Schema):
    per_worker = fields.Integer(metadata={"description": "households one grid worker serves (GRID_WORKER_HOUSEHOLDS)"})
    minimum = fields.Integer(metadata={"description": "fewest grid workers a community needs (GRID_WORKERS_MIN)"})


class StreetOverview(StreetRead):
    communities = fields.List(fields.Nested(CommunityRead))
    totals = fields.Nested(StreetTotals)
    staffing = fields.Nested(StaffingRule)


class PlacesQuery(StrictSchema):
    ids = fields.String(required=True, validate=validate.Length(min=1, max=8000),
                        metadata={"description": "comma-separated street, community or grid ids (at most 200)"})


class PlaceRead(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "street, community or grid"})
    name = fields.String()
    street_id = fields.String()
    community_id = fields.String()


class GridCreate(StrictSchema):
    id = fields.String(required=True, validate=CODE)
    name = Text(60, required=True)
    community_id = fields.String(required=True, validate=CODE)
    worker_name = Text(40, load_default=None, allow_none=True)
    worker_ids = fields.List(fields.String(validate=CODE), load_default=list, validate=validate.Length(max=20))


class GridUpdate(StrictSchema):
    """A grid's workers (its name travels in grid.created to the other services' copies, so it is not edited here)."""
    worker_name = Text(40, allow_none=True)
    worker_ids = fields.List(fields.String(validate=CODE), validate=validate.Length(max=20),
                             metadata={"description": "the grid's full-time workers (user ids), counted by staffing"})


class GridRead(CareHidden):
    CARE_FIELDS = ("care_residents", "care_households_overdue")
    id = fields.String()
    name = fields.String()
    community_id = fields.String()
    worker_name = fields.String(allow_none=True)
    worker_ids = fields.List(fields.String())
    households = fields.Integer()
    band = fields.String(metadata={"description": "below, within or above the band (GRID_BAND_MIN–GRID_BAND_MAX)"})
    band_min = fields.Integer()
    band_max = fields.Integer()
    care_residents = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                 metadata={"description": "residents with an active special-care tag, by tag"})
    care_households_overdue = fields.Integer(metadata={"description": "only for callers with care.read"})


class GridQuery(Schema):
    community_id = fields.String(validate=CODE)


class AddressSchema(StrictSchema):
    building = Text(40, required=True)
    unit = Text(20, load_default=None, allow_none=True)
    room = Text(20, required=True)


class CareTagSchema(StrictSchema):
    tag = fields.String(required=True, validate=validate.OneOf(CARE_TAGS))
    since = fields.Date(load_default=None, allow_none=True)
    until = fields.Date(load_default=None, allow_none=True)
    note = Text(200, load_default=None, allow_none=True)

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ValidationError(reasons.BEFORE_SINCE(), "until")


class ResidentWrite(StrictSchema):
    resident_id = fields.String(load_default=None, metadata={"description": "kept when editing a resident"})
    name = Text(40, required=True)
    gender = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("male", "female")))
    # Left out on an edit, the stored birth date, ID number and phone are kept (the editor saw them masked).
    birth_date = fields.Date(allow_none=True)
    id_number = fields.String(allow_none=True, validate=validate_id_number)
    phone = fields.String(allow_none=True, validate=validate_phone)
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    care_tags = fields.List(fields.Nested(CareTagSchema), load_default=list)
    # 流动人口, only in a floating household; the permit number, like the ID number, is kept if left out on an edit
    hukou_place = Text(60, load_default=None, allow_none=True, metadata={"description": "户籍地 (place of registration)"})
    permit_number = fields.String(allow_none=True, validate=validate_permit_number,
                                  metadata={"description": "居住证号: 6–30 letters or digits; masked on reads"})
    permit_expires_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "居住证有效期至"})
    arrived_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "来本地日期"})
    stay_months = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=240),
                                 metadata={"description": "预计居住期限, in months"})

    @validates_schema
    def _permit_dates(self, data, **kwargs):
        expires, arrived = data.get("permit_expires_on"), data.get("arrived_on")
        if expires and arrived and expires < arrived:
            raise ValidationError(reasons.EXPIRES_BEFORE_ARRIVAL(), "permit_expires_on")

    @post_load
    def _normalise(self, data, **kwargs):
        if data.get("id_number"):
            data["id_number"] = normalise_id_number(data["id_number"])
        if data.get("permit_number"):
            data["permit_number"] = normalise_permit_number(data["permit_number"])
        return data


class _HouseholdBody(StrictSchema):
    address = fields.Nested(AddressSchema, required=True)
    residency = fields.String(required=True, validate=validate.OneOf(("registered", "floating")))
    phone = fields.String(allow_none=True, validate=validate_phone, metadata={"description": "kept if left out"})
    moved_in_on = fields.Date(load_default=None, allow_none=True)
    residents = fields.List(fields.Nested(ResidentWrite), required=True, validate=validate.Length(min=1, max=30))

    @validates_schema
    def _one_head(self, data, **kwargs):
        heads = [r for r in data.get("residents", []) if r["relation"] == "head"]
        if len(heads) != 1:
            raise ValidationError(reasons.ONE_HEAD(), "residents")
        ids = [r["id_number"] for r in data.get("residents", []) if r.get("id_number")]
        if len(ids) != len(set(ids)):
            raise ValidationError(reasons.ID_NUMBER_TWICE(), "residents")

    @validates_schema
    def _floating(self, data, **kwargs):
        """Permit, place of registration, arrival and stay belong to a floating household's residents only."""
        residents = data.get("residents", [])
        if data.get("residency") != "floating":
            wrong = {i: {k: [reasons.ONLY_FLOATING()] for k in FLOATING_FIELDS if r.get(k) not in (None, "")}
                     for i, r in enumerate(residents)}
            if any(wrong.values()):
                raise ValidationError({"residents": {i: v for i, v in wrong.items() if v}})
        permits = [r["permit_number"] for r in residents if r.get("permit_number")]
        if len(permits) != len(set(permits)):
            raise ValidationError(reasons.PERMIT_NUMBER_TWICE(), "residents")


class HouseholdCreate(_HouseholdBody):
    grid_id = fields.String(required=True, validate=CODE)


class HouseholdUpdate(_HouseholdBody):
    version = fields.Integer(required=True, metadata={"description": "the version you read; 409 if it changed"})


class CareTagRead(Schema):
    tag = fields.String()
    since = Day(allow_none=True)
    until = Day(allow_none=True)
    note = fields.String(allow_none=True)


class ResidentRead(CareHidden):
    CARE_FIELDS = ("care_tags",)
    resident_id = fields.String()
    name = fields.String()
    gender = fields.String(allow_none=True)
    birth_year = BirthYear()
    id_number = Masked(mask_id_number)
    phone = Masked(mask_phone)
    relation = fields.String()
    care_tags = fields.List(fields.Nested(CareTagRead), metadata={"description": "only for callers with care.read"})
    hukou_place = fields.String(allow_none=True)
    permit_number = Masked(mask_id_number, metadata={"description": "居住证号, masked like an ID number"})
    permit_expires_on = Day(allow_none=True)
    arrived_on = Day(allow_none=True)
    stay_months = fields.Integer(allow_none=True)


class ResidentRevealed(ResidentRead):
    birth_date = Day(allow_none=True)
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    permit_number = fields.String(allow_none=True)


class HouseholdRead(CareHidden):
    CARE_FIELDS = ("care",)
    id = fields.String()
    community_id = fields.String()
    grid_id = fields.String()
    address = fields.Nested(AddressSchema)
    residency = fields.String()
    phone = Masked(mask_phone)
    moved_in_on = Day(allow_none=True)
    moved_out_on = Day(allow_none=True)
    status = fields.String()
    care = fields.Boolean(metadata={"description": "a resident carries an active care tag (only with care.read)"})
    residents = fields.List(fields.Nested(ResidentRead))
    version = fields.Integer()
    updated_at = fields.AwareDateTime()


class HouseholdRevealed(HouseholdRead):
    phone = fields.String(allow_none=True)
    residents = fields.List(fields.Nested(ResidentRevealed))


class HouseholdQuery(Schema):
    grid_id = fields.String(validate=CODE)
    community_id = fields.String(validate=CODE)
    q = fields.String(validate=validate.Length(min=1, max=40),
                      metadata={"description": "address or name (numbers: POST /households/lookup)"})
    care_tag = fields.String(validate=validate.OneOf(CARE_TAGS))
    status = fields.String(load_default="active", validate=validate.OneOf(("active", "left")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))

    @validates_schema
    def _place(self, data, **kwargs):
        if not data.get("grid_id") and not data.get("community_id"):
            raise ValidationError(reasons.GRID_OR_COMMUNITY(), "grid_id")


class HouseholdPage(Schema):
    items = fields.List(fields.Nested(HouseholdRead))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class RevealRequest(StrictSchema):
    reason = Text(200, required=True, metadata={"description": "why you need the full ID numbers and phones"})


class LookupRequest(StrictSchema):
    number = fields.String(required=True, validate=validate.Length(min=1, max=30),
                           metadata={"description": "a full ID number, mobile number or residence permit number (no fragments)"})
    reason = Text(200, required=True, metadata={"description": "why you look this person up; recorded"})
    grid_id = fields.String(load_default=None, validate=CODE, metadata={"description": "only in this grid"})


class MoveRequest(StrictSchema):
    to_grid_id = fields.String(required=True, validate=CODE)
    version = fields.Integer(required=True)
    address = fields.Nested(AddressSchema, load_default=None, metadata={"description": "new address, if it changes"})
    reason = Text(500, load_default=None, allow_none=True)


class LeaveRequest(StrictSchema):
    moved_out_on = fields.Date(required=True)
    version = fields.Integer(required=True)
    reason = Text(500, load_default=None, allow_none=True)


class CareFlagRequest(StrictSchema):
    tag = fields.String(required=True, validate=validate.OneOf(CARE_TAGS))
    since = fields.Date(load_default=None, allow_none=True)
    note = Text(200, load_default=None, allow_none=True)


class CareClearRequest(StrictSchema):
    tag = fields.String(required=True, validate=validate.OneOf(CARE_TAGS))
    until = fields.Date(load_default=None, allow_none=True)


class VisitCreate(StrictSchema):
    visited_at = fields.AwareDateTime(required=True)
    seen = fields.List(Text(40), load_default=list, validate=validate.Length(max=30))
    notes = fields.String(load_default="", validate=validate.Length(max=2000))
    follow_up_needed = fields.Boolean(load_default=False)
    follow_up = Text(500, load_default=None, allow_none=True)
    client_id = fields.String(load_default=None, allow_none=True,
                              validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$"),
                              metadata={"description": "the phone's id for this entry: a resend is stored once"})

    @validates_schema
    def _follow_up(self, data, **kwargs):
        if data.get("follow_up_needed") and not data.get("follow_up"):
            raise ValidationError(reasons.SAY_FOLLOW_UP(), "follow_up")


class VisitRead(Schema):
    id = fields.String()
    household_id = fields.String()
    grid_id = fields.String(metadata={"description": "the household's grid while the follow-up is open"})
    visited_in_grid_id = fields.String(allow_none=True, metadata={"description": "the grid the visit was made in"})
    visited_at = fields.AwareDateTime()
    visitor_id = fields.String()
    visitor_name = fields.String(allow_none=True)
    seen = fields.List(fields.String())
    notes = fields.String()
    follow_up_needed = fields.Boolean()
    follow_up = fields.String(allow_none=True)
    follow_up_done_at = fields.AwareDateTime(allow_none=True)
    client_id = fields.String(allow_none=True)


class OverdueRead(Schema):
    household_id = fields.String()
    address = fields.Nested(AddressSchema)
    care_tags = fields.List(fields.String())
    cadence_days = fields.Integer(metadata={"description": "days between visits: the shortest of its care tags'"})
    last_visited_at = fields.AwareDateTime(allow_none=True)
    days_since = fields.Integer(allow_none=True)


class PermitExpiringRead(Schema):
    household_id = fields.String()
    address = fields.Nested(AddressSchema)
    resident_id = fields.String()
    name = fields.String()
    permit_number = Masked(mask_id_number, metadata={"description": "居住证号, masked"})
    permit_expires_on = Day()
    days_left = fields.Integer(metadata={"description": "negative once expired"})
    expired = fields.Boolean()


class RedrawRequest(StrictSchema):
    to_grid_id = fields.String(required=True, validate=CODE)
    new_grid_name = Text(60, load_default=None, allow_none=True,
                         metadata={"description": "create the target grid with this name if it does not exist"})
    buildings = fields.List(Text(40), load_default=list)
    household_ids = fields.List(fields.String(validate=validate.Length(equal=24)), load_default=list)
    reason = Text(500, required=True)

    @validates_schema
    def _something(self, data, **kwargs):
        if not data["buildings"] and not data["household_ids"]:
            raise ValidationError(reasons.NAME_WHAT_MOVES(), "buildings")


class RedrawRead(Schema):
    id = fields.String()
    from_grid_id = fields.String()
    to_grid_id = fields.String()
    household_ids = fields.List(fields.String())
    reason = fields.String()
    status = fields.String()
    at = fields.AwareDateTime()


class RevealRecordRead(Schema):
    user_id = fields.String()
    role = fields.String()
    kind = fields.String(metadata={"description": "reveal, or lookup (found by a full number)"})
    reason = fields.String()
    at = fields.AwareDateTime()
