"""Bulk import and export of a grid's register over HTTP, against a real MongoDB-wire server.

No broker is needed: the events of imported households stay in their outboxes, where the tests read them.
"""
import csv
import io
import socket
import subprocess
import sys
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pymongo.errors import AutoReconnect

from services.households.app import create_app
from services.households.config import SETTINGS
from services.households.models import Household, RevealRecord
from services.households.schemas import HouseholdCreate
from services.households.service import import_journal, imports
from services.households.service.exports import MIMETYPES, RegisterExport
from services.households.sheets import register as register_sheet
from shared.config import TestConfig
from shared.identity import Principal
from shared.validators import id_check_char
from tests.support.callers import headers_for
from tests.support.data import household, xlsx
from tests.support.imports import run_import
from tests.support.mongo import drop_database

HEADER = ["楼栋", "单元", "房号", "户籍类型", "户主姓名", "与户主关系", "姓名", "性别", "出生日期", "身份证号", "联系电话",
          "关爱类型", "入住日期"]
GRID, OTHER_GRID = "C1-G1", "C1-G2"


def id_number(seed: int) -> str:
    first17 = f"110105{(date(1930, 1, 1) + timedelta(days=seed // 1000)):%Y%m%d}{seed % 1000:03d}"
    return first17 + id_check_char(first17)


def rows_for(households: int) -> list[list]:
    """Sheet rows (no header): household h has 1 + h % 3 residents, head first; every 7th head is cared for."""
    out = []
    for h in range(households):
        for k in range(1 + h % 3):
            seed = h * 3 + k
            out.append([f"{h // 100 + 1}栋", f"{h % 100 // 25 + 1}单元", str(101 + h % 25), "户籍" if h % 4 else "流动",
                        f"户主{h}", ("户主", "配偶", "子女")[k], f"户主{h}" if k == 0 else f"居民{h}-{k}",
                        "男" if k != 1 else "女", "1960-05-01", id_number(seed), f"139{seed:08d}",
                        "空巢老人、低保" if h % 7 == 0 and k == 0 else "", "2019-03-01"])
    return out


def sheet(rows, fmt="xlsx", header=HEADER) -> bytes:
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(rows)
        return text.getvalue().encode("utf-8-sig")
    return xlsx(header, rows)


@pytest.fixture
def config(mongo_url, run_id):
    """The households test config; a test changes a setting on it (the app reads its settings from it)."""
    return TestConfig("households", SETTINGS, mongo_url=mongo_url, run_id=run_id)


@pytest.fixture
def app(config):
    app = create_app(config)
    yield app
    drop_database(config.MONGO_URL, app.config["MONGO_DB"])


@pytest.fixture
def web(app):
    return app.test_client()


@pytest.fixture
def worker(app, web):
    """A street, a community with two grids, and the headers of their grid worker."""
    admin = headers_for(app, role="admin")
    assert web.post("/streets", json={"id": "S1", "name": "城关街道", "district": "示范区"}, headers=admin).status_code == 201
    assert web.post("/communities", json={"id": "C1", "name": "幸福社区", "street_id": "S1"},
                    headers=admin).status_code == 201
    for grid in (GRID, OTHER_GRID):
        assert web.post("/grids", json={"id": grid, "name": f"{grid}网格", "community_id": "C1"},
                        headers=admin).status_code == 201
    return headers_for(app, role="grid_worker", user_id="w-1", grids=[GRID, OTHER_GRID])


def upload(web, headers, content: bytes, *, grid=GRID, name="台账.xlsx", **form):
    """The import's answer once its job ended (or the immediate refusal)."""
    return run_import(web, grid, headers=headers, file=(io.BytesIO(content), name),
                      **{k: str(v).lower() for k, v in form.items()})


