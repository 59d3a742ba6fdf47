"""The environment tests.support.stack.full_stack gives the service processes it starts (as deploy/ gives pods)."""
from tests.support.stack import full_stack, register, seed_district

PHONE = "13812345678"


def test_full_stack_households_finds_a_household_by_number(mongo_url):
    """Issue 13: the households process gets LOOKUP_HMAC_KEY; without it the look-up answers 503."""
    with full_stack(mongo_url, services=("households",)) as st:
        seed_district(st)
        household = register(st, {"grid_id": "g1", "residency": "registered", "address": {"building": "1栋",
                                   "unit": "1单元", "room": "101"}, "residents": [{
                                       "name": "居民甲", "gender": "female", "birth_date": "1950-01-01",
                                       "relation": "head", "phone": PHONE}]})
        found = st.households_call("POST", "/households/lookup", json={"number": PHONE, "reason": "核对来电"})
        assert found.status_code == 200, found.text
        assert [h["id"] for h in found.json()] == [household["id"]]
