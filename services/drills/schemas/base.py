"""What every drills schema shares: the checks on codes and ids (each refusal with its reason), strict input,
the exercise marker, the roll-call figures."""
from marshmallow import Schema, fields, validate

from services.drills.models import MARKER
from shared.reasons import common
from shared.reasons import drills as reasons


class Pattern(validate.Regexp):
    """A regular expression whose refusal is a Reason (marshmallow's own would format it back to plain text)."""

    def __init__(self, regex: str, reason):
        super().__init__(regex, error=reason.message)
        self.reason = reason

    def _format_error(self, value) -> str:
        return self.reason()


CODE = Pattern(r"^[A-Za-z0-9_-]{1,40}$", reasons.CODE)
REF = Pattern(r"^[A-Za-z0-9_-]{1,64}$", reasons.REF)
OID = Pattern(r"^[0-9a-f]{24}$", common.NOT_AN_ID)
CLIENT_ID = Pattern(r"^[A-Za-z0-9_-]{8,64}$", reasons.CLIENT_ID)
SKILL = Pattern(r"^[a-z_]{1,40}$", reasons.SKILL)
Text = lambda n, **kw: fields.String(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731


class StrictSchema(Schema):
    class Meta:
        unknown = "raise"


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
