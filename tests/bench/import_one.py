"""One import, in its own process so its peak memory is its own:
    python -m tests.bench.import_one MONGO_URL HOUSEHOLDS
Prints one JSON line: households, rows, bytes, seconds, peak RSS before and after (MB)."""
import io
import json
import resource
import sys
import time
import uuid

from openpyxl import Workbook

from localrun.demo_data import demo_household
from services.households.app import create_app
from shared.config import TestConfig
from tests.support.callers import headers_for

HEADER = ["楼栋", "单元", "房号", "户籍类型", "户主姓名", "与户主关系", "姓名", "性别", "出生日期", "身份证号", "联系电话",
          "关爱类型", "入住日期"]
RELATION = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母"}
CARE = {"elderly_alone": "独居老人", "empty_nest": "空巢老人", "left_behind_child": "留守儿童", "disability": "残疾人",
        "subsistence": "低保", "entitled_group": "优抚对象"}


def workbook(households: int) -> tuple[bytes, int]:
    """A community office's sheet: one row per resident, the demo district's households."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    rows = 0
    for n in range(households):
        h = demo_household("BENCH", n)
        a = h["address"]
        a["building"] = f"{n // 48 + 1}栋"  # demo addresses repeat past 48×… only within a grid's size
        head = h["residents"][0]["name"]
        for r in h["residents"]:
            tags = "、".join(CARE[t["tag"]] for t in r.get("care_tags", []))
            ws.append([a["building"], a["unit"], a["room"], "户籍" if h["residency"] == "registered" else "流动", head,
                       RELATION[r["relation"]], r["name"], "男" if r["gender"] == "male" else "女", r["birth_date"],
                       r["id_number"], r["phone"], tags or None, None])
            rows += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), rows


def main() -> int:
    url, households = sys.argv[1], int(sys.argv[2])
    raw, rows = workbook(households)
    config = TestConfig("households", mongo_url=url, run_id="imp" + uuid.uuid4().hex[:6])
    config.MAX_UPLOAD_BYTES = 100 * 2**20
    config.MAX_CONTENT_LENGTH = config.MAX_UPLOAD_BYTES + 2**16
    app = create_app(config)
    client = app.test_client()
    admin = headers_for(app, role="admin")
    client.post("/streets", json={"id": "S", "name": "街道", "district": "区"}, headers=admin)
    client.post("/communities", json={"id": "C", "name": "社区", "street_id": "S"}, headers=admin)
    client.post("/grids", json={"id": "G", "name": "网格", "community_id": "C"}, headers=admin)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.post("/grids/G/import", data={"file": (io.BytesIO(raw), "register.xlsx")}, headers=admin,
                           content_type="multipart/form-data")
    seconds = time.perf_counter() - started
    report = response.get_json()
    print(json.dumps({"households": households, "imported": report.get("imported"), "status": response.status_code,
                      "rows": rows, "bytes": len(raw), "seconds": seconds, "rss_before_mb": before,
                      "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    import mongoengine

    mongoengine.get_db().client.drop_database(config.MONGO_DB)
    return 0


if __name__ == "__main__":
    sys.exit(main())
