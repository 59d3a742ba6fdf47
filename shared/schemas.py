"""What every service's marshmallow schemas share: strict input, and checks whose refusals keep their code."""
from marshmallow import Schema, ValidationError, fields, validate, validates

from shared import clock
from shared.reasons import common


class StrictSchema(Schema):
    """Input that names a field the API does not know is refused (422), not silently dropped."""

    class Meta:
        unknown = "raise"


class Pattern(validate.Regexp):
    """A regular expression refused with `reason` (marshmallow's Regexp would format it into plain text)."""

    def __init__(self, regex: str, reason):
        super().__init__(regex, error=reason.message)
        self.reason = reason

    def _format_error(self, value):
        return self.reason()


class Choice(fields.String):
    """One of `choices`; left out where it is required, it is refused as a choice to make, not a text to fill."""

    def __init__(self, choices, **kwargs):
        super().__init__(validate=validate.OneOf(choices), **kwargs)

    def make_error(self, key: str, **kwargs) -> ValidationError:
        return ValidationError(common.CHOOSE_ONE()) if key == "required" else super().make_error(key, **kwargs)


CODE = Pattern(r"^[A-Za-z0-9_-]{1,40}$", common.CODE_FORM)
OBJECT_ID = Pattern(r"^[0-9a-f]{24}$", common.NOT_AN_ID)


def Text(max_length: int, *, validate_also=(), **kwargs) -> fields.String:  # noqa: N802 (reads as a field type)
    """A required-when-given string of 1 to `max_length` characters."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), *validate_also], **kwargs)


MONTH = Pattern(r"^\d{4}-(0[1-9]|1[0-2])$", common.MONTH_FORM)


class MonthQuery(StrictSchema):
    """A community's month (YYYY-MM, by the district's calendar): what each service's GET /reports/month takes."""

    community_id = fields.String(required=True, validate=CODE)
    month = fields.String(required=True, validate=MONTH)

    @validates("month")
    def _begun(self, value: str, **_) -> None:
        if value > clock.month_of(clock.today()):
            raise ValidationError(common.MONTH_NOT_BEGUN(month=value))
