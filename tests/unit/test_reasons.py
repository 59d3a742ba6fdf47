"""Issue 14: errors as stable codes with parameters beside the English message."""
import marshmallow.fields as f
import marshmallow.validate as v
import pytest
from marshmallow import Schema, ValidationError, validate

from shared.errors import Invalid, Reason
from shared.reasons import REASONS, Text, common
from shared.reasons.common import reason_of
from shared.web.errors import flatten

pytestmark = pytest.mark.unit


def _template(text: str) -> str:
    return text.replace("{", "%(").replace("}", ")s")


@pytest.mark.parametrize("ours, theirs", [
    (common.REQUIRED, f.Field.default_error_messages["required"]),
    (common.NULL, f.Field.default_error_messages["null"]),
    (common.NOT_DATE, f.Date.default_error_messages["invalid"]),
    (common.NOT_INTEGER, f.Integer.default_error_messages["invalid"]),
    (common.ONE_OF, v.OneOf.default_message),
    (common.PATTERN, v.Regexp.default_message),
    (common.LENGTH_BETWEEN, v.Length.message_all),
    (common.LENGTH_MAX, v.Length.message_max),
    (common.LENGTH_MIN, v.Length.message_min),
    (common.LENGTH_EQUAL, v.Length.message_equal),
    (common.RANGE_MIN, v.Range.message_min.format(min_op=v.Range.message_gte)),
    (common.RANGE_BETWEEN, v.Range.message_all.format(min_op=v.Range.message_gte, max_op=v.Range.message_lte)),
])
def test_our_templates_are_marshmallows_own(ours, theirs):
    assert ours.message == _template(theirs)


def test_a_marshmallow_message_is_found_with_its_parameters():
    class Form(Schema):
        code = f.String(required=True, validate=validate.Length(min=1, max=40))
        n = f.Integer(validate=validate.Range(min=0, max=9))

    try:
        Form().load({"code": "", "n": 12})
    except ValidationError as exc:
        fields = flatten(exc.messages)
    reasons = {path: reason_of(messages[0]) for path, messages in fields.items()}
    assert (reasons["code"].code, reasons["code"].params) == ("length.between", {"min": "1", "max": "40"})
    assert (reasons["n"].code, reasons["n"].params) == ("range.between", {"min": "0", "max": "9"})


def test_a_domain_error_carries_its_code_through_validation_and_copies():
    text = Text("example.too_many", "the need wants %(n)s people", "The need wants %(n)s people.")
    error = Invalid(text(n=3), field="people")
    assert (error.message, error.reason) == ("the need wants 3 people", {"code": "example.too_many",
                                                                        "params": {"n": 3}})

    class Form(Schema):
        people = f.Integer(validate=lambda n: n < 3 or (_ for _ in ()).throw(ValidationError(text(n=n))))

    with pytest.raises(ValidationError) as caught:
        Form().load({"people": 5})
    [message] = flatten(caught.value.messages)["people"]
    assert isinstance(message, Reason) and message.code == "example.too_many"


def test_every_code_is_unique_and_every_text_has_words_for_a_person():
    assert all(code == text.code and text.page for code, text in REASONS.items())