def rows_with_three_bad() -> tuple[list[list], set[int], set[int]]:
    """500 households (999 rows) with three bad rows; returns rows, the bad sheet rows, their households' rows."""
    rows = rows_for(500)
    number = {r[6]: i + 2 for i, r in enumerate(rows)}        # sheet row by resident name (header is row 1)
    spoiled = {"户主10": (9, "wrong check"), "居民200-1": (10, "12345"), "居民451-1": (5, "外星人")}
    for row in rows:
        if row[6] in spoiled:
            column, value = spoiled[row[6]]
            row[column] = row[column][:17] + ("0" if row[column][17] != "0" else "1") if value == "wrong check" else value
    bad = {number[name] for name in spoiled}
    households = {i + 2 for i, r in enumerate(rows) if r[4] in ("户主10", "户主200", "户主451")}
    return rows, bad, households


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_500_household_import_with_three_bad_rows_reports_exactly_those_rows(web, worker, fmt):
    rows, bad, their_households = rows_with_three_bad()
    content = sheet(rows, fmt)

    r = upload(web, worker, content, name=f"台账.{fmt}")
    assert r.status_code == 422, r.json
    report = r.json["report"]
    assert r.json["error"] == "validation_failed" and "nothing was written" in r.json["fields"]["file"][0]
    assert {b["row"] for b in report["bad_rows"]} == bad and report["bad_row_count"] == 3
    assert {b["field"] for b in report["bad_rows"]} == {"身份证号", "联系电话", "与户主关系"}
    assert set(report["held_rows"]) == their_households - bad
    assert (report["rows"], report["households"], report["importable"], report["written"]) == (999, 500, 497, False)
    assert report["format"] == fmt
    assert Household.objects.count() == 0

    r = upload(web, worker, content, name=f"台账.{fmt}", mode="good_rows_only")
    assert r.status_code == 201, r.json
    assert (r.json["imported"], r.json["written"], r.json["residents"]) == (497, True, 999 - len(their_households))
    assert {b["row"] for b in r.json["bad_rows"]} == bad
    assert Household.objects(grid_id=GRID, status="active").count() == 497
    collection = Household._get_collection()
    assert collection.count_documents({"outbox.type": "household.registered"}) == 497   # no household without its event
    cared = collection.count_documents({"care": True})
    assert collection.count_documents({"outbox.type": "resident.care_flagged"}) == cared > 0
    head = Household.objects.get(address__building="1栋", address__unit="1单元", address__room="101")
    assert head.residency == "floating" and head.residents[0].care_tags[0].tag in ("empty_nest", "subsistence")
    assert head.history[0].action == "registered" and head.history[0].detail["import_id"]


def test_dry_run_writes_nothing_then_the_import_writes_every_household_once(web, worker):
    content = sheet(rows_for(30), "csv")
    r = upload(web, worker, content, name="台账.csv", dry_run=True)
    assert r.status_code == 200 and r.json["written"] is False and r.json["importable"] == 30
    assert Household.objects.count() == 0
    r = upload(web, worker, content, name="台账.csv")
    assert r.status_code == 201 and r.json["imported"] == 30 and r.json["residents"] == 60
    listed = web.get("/households", query_string={"grid_id": GRID, "q": "户主7"}, headers=worker).json
    assert listed["total"] == 1 and listed["items"][0]["residents"][0]["phone"] == "139********"
    r = upload(web, worker, content, name="台账.csv")      # the same file again: every address is taken now
    assert r.status_code == 422 and r.json["report"]["bad_row_count"] == 30
    assert {b["reason"] for b in r.json["report"]["bad_rows"]} == {
        "a household is already registered at this address in this grid"}
    assert Household.objects.count() == 30


def test_a_file_too_large_gets_413(web, worker, app, config):
    content = sheet(rows_for(200), "csv")
    config.MAX_UPLOAD_BYTES = len(content) - 1
    r = upload(web, worker, content, name="台账.csv")
    assert r.status_code == 413 and r.json["error"] == "too_large" and "limit" in r.json["fields"]["file"][0]
    app.config["MAX_CONTENT_LENGTH"] = 2000                 # far over: refused before it is even read
    r = upload(web, worker, content, name="台账.csv")
    assert r.status_code == 413 and r.json["error"] == "too_large"
    assert Household.objects.count() == 0


@pytest.mark.parametrize("content, says", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a spreadsheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "save it as .xlsx"),
    (b"", "the file is empty"),
    (",".join(HEADER).encode(), "no residents"),
    ("姓名,身份证号,电话\n张三,1,2\n".encode("gb18030"), "missing columns: 楼栋、房号、户籍类型、与户主关系"),
])
def test_a_file_that_is_not_a_register_gets_422_on_file(web, worker, content, says):
    r = upload(web, worker, content, name="something.xlsx")
    assert r.status_code == 422, r.json
    assert says in r.json["fields"]["file"][0] and "report" not in r.json


