"""Issue 12 point 1: what a caller without the reveal permission sees of a resident, in every channel taken
together, leaves at least 10,000 candidates for the ID number and 10,000 for the phone.

Signed in as the mediator (register.read, no reveal), the test gathers the household through the gateway's
pages, the API pass-through (one household, the list) and the masked export, combines every digit any of them
shows, and counts by enumeration the numbers consistent with all of it, assuming the worst case: the region
code, the birth year and the gender are known, and the phone's 7-digit block (carrier prefix and area) too.
"""
import csv
import io
import re
from datetime import date, timedelta

import pytest

from gateway.seed import seed_demo_users
from shared.validators import id_check_char, mask_id_number, mask_phone
from tests.support.stack import register, seed_district, sign_in, stack

PASSWORD = "demo-pass-1"
BOUND = 10_000
REGION, BORN, SEQUENCE = "320106", date(1987, 6, 15), "042"          # 鼓楼区, a woman (even 17th digit)
ID_NUMBER = REGION + BORN.strftime("%Y%m%d") + SEQUENCE + id_check_char(REGION + BORN.strftime("%Y%m%d") + SEQUENCE)
PHONE = "19712345850"


def id_candidates(shown: list[str], *, region: str, year: int, female: bool, born_on: date | None = None) -> int:
    """How many valid ID numbers agree with every masked form shown, the region, the birth year and gender."""
    known = combine(shown, 18)
    days = [born_on] if born_on else [date(year, 1, 1) + timedelta(d) for d in range(366)
                                      if (date(year, 1, 1) + timedelta(d)).year == year
                                      and date(year, 1, 1) + timedelta(d) <= date.today()]
    count = 0
    for day in days:
        head = region + day.strftime("%Y%m%d")
        if any(known[i] not in ("*", head[i]) for i in range(14)):
            continue
        for seq in range(0 if female else 1, 1000, 2):
            first17 = head + f"{seq:03d}"
            number = first17 + id_check_char(first17)
            if all(k in ("*", c) for k, c in zip(known[14:], number[14:])):
                count += 1
    return count


def phone_candidates(shown: list[str], *, block: str) -> int:
    """How many mobile numbers in a known 7-digit block agree with every masked form shown."""
    known = combine(shown, 11)
    if any(known[i] not in ("*", block[i]) for i in range(7)):
        return 0
    return sum(all(k in ("*", c) for k, c in zip(known[7:], f"{n:04d}")) for n in range(10_000))


def combine(shown: list[str], width: int) -> str:
    """One mask holding every character any view showed (a view that contradicts another fails the test)."""
    known = ["*"] * width
    for text in shown:
        assert len(text) == width, text
        for i, c in enumerate(text):
            if c != "*":
                assert known[i] in ("*", c), shown
                known[i] = c
    return "".join(known)


def test_the_count_rejects_the_old_masks_and_a_shown_birth_date():
    """The count can fail: the old masks (first 3 and last 4) and a full birth date leave a handful."""
    old_id = ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    assert id_candidates([old_id], region=REGION, year=1987, female=True) < 400
    assert id_candidates([mask_id_number(ID_NUMBER)], region=REGION, year=1987, female=True, born_on=BORN) == 500
    assert phone_candidates([PHONE[:3] + "****" + PHONE[-4:]], block=PHONE[:7]) == 1


@pytest.fixture(scope="module")
def s(mongo_url):
    with stack(mongo_url) as st:
        seed_district(st)
        st.household = register(st, {
            "grid_id": "g1", "residency": "registered", "phone": PHONE,
            "address": {"building": "7栋", "unit": "1单元", "room": "302"},
            "residents": [{"name": "林晓燕", "relation": "head", "gender": "female", "birth_date": BORN.isoformat(),
                           "id_number": ID_NUMBER, "phone": PHONE}]})
        seed_demo_users(st.gateway_app, password=PASSWORD, grid_ids=["g1"], community_ids=["c1"])
        yield st


def everything_the_mediator_sees(s) -> list[str]:
    c = s.gateway_app.test_client()
    assert sign_in(c, "mediator", PASSWORD).status_code == 303
    hid = s.household["id"]
    views = []
    for path in ("/grids/g1/households", f"/households/{hid}", f"/api/households/households/{hid}",
                 "/api/households/households?grid_id=g1", "/api/households/households?grid_id=g1&q=林晓燕",
                 "/api/households/grids/g1/export?format=csv"):
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        views.append(r.get_data(as_text=True))
    export = list(csv.reader(io.StringIO(views[-1].lstrip("\ufeff"))))
    assert len(export) == 2 and export[1][6] == "林晓燕"
    return views


def test_what_a_mediator_sees_leaves_10000_candidates_for_the_id_number_and_the_phone(s):
    views = everything_the_mediator_sees(s)
    text = "\n".join(views)
    assert "林晓燕" in text
    # whole tokens only: a record's id (hex, "6b15892982417a3c…") may hold a run of digits shaped like a phone
    ids = re.findall(r"(?<![0-9A-Za-z*])[0-9X*]{18}(?![0-9A-Za-z*])", text)
    phones = re.findall(r"(?<![0-9A-Za-z*])1[0-9*]{10}(?![0-9A-Za-z*])", text)
    assert ids and phones and ID_NUMBER not in text and PHONE not in text
    # the birth date in any usual spelling is the one thing that would pin the 4 date digits
    spellings = {BORN.isoformat(), BORN.strftime("%Y%m%d"), BORN.strftime("%Y/%m/%d"), "1987年6月15日", "1987年06月15日"}
    born_on = BORN if any(sp in text for sp in spellings) else None
    assert born_on is None, "the full birth date is shown"
    assert "1987" in text  # the year is shown (and so assumed known below)
    id_count = id_candidates(ids, region=REGION, year=1987, female=True, born_on=born_on)
    phone_count = phone_candidates(phones, block=PHONE[:7])
    print(f"\n[masking] a mediator's views leave {id_count:,} ID numbers and {phone_count:,} phones")
    assert id_count >= BOUND and phone_count >= BOUND


def test_the_masks_themselves_and_the_reveal_still_shows_it_all(s):
    assert mask_id_number(ID_NUMBER) == "32****************" and mask_phone(PHONE) == "197********"
    worker = s.gateway_app.test_client()
    assert sign_in(worker, "worker-g1", PASSWORD).status_code == 303
    page = worker.get(f"/households/{s.household['id']}").get_data(as_text=True)
    assert "1987" in page and BORN.isoformat() not in page    # masked by default for a revealer too
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    revealed = worker.post(f"/households/{s.household['id']}/reveal", data={"csrf_token": token, "reason": "核对"})
    body = revealed.get_data(as_text=True)
    assert revealed.status_code == 200 and ID_NUMBER in body and PHONE in body and BORN.isoformat() in body


@pytest.mark.parametrize("param", ["sort=phone", "sort=id_number", "order_by=birth_date", "birth_date=1987-06-15",
                                   "birth_year=1987", "age_min=30", "phone=19712345850", "id_number=32"])
def test_no_sort_or_filter_on_a_hidden_field_is_offered(s, param):
    c = s.gateway_app.test_client()
    assert sign_in(c, "mediator", PASSWORD).status_code == 303
    r = c.get(f"/api/households/households?grid_id=g1&{param}")
    assert r.status_code == 422 and param.split("=")[0] in r.get_data(as_text=True)
