import pytest
from marshmallow import ValidationError

from shared.validators import id_check_char, mask_id_number, mask_phone, validate_id_number, validate_phone


def valid(first17="11010519491231002"):
    return first17 + id_check_char(first17)


def test_a_real_id_number_passes():
    assert valid() == "11010519491231002X"
    validate_id_number(valid())


@pytest.mark.parametrize("value, reason", [
    ("11010519491231002x", "17 digits"),
    ("110105194912310021", "check character"),
    ("110105194913310020", "birth date"),
    ("1101051949123100", "17 digits"),
    ("11010521991231002" + id_check_char("11010521991231002"), "impossible"),
])
def test_bad_id_numbers_say_why(value, reason):
    with pytest.raises(ValidationError, match=reason):
        validate_id_number(value)


@pytest.mark.parametrize("value", ["13812345678", "19912345678"])
def test_mainland_mobiles_pass(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "+8613812345678", ""])
def test_other_phones_fail(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_masks_keep_only_the_province_and_the_carrier_prefix():
    assert mask_id_number(valid()) == "11****************"
    assert mask_phone("13812345678") == "138********"
    assert mask_phone(None) is None