def test_wrong_columns_in_a_workbook_are_listed(web, worker):
    r = upload(web, worker, sheet(rows_for(3), header=["Building", "单元", "门牌", "类型", "户主姓名", "与户主关系", "姓名",
                                                       "性别", "出生日期", "身份证号", "联系电话", "关爱类型", "入住日期"]))
    assert r.status_code == 422
    message = r.json["fields"]["file"][0]
    assert "missing columns: 户籍类型" in message and "unknown columns: 类型" in message   # 门牌 is 房号


def test_missing_file_part_and_bad_mode(web, worker):
    r = web.post(f"/grids/{GRID}/import", data={"mode": "all_or_nothing"}, headers=worker,
                 content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.json["fields"]
    r = upload(web, worker, sheet(rows_for(1)), mode="some")
    assert r.status_code == 422 and "mode" in r.json["fields"]


def test_formulas_are_bad_rows_and_good_rows_only_imports_the_rest(web, worker):
    rows = rows_for(5)
    rows[0][10] = "=HYPERLINK(\"http://evil\",\"x\")"
    for fmt in ("xlsx", "csv"):
        r = upload(web, worker, sheet(rows, fmt), name=f"f.{fmt}")
        assert r.status_code == 422
        assert r.json["report"]["bad_rows"] == [{"row": 2, "field": "联系电话", "reason": register_sheet.FORMULA,
                                                 "code": "import.cell.formula", "params": {}}]
    r = upload(web, worker, sheet(rows), mode="good_rows_only")
    assert r.status_code == 201 and r.json["imported"] == 4


def test_too_many_rows_gets_a_clear_answer(web, worker, config):
    config.MAX_IMPORT_ROWS = 100
    r = upload(web, worker, sheet(rows_for(60)))           # 119 rows
    assert r.status_code == 422 and "too many rows" in r.json["fields"]["file"][0]


def test_fifty_thousand_rows_get_a_report_without_running_out_of_memory(web, worker):
    content = sheet(rows_for(25_001)[:50_000], "csv")
    r = upload(web, worker, content, name="big.csv", dry_run=True)
    assert r.status_code == 200, r.json
    assert (r.json["rows"], r.json["households"], r.json["bad_row_count"]) == (50_000, 25_001, 0)


def test_importing_needs_write_permission_in_the_callers_grid(web, worker, app):
    mediator = headers_for(app, role="mediator", grids=[GRID])
    assert upload(web, mediator, sheet(rows_for(1))).status_code == 403
    stranger = headers_for(app, role="grid_worker", grids=["C9-G9"])
    assert upload(web, stranger, sheet(rows_for(1))).status_code == 404


def test_a_clash_while_writing_takes_back_everything_and_answers_409(web, worker, monkeypatch):
    rows = rows_for(700)
    taken = next(r for r in rows if r[4] == "户主600")        # in the second batch of 500
    body = household(GRID, 1)
    body["address"] = {"building": taken[0], "unit": taken[1], "room": taken[2]}
    assert web.post("/households", json=body, headers=worker).status_code == 201
    # The other registration lands after the file was checked, before it is written.
    monkeypatch.setattr(imports, "_registered_addresses", lambda parsed, grid_id: None)
    content = sheet(rows, "csv")

    r = upload(web, worker, content, name="f.csv")
    assert r.status_code == 409, r.json
    assert r.json["error"] == "conflict" and r.json["report"]["written"] is False
    row = rows.index(taken) + 2
    assert [b["row"] for b in r.json["report"]["bad_rows"]] == [row]
    assert Household.objects.count() == 1                  # only the other registration

    r = upload(web, worker, content, name="f.csv", mode="good_rows_only")
    assert r.status_code == 201 and r.json["imported"] == 699
    assert [b["row"] for b in r.json["bad_rows"]] == [row]
    assert Household.objects.count() == 700


def test_a_database_failure_part_way_takes_back_all_or_nothing_and_good_rows_only_can_resume(web, worker,
                                                                                             monkeypatch):
    content = sheet(rows_for(700), "csv")
    real, calls = imports._insert, []

    def failing_second_batch(collection, docs, *, ordered):
        calls.append(len(docs))
        if len(calls) == 2:
            raise AutoReconnect("connection reset")
        return real(collection, docs, ordered=ordered)

    monkeypatch.setattr(imports, "_insert", failing_second_batch)
    r = upload(web, worker, content, name="f.csv")
    assert r.status_code == 503 and "taken back" in r.json["message"]
    assert Household.objects.count() == 0

    calls.clear()
    r = upload(web, worker, content, name="f.csv", mode="good_rows_only")
    assert r.status_code == 503 and "upload the same file again" in r.json["message"]
    assert Household.objects.count() == 500
    monkeypatch.setattr(imports, "_insert", real)
    r = upload(web, worker, content, name="f.csv", mode="good_rows_only")
    assert r.status_code == 201 and r.json["imported"] == 200 and r.json["bad_row_count"] == 500
    assert Household.objects.count() == 700


def pending() -> int:
    return Household._get_collection().count_documents({"outbox_pending": True})


def test_an_imports_events_are_held_until_it_commits_then_released_together(web, worker, monkeypatch):
    real, seen = imports._insert, []

    def look_before_each_batch(collection, docs, *, ordered):
        seen.append((Household.objects.count(), pending()))
        return real(collection, docs, ordered=ordered)

    monkeypatch.setattr(imports, "_insert", look_before_each_batch)
    monkeypatch.setattr(imports, "BATCH", 50)
    r = upload(web, worker, sheet(rows_for(120), "csv"), name="f.csv")
    assert r.status_code == 201, r.json
    assert seen == [(0, 0), (50, 0), (100, 0)]   # written, none of their events visible to the relay
    assert pending() == 120                      # committed: all released at once
    journal = import_journal.ImportJournal.objects.get(pk=r.json["import_id"])
    assert (journal.state, journal.released, len(journal.household_ids)) == ("committed", True, 120)


def test_taking_an_import_back_deletes_held_households_and_withdraws_one_an_edit_released(web, worker,
                                                                                         monkeypatch):
    real, calls = imports._insert, []

    def edit_then_fail(collection, docs, *, ordered):
        calls.append(len(docs))
        if len(calls) == 2:
            # someone edited a household of the first batch meanwhile: the edit released its events
            first = collection.find_one({"outbox_pending": False}, {"_id": 1})["_id"]
            collection.update_one({"_id": first}, {"$set": {"outbox_pending": True}})
            raise AutoReconnect("connection reset")
        return real(collection, docs, ordered=ordered)

    monkeypatch.setattr(imports, "_insert", edit_then_fail)
    monkeypatch.setattr(imports, "BATCH", 50)
    r = upload(web, worker, sheet(rows_for(70), "csv"), name="f.csv")
    assert r.status_code == 503 and "the 50 household(s) written were taken back (1 already announced" \
        in r.json["message"]
    [left] = Household.objects()
    assert left.status == "left" and left.active_address is None
    assert [e.type for e in left.outbox][0] == "household.registered" and left.outbox[-1].type == "household.left"
    assert import_journal.ImportJournal.objects.get().state == "undone"


def dead_owner() -> str:
    """The owner tag of a process of this host that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    tag = f"{socket.gethostname()}:{proc.pid}:1"
    proc.wait()
    return tag


def half_written(*, households: int, state: str, owner: str) -> list:
    """What a process killed part-way through an import leaves: held households and their journal."""
    from services.households.models import Grid

    actor = Principal(user_id="w-1", role="grid_worker", grid_ids=(GRID,))
    import_id = f"killed-{state}"
    import_journal.start(import_id=import_id, grid=Grid.objects.get(pk=GRID), actor=actor,
                                   mode="all_or_nothing")
    parsed = register_sheet.read_register(io.BytesIO(sheet(rows_for(households), "csv")))
    docs = [imports.household_document(grid=Grid.objects.get(pk=GRID), actor=actor, import_id=import_id,
                                        data=HouseholdCreate().load(imports._payload(rows, GRID)))
            for rows in parsed.households.values()]
    import_journal.record(import_id=import_id, ids=[d["_id"] for d in docs])
    Household._get_collection().insert_many(docs[: households // 2])   # killed in the middle of the batch
    if state == "committed":
        Household._get_collection().insert_many(docs[households // 2:])
        import_journal.ImportJournal.objects(pk=import_id).update_one(set__state="committed")
    import_journal.ImportJournal.objects(pk=import_id).update_one(set__owner=owner)
    return [d["_id"] for d in docs]


def test_an_import_whose_process_died_is_taken_back_when_the_api_starts(app, worker, mongo_url):
    half_written(households=40, state="running", owner=dead_owner())
    assert Household.objects.count() == 20 and pending() == 0
    create_app(TestConfig("households", mongo_url=mongo_url, run_id=app.config["MONGO_DB"].split("_")[1]))
    assert Household.objects.count() == 0
    assert import_journal.ImportJournal.objects.get().state == "undone"


def test_a_committed_import_whose_process_died_before_releasing_is_released(worker):
    ids = half_written(households=40, state="committed", owner=dead_owner())
    assert pending() == 0
    assert import_journal.recover(stale_after_s=120) == {"undone": 0, "released": 1}
    assert pending() == 40 and Household.objects(pk__in=ids, status="active").count() == 40


def test_an_import_still_running_elsewhere_is_left_alone(worker):
    half_written(households=10, state="running", owner=import_journal.this_process())
    assert import_journal.recover(stale_after_s=120) == {"undone": 0, "released": 0}
    import_journal.ImportJournal.objects.update(set__owner="another-host:1:1")    # silent on another host:
    assert import_journal.recover(stale_after_s=120) == {"undone": 0, "released": 0}   # alive while it beats
    assert import_journal.recover(stale_after_s=0) == {"undone": 1, "released": 0}
    assert Household.objects.count() == 0


def test_an_import_taken_back_as_stalled_while_still_writing_takes_back_what_it_wrote_since(web, worker,
                                                                                           monkeypatch):
    real, calls = imports._insert, []

    def stall_then_write(collection, docs, *, ordered):
        calls.append(len(docs))
        if len(calls) == 2:     # the second batch stalls long enough for recovery to take the import back
            assert import_journal.recover(stale_after_s=0) == {"undone": 1, "released": 0}
            assert Household.objects.count() == 0
        return real(collection, docs, ordered=ordered)      # and then lands

    monkeypatch.setattr(imports, "_insert", stall_then_write)
    monkeypatch.setattr(imports, "BATCH", 50)
    r = upload(web, worker, sheet(rows_for(120), "csv"), name="f.csv")
    assert r.status_code == 503 and "found stalled and taken back" in r.json["message"], r.json
    assert calls == [50, 50] and Household.objects.count() == 0
    assert import_journal.ImportJournal.objects.get().state == "undone"


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")                # a BOM, so Excel reads the Chinese right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def test_export_is_masked_unless_revealed_with_a_reason_which_is_recorded(web, worker, app):
    assert upload(web, worker, sheet(rows_for(20))).status_code == 201
    r = web.get(f"/grids/{GRID}/export", query_string={"format": "csv"}, headers=worker)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"] and r.headers["X-Households"] == "20"
    rows = read_csv(r.data)
    assert rows[0][:len(HEADER)] == HEADER and len(rows) == 1 + 39   # then the floating population's columns
    assert rows[1][9] == id_number(0)[:2] + "*" * 16 and rows[1][10] == "139********"
    r = web.get(f"/grids/{GRID}/export", headers=worker)    # XLSX by default
    assert r.mimetype == MIMETYPES["xlsx"]
    cells = read_xlsx(r.data)
    assert cells[0][:len(HEADER)] == HEADER and "*" in cells[1][9] and cells[1][8] is not None
    assert RevealRecord.objects.count() == 0

    mediator = headers_for(app, role="mediator", grids=[GRID])
    assert web.get(f"/grids/{GRID}/export", headers=mediator).status_code == 200
    assert web.post(f"/grids/{GRID}/export", json={"format": "csv", "reason": "核对"}, headers=mediator).status_code == 403
    r = web.post(f"/grids/{GRID}/export", json={"format": "csv"}, headers=worker)
    assert r.status_code == 422 and "reason" in r.json["fields"]

    r = web.post(f"/grids/{GRID}/export", json={"format": "csv", "reason": "低保年审核对"}, headers=worker)
    assert r.status_code == 200
    rows = read_csv(r.data)
    assert rows[1][9] == id_number(0) and rows[1][10] == "13900000000"
    records = RevealRecord.objects(grid_id=GRID)
    assert records.count() == 20 and {(x.user_id, x.reason) for x in records} == {("w-1", "[导出] 低保年审核对")}
    hid = str(Household.objects.first().pk)
    assert web.get(f"/households/{hid}/reveals", headers=worker).json[0]["reason"] == "[导出] 低保年审核对"
    exports = RegisterExport.objects(grid_id=GRID).order_by("at")
    assert [(e.masked, e.format, e.households) for e in exports] == [
        (True, "csv", 20), (True, "xlsx", 20), (True, "xlsx", 20), (False, "csv", 20)]


def test_export_escapes_values_a_spreadsheet_would_run(web, worker):
    body = household(GRID, 3)
    body["address"]["building"] = "=HYPERLINK(\"http://evil\")"
    body["residents"][0]["name"] = "@SUM(1)"
    assert web.post("/households", json=body, headers=worker).status_code == 201
    rows = read_csv(web.get(f"/grids/{GRID}/export?format=csv", headers=worker).data)
    assert rows[1][0] == "'=HYPERLINK(\"http://evil\")" and rows[1][6] == "'@SUM(1)"
    book = load_workbook(io.BytesIO(web.get(f"/grids/{GRID}/export", headers=worker).data))
    cell = book.active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def snapshot(grid_id: str) -> set:
    """A grid's households as comparable values, ignoring ids and resident order."""
    out = set()
    for h in Household.objects(grid_id=grid_id, status="active"):
        residents = frozenset((r.name, r.gender, r.birth_date, r.id_number, r.phone, r.relation,
                               frozenset(t.tag for t in r.care_tags)) for r in h.residents)
        out.add((h.address.building, h.address.unit, h.address.room, h.residency, h.moved_in_on, h.phone, residents))
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imports_again_into_the_same_register(web, worker, fmt):
    assert upload(web, worker, sheet(rows_for(60))).status_code == 201
    original = snapshot(GRID)
    assert len(original) == 60

    masked = web.get(f"/grids/{GRID}/export?format={fmt}", headers=worker).data
    r = upload(web, worker, masked, grid=OTHER_GRID, name=f"x.{fmt}")
    assert r.status_code == 422
    assert any("masked ID number" in b["reason"] for b in r.json["report"]["bad_rows"])

    full = web.post(f"/grids/{GRID}/export", json={"format": fmt, "reason": "迁移到新网格"}, headers=worker).data
    r = upload(web, worker, full, grid=OTHER_GRID, name=f"x.{fmt}")
    assert r.status_code == 201, r.json
    assert r.json["imported"] == 60 and r.json["bad_rows"] == []
    assert snapshot(OTHER_GRID) == original


def test_upload_copies_a_killed_api_left_behind_are_removed_when_the_api_starts(households_config):
    import os
    import tempfile
    import time
    from pathlib import Path

    folder = Path(tempfile.gettempdir())
    stale = folder / f"{imports.UPLOAD_COPY_PREFIX}killed-{os.getpid()}.upload"
    fresh = folder / f"{imports.UPLOAD_COPY_PREFIX}reading-{os.getpid()}.upload"
    for path in (stale, fresh):
        path.write_text("楼栋,单元,房号,姓名,身份证号\n1栋,1单元,101,张三,110101199001011234\n")
    old = time.time() - households_config.IMPORT_PARSE_TIMEOUT_S - 120
    os.utime(stale, (old, old))
    try:
        create_app(households_config)
        assert not stale.exists()  # older than any parse can last: its process is gone
        assert fresh.exists()      # may be another worker's parse under way
    finally:
        stale.unlink(missing_ok=True)
        fresh.unlink(missing_ok=True)
        drop_database(households_config.MONGO_URL, households_config.MONGO_DB)
