"""The households list API for a 500-household grid: ours vs bare Flask + pymongo, at 1, 8 and 32 clients."""
import secrets

import mongoengine

from services.households import service
from shared.identity import HEADER, Principal, generate_key_pair, sign
from tests.bench.servers import gunicorn, wrk
from tests.support.mongo import free_port

GRID = "B-01"
ADMIN = Principal(user_id="bench", role="admin")


def seed(url: str, db: str, households: int = 500) -> None:
    """A street, a community and one grid of `households` households, through the service layer."""
    from localrun.demo_data import demo_household
    from services.households.models import Community, Street

    mongoengine.connect(db=db, host=url, tz_aware=True, uuidRepresentation="standard")
    Street(id="BS", name="基准街道", district="基准区").save()
    Community(id="BC", name="基准社区", street_id="BS").save()
    service.create_grid(actor=ADMIN, data={"id": GRID, "name": "基准网格", "community_id": "BC"})
    from services.households.schemas import HouseholdCreate

    schema = HouseholdCreate()
    for n in range(households):
        service.register_household(actor=ADMIN, data=schema.load(demo_household(GRID, n)))
    mongoengine.disconnect()


def run(mongo_url: str, *, seconds: int = 8) -> list[dict]:
    db = f"bench_{secrets.token_hex(4)}"
    seed(mongo_url, db)
    private_key, public_key = generate_key_pair()
    env = {"MONGO_URL": mongo_url, "HOUSEHOLDS_MONGO_DB": db, "IDENTITY_PUBLIC_KEY": public_key,
           "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672//"}
    worker = Principal(user_id="bench-worker", role="grid_worker", grid_ids=(GRID,))
    rows = []
    with gunicorn("services.households.wsgi:app", free_port(), env) as ours, \
            gunicorn("tests.bench.plain_list:app", free_port(), env) as plain:
        for page_size in (50, 500):
            query = f"/households?grid_id={GRID}&page_size={page_size}"
            for clients in (1, 8, 32):
                # wrk sends one header for the whole run: a fresh identity for it (runs are shorter than 30 s)
                headers = {HEADER: sign(worker, key=private_key, audience="households", method="GET", path=query)}
                a = wrk(ours + query, connections=clients, seconds=seconds, headers=headers)
                b = wrk(plain + query, connections=clients, seconds=seconds)
                rows.append({"what": f"households list, page of {page_size}", "clients": clients, "ours": a,
                             "plain": b, "overhead": a["p50"] / b["p50"] if b["p50"] else None})
    return rows
