"""What every drills schema shares: the checks on codes and ids (each refusal with its reason), strict input,
the exercise marker, the roll-call figures."""
from marshmallow import Schema, fields, validate

from services.drills.models import MARKER
from shared.reasons import drills as reasons
from shared.schemas import CODE, OBJECT_ID, Pattern, StrictSchema, Text  # noqa: F401 (the drills schemas import them from here)

REF = Pattern(r"^[A-Za-z0-9_-]{1,64}$", reasons.REF)
OID = OBJECT_ID
CLIENT_ID = Pattern(r"^[A-Za-z0-9_-]{8,64}$", reasons.CLIENT_ID)
SKILL = Pattern(r"^[a-z_]{1,40}$", reasons.SKILL)



class Marked(Schema):
    """Says plainly that this is an exercise, so no one takes it for a real emergency."""

    exercise = fields.Constant(True, dump_only=True)
    marker = fields.Constant(MARKER, dump_only=True, metadata={"description": "演练: show it on every drill screen"})


def ids(validator=CODE, **kw):
    return fields.List(fields.String(validate=validator), load_default=list, validate=validate.Length(max=100), **kw)


class CommunityQuery(Schema):
    community_id = fields.String(validate=CODE)


class Figures(Schema):
    total = fields.Integer()
    accounted = fields.Integer()
    share = fields.Float(allow_none=True)
    needs_help = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    time_to_90_s = fields.Float(allow_none=True)
    time_to_100_s = fields.Float(allow_none=True)


class Reached(Figures):
    """The figures and when 90% and 100% of the households were accounted for."""

    reached_90_at = fields.AwareDateTime(allow_none=True)
    reached_100_at = fields.AwareDateTime(allow_none=True)
