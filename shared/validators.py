"""Checks for Chinese personal data: resident ID numbers (GB 11643), mainland mobile numbers and residence permit
(居住证) numbers."""
import re
from datetime import date

from marshmallow import ValidationError

from shared import clock
from shared.reasons import households, people

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID = re.compile(r"^\d{17}[\dX]$")
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_PERMIT = re.compile(r"^[A-Z0-9]{6,30}$")


_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def refuse_control_characters(value: str) -> None:
    """Free text: no control characters (tab and line breaks aside), no bidi overrides, no zero-width marks."""
    if isinstance(value, str) and _INVISIBLE.search(value):
        raise ValidationError(people.CONTROL_CHARACTERS())


def id_check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def validate_id_number(value: str) -> None:
    """18 characters, a real birth date, and the right check character (X upper case)."""
    if not _ID.match(value or ""):
        raise ValidationError(people.ID_NUMBER_FORM())
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(people.ID_NUMBER_NO_BIRTH_DATE()) from None
    if born > clock.today() or born.year < 1890:
        raise ValidationError(people.ID_NUMBER_IMPOSSIBLE_BIRTH_DATE())
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(people.ID_NUMBER_CHECK())


def validate_phone(value: str) -> None:
    """A mainland mobile number: 11 digits starting 13–19."""
    if not _PHONE.match(value or ""):
        raise ValidationError(people.PHONE_FORM())


def normalise_permit_number(value: str) -> str:
    """A residence permit number without spaces, its letters upper case."""
    return re.sub(r"\s+", "", value or "").upper()


def validate_permit_number(value: str) -> None:
    """居住证号: formats differ by city, so 6–30 letters or digits (spaces ignored)."""
    if not _PERMIT.match(normalise_permit_number(value)):
        raise ValidationError(households.PERMIT_NUMBER_FORM())


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


# What a mask may show is set by what it can be combined with (tests/security/test_masking.py counts it): with
# the region, birth year and gender known, the 4 date digits and 3 sequence digits of an ID number leave ~180,000
# candidates; its check character would divide them by 11 and its sequence by 1,000, so neither is shown. A phone's
# last 4 digits are the subscriber number within a known block: showing any of them leaves under 10,000.
def mask_id_number(value: str | None) -> str | None:
    """The province digits only: 32****************."""
    return None if not value else value[:2] + "*" * (len(value) - 2)


def mask_phone(value: str | None) -> str | None:
    """The carrier prefix only: 138********."""
    return None if not value else value[:3] + "*" * (len(value) - 3)
