"""One import job, in its own process so its peak memory is its own (the job runs in a thread of this process's
API, as in production):
    python -m tests.bench.import_one MONGO_URL HOUSEHOLDS
Prints one JSON line: households, rows, bytes, seconds (from the upload to the job's end), peak RSS of this
process before and after (MB), and the parse child's peak RSS (MB, from its log record)."""
import io
import json
import logging
import sys
import time
import uuid

from openpyxl import Workbook

from localrun.demo_data import demo_household
from services.households.app import create_app
from shared.config import TestConfig
from shared.validators import id_check_char
from tests.support.callers import headers_for
from tests.support.imports import run_import
from tests.support.memory import peak_rss_mb

HEADER = ["楼栋", "单元", "房号", "户籍类型", "户主姓名", "与户主关系", "姓名", "性别", "出生日期", "身份证号", "联系电话",
          "关爱类型", "入住日期"]
RELATION = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母"}
CARE = {"elderly_alone": "独居老人", "empty_nest": "空巢老人", "left_behind_child": "留守儿童", "disability": "残疾人",
        "subsistence": "低保", "entitled_group": "优抚对象"}


def unique(id_number: str, seen: set) -> str:
    """The ID number, or (the demo's random numbers repeat a few times in 100,000) one with another sequence."""
    sequence = int(id_number[14:17])
    while id_number in seen:
        sequence = (sequence + 1) % 1000
        first17 = id_number[:14] + f"{sequence:03d}"
        id_number = first17 + id_check_char(first17)
    seen.add(id_number)
    return id_number


def workbook(households: int) -> tuple[bytes, int]:
    """A community office's sheet: one row per resident, the demo district's households."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    rows = 0
    seen: set[str] = set()
    for n in range(households):
        h = demo_household("BENCH", n)
        a = h["address"]
        a["building"] = f"{n // 48 + 1}栋"  # demo addresses repeat past 48×… only within a grid's size
        head = h["residents"][0]["name"]
        for r in h["residents"]:
            tags = "、".join(CARE[t["tag"]] for t in r.get("care_tags", []))
            ws.append([a["building"], a["unit"], a["room"], "户籍" if h["residency"] == "registered" else "流动", head,
                       RELATION[r["relation"]], r["name"], "男" if r["gender"] == "male" else "女", r["birth_date"],
                       unique(r["id_number"], seen), r["phone"], tags or None, None])
            rows += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), rows


class ChildPeak(logging.Handler):
    """Keeps the parse child's peak RSS from its "parsed in a child" record."""

    def __init__(self):
        super().__init__()
        self.mb = None

    def emit(self, record):
        self.mb = getattr(record, "child_rss_peak_mb", self.mb)


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
    child = ChildPeak()
    logging.getLogger("services.households.sheets.parse_child").addHandler(child)
    logging.getLogger("services.households.sheets.parse_child").setLevel(logging.INFO)
    before = peak_rss_mb()
    started = time.perf_counter()
    status, report = run_import(client, "G", headers=admin, deadline_s=3600, interval_s=0.5,
                                file=(io.BytesIO(raw), "register.xlsx"))
    seconds = time.perf_counter() - started
    report = report.get("report", report)
    print(json.dumps({"households": households, "imported": report.get("imported"), "status": status,
                      "rows": rows, "bytes": len(raw), "seconds": seconds, "rss_before_mb": before,
                      "rss_peak_mb": peak_rss_mb(),
                      "child_rss_peak_mb": child.mb}))
    import mongoengine
    from pymongo.errors import PyMongoError

    try:
        mongoengine.get_db().client.drop_database(config.MONGO_DB)
    except PyMongoError:    # dropping 50,000 households can outlast the socket timeout; the figures are printed
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
