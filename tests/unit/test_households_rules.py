from datetime import date

from services.households.models import CareTag
from services.households.rules import band, natural_key
from shared.web.errors import flatten


def test_addresses_sort_naturally():
    keys = [natural_key(b, "1单元", r) for b, r in [("10栋", "101"), ("2栋", "1001"), ("2栋", "201")]]
    assert sorted(keys) == [keys[2], keys[1], keys[0]]


def test_band_against_400_to_500():
    assert [band(n, low=400, high=500) for n in (399, 400, 500, 501)] == ["below", "within", "within", "above"]
    assert [band(n, low=300, high=350) for n in (299, 351)] == ["below", "above"]


def test_a_care_tag_ends_on_its_until_day():
    tag = CareTag(tag="disability", since=date(2026, 1, 1), until=date(2026, 6, 1))
    assert tag.active_on(date(2026, 5, 31)) and not tag.active_on(date(2026, 6, 1))
    assert not tag.active_on(date(2025, 12, 31))


def test_validation_messages_flatten_to_field_paths():
    assert flatten({"address": {"room": ["required"]}, "residents": {0: {"phone": ["bad"]}}}) == {
        "address.room": ["required"], "residents.0.phone": ["bad"]}
