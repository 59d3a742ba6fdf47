"""Reasons every service gives: marshmallow's own validation messages, and the web layer's.

marshmallow's messages reach the web layer as plain English; `reason_of` finds their code and parameters by
matching the templates below, which a unit test keeps equal to marshmallow's own (so an upgrade that changes
them fails that test, not a page).
"""
import re

from shared.errors import Reason
from shared.reasons import N_, Text

REQUIRED = Text("field.required", "Missing data for required field.", N_("Required."))
NULL = Text("field.null", "Field may not be null.", N_("Required."))
INVALID_VALUE = Text("field.invalid", "Invalid value.", N_("Not a valid value."))
NOT_STRING = Text("field.not_string", "Not a valid string.", N_("Not a valid value."))
NOT_UTF8 = Text("field.not_utf8", "Not a valid utf-8 string.", N_("Not a valid value."))
SPECIAL_NUMBER = Text("field.special_number", "Special numeric values (nan or infinity) are not permitted.",
                      N_("Not a valid number."))
NOT_TUPLE = Text("field.not_tuple", "Not a valid tuple.", N_("Not a valid value."))
NOT_INTEGER = Text("field.not_integer", "Not a valid integer.", N_("A whole number."))
NOT_NUMBER = Text("field.not_number", "Not a valid number.", N_("Not a valid number."))
TOO_LARGE = Text("field.too_large", "Number too large.", N_("Not a valid number."))
NOT_BOOLEAN = Text("field.not_boolean", "Not a valid boolean.", N_("Not a valid value."))
NOT_LIST = Text("field.not_list", "Not a valid list.", N_("Not a valid value."))
NOT_MAPPING = Text("field.not_mapping", "Not a valid mapping type.", N_("Not a valid value."))
NOT_DATE = Text("field.not_date", "Not a valid date.", N_("Not a valid date."))
NOT_DATETIME = Text("field.not_datetime", "Not a valid datetime.", N_("Not a valid date and time."))
NOT_AWARE = Text("field.not_aware", "Not a valid aware datetime.", N_("Not a valid date and time."))
NOT_UUID = Text("field.not_uuid", "Not a valid UUID.", N_("Not a valid value."))
NOT_EMAIL = Text("field.not_email", "Not a valid email address.", N_("Not a valid value."))
WRONG_TYPE = Text("field.wrong_type", "Invalid input type.", N_("Not a valid value."))
WRONG_TYPE_NESTED = Text("field.wrong_type_nested", "Invalid type.", N_("Not a valid value."))
# A required choice left out: the API's English is marshmallow's; a page asks to choose.
CHOOSE_ONE = Text("field.choose_one", "Missing data for required field.", N_("Choose one."))
UNKNOWN_FIELD = Text("field.unknown", "Unknown field.", N_("Unknown field."))
ONE_OF = Text("field.one_of", "Must be one of: %(choices)s.", N_("Choose one of the listed options."))
CONTAINS_ONLY = Text("field.contains_only", "One or more of the choices you made was not in: %(choices)s.",
                     N_("Choose one of the listed options."))
PATTERN = Text("field.pattern", "String does not match expected pattern.", N_("Not in the expected form."))
EQUAL = Text("field.equal", "Must be equal to %(other)s.", N_("Not a valid value."))
LENGTH_BETWEEN = Text("length.between", "Length must be between %(min)s and %(max)s.",
                      N_("Use %(min)s to %(max)s characters."))
LENGTH_MAX = Text("length.max", "Longer than maximum length %(max)s.", N_("Use at most %(max)s characters."))
LENGTH_MIN = Text("length.min", "Shorter than minimum length %(min)s.", N_("Use at least %(min)s characters."))
LENGTH_EQUAL = Text("length.equal", "Length must be %(equal)s.", N_("Use exactly %(equal)s characters."))
RANGE_BETWEEN = Text("range.between", "Must be greater than or equal to %(min)s and less than or equal to %(max)s.",
                     N_("Use a number from %(min)s to %(max)s."))
RANGE_MIN = Text("range.min", "Must be greater than or equal to %(min)s.", N_("Use a number of at least %(min)s."))
RANGE_MAX = Text("range.max", "Must be less than or equal to %(max)s.", N_("Use a number of at most %(max)s."))
RANGE_ABOVE = Text("range.above", "Must be greater than %(min)s.", N_("Use a number above %(min)s."))
RANGE_BELOW = Text("range.below", "Must be less than %(max)s.", N_("Use a number below %(max)s."))

# ---- the web layer's own -------------------------------------------------------------------------
REQUEST_INVALID = Text("request.invalid", "request is invalid", N_("Some entries need correcting."))
CHANGED_MEANWHILE = Text("request.changed_meanwhile", "changed by someone else; reload and try again",
                         N_("Someone else changed this in the meantime; reload and try again."))
DATABASE_DOWN = Text("service.database_down", "database unavailable; try again shortly",
                     N_("The service is unavailable; please try again shortly."))
INTERNAL = Text("service.internal", "internal error", N_("Something went wrong; please try again."))
ROLE_MAY_NOT = Text("role.may_not", "role %(role)s may not %(permission)s", N_("Your role may not do this."))
NOT_AN_ID = Text("id.invalid", "not an id", N_("Not a valid id."))
CODE_FORM = Text("code.form", "use 1–40 letters, digits, - or _", N_("Use 1–40 letters, digits, - or _."))
MONTH_FORM = Text("month.form", "use a month as YYYY-MM", N_("Use a month as YYYY-MM."))
MONTH_NOT_BEGUN = Text("month.not_begun", "month %(month)s has not begun", N_("Month %(month)s has not begun."))
# A call whose signed identity does not hold (401): to the person, their session has ended.
_SIGN_IN_AGAIN = N_("Your session has ended. Please sign in again.")
IDENTITY_MISSING = Text("identity.missing", "no identity given", _SIGN_IN_AGAIN)
IDENTITY_EXPIRED = Text("identity.expired", "identity expired", _SIGN_IN_AGAIN)
IDENTITY_OTHER_SERVICE = Text("identity.other_service", "identity is for another service", _SIGN_IN_AGAIN)
IDENTITY_FORGED = Text("identity.forged", "identity not genuine", _SIGN_IN_AGAIN)
IDENTITY_OTHER_REQUEST = Text("identity.other_request", "identity is for another request", _SIGN_IN_AGAIN)
IDENTITY_UNKNOWN_ROLE = Text("identity.unknown_role", "unknown role", _SIGN_IN_AGAIN)
# "<what> <id> not found": for an object that does not exist or lies outside the caller's area (shared.scope)
NOT_FOUND = Text("object.not_found", "%(what)s %(id)s not found", N_("Not found, or outside your area."))

MARSHMALLOW = (REQUIRED, NULL, INVALID_VALUE, NOT_STRING, NOT_UTF8, SPECIAL_NUMBER, NOT_TUPLE, NOT_INTEGER, NOT_NUMBER,
               TOO_LARGE, NOT_BOOLEAN, NOT_LIST, NOT_MAPPING, NOT_DATE, NOT_DATETIME, NOT_AWARE, NOT_UUID, NOT_EMAIL, WRONG_TYPE, WRONG_TYPE_NESTED,
               UNKNOWN_FIELD, ONE_OF, CONTAINS_ONLY, PATTERN, EQUAL, LENGTH_BETWEEN, LENGTH_MAX, LENGTH_MIN,
               LENGTH_EQUAL, RANGE_BETWEEN, RANGE_MIN, RANGE_MAX, RANGE_ABOVE, RANGE_BELOW)


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$", re.S)


_MATCHERS = [(text, _pattern(text.message)) for text in MARSHMALLOW]


def reason_of(message: str) -> Reason | None:
    """`message` as a Reason: itself if it is one, else the marshmallow message it matches (None if none)."""
    if isinstance(message, Reason):
        return message
    for text, pattern in _MATCHERS:
        m = pattern.match(str(message))
        if m:
            return Reason(str(message), code=text.code, params=m.groupdict())
    return None
