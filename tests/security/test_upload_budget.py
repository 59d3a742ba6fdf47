"""Proves: an upload costs the households API a bounded amount of memory and time however it is crafted.

Each hostile workbook or CSV below is posted to the import (the API in this process, its database the real
MongoDB-wire server) and must be answered 413 or 422, with nothing written, by a parse given 5 s (a slower one is
ended and answered 413 as too slow: the time is bounded by the mechanism, not by a stopwatch here), while this process's
peak resident memory (VmHWM, reset before the posts) grows by less than 100 MB. Before the budget, the first
bomb (shared strings stored under xl/worksheets/, so the 32 MB part limit took it for a streamed sheet) cost
about 330 MB per 5 MB upload. The parse itself runs in a child process with a memory ceiling: a function
that asks for 2 GB there ends only the child, answered as a file too large to read.
"""
import io
import time
import zipfile

import pytest

from services.households.models import Household
from services.households.sheets.parse_child import run_limited
from services.households.sheets.xlsx_budget import TooLarge
from tests.integration.households.test_households_import import app, config, rows_for, sheet, upload, web, worker  # noqa: F401
from tests.support.memory import peak_rss_mb, reset_peak_rss

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEADER_ROW = ('<row r="1">' + "".join(f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>' for col, name in zip(
    "ABCDEFGHIJKLM", ["楼栋", "单元", "房号", "户籍类型", "户主姓名", "与户主关系", "姓名", "性别", "出生日期", "身份证号",
                      "联系电话", "关爱类型", "入住日期"])) + "</row>")
MAX_ROWS = 2000     # the import's row limit in these tests: its workbook budget is 100,000 cells and strings


def workbook(sheet_rows, *, strings_at: str | None = None, strings=(), extra_parts: int = 0,
             padding: int = 0) -> bytes:
    """An XLSX built part by part: the sheet's rows, shared strings stored at `strings_at`, tiny extra
    parts, and `padding` bytes of blanks in the sheet (a part that packs ~1000 to 1)."""
    overrides = [("/xl/workbook.xml", f"{TYPE}.sheet.main+xml"), ("/xl/worksheets/sheet1.xml", f"{TYPE}.worksheet+xml")]
    rels = [("rId1", f"{DOC}/worksheet", "worksheets/sheet1.xml")]
    if strings_at:
        overrides.append((f"/{strings_at}", f"{TYPE}.sharedStrings+xml"))
        overrides.append((f"/{strings_at}", f"{TYPE}.worksheet+xml"))     # and again as a sheet: both count
        rels.append(("rId2", f"{DOC}/sharedStrings", strings_at.removeprefix("xl/")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides) + "</Types>")
        z.writestr("_rels/.rels", f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
                                  f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
                                      f'<sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{RELS}">' + "".join(
            f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in rels) + "</Relationships>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER_ROW}'.encode())
            for chunk in sheet_rows:
                part.write(chunk.encode())
            for _ in range(padding // 2**20):
                part.write(b" " * 2**20)
            part.write(b"</sheetData></worksheet>")
        if strings_at:
            with z.open(strings_at, "w", force_zip64=True) as part:
                part.write(f'<sst xmlns="{MAIN}">'.encode())
                for chunk in strings:
                    part.write(chunk.encode())
                part.write(b"</sst>")
        for n in range(extra_parts):
            z.writestr(f"xl/media/p{n}.xml", "<x/>")
    return out.getvalue()


def numbered_rows(first: int, count: int, width: int = 13) -> str:
    return "".join(f'<row r="{r}">' + "".join(f'<c r="{chr(65 + i)}{r}"><v>{r * 31 + i}</v></c>' for i in range(width))
                   + "</row>" for r in range(first, first + count))


def strings_of(count: int, size: int):
    """`count` shared strings of about `size` characters, varied enough to pack only ~20 to 1."""
    for start in range(0, count, 1000):
        yield "".join(f"<si><t>{n:08x}{'户' * (size - 8)}</t></si>" for n in range(start, min(count, start + 1000)))


def bombs() -> dict[str, tuple[bytes, str]]:
    """name: (file, file name); each is refused however its parts are named."""
    return {
        # the measured attack: ~40 MB of shared strings stored where worksheets live, under a sheet's name
        # (and declared a second time as a worksheet; openpyxl reads it as shared strings all the same)
        "shared strings under xl/worksheets/": (workbook([numbered_rows(2, 10)], strings_at="xl/worksheets/sheet2.xml",
                                                          strings=strings_of(260_000, 60)), "a.xlsx"),
        "a part of 250 MB of blanks": (workbook([numbered_rows(2, 10)], padding=250 * 2**20), "b.xlsx"),
        "20,000 parts": (workbook([numbered_rows(2, 10)], extra_parts=20_000), "c.xlsx"),
        "150,000 cells": (workbook(numbered_rows(r, 1000) for r in range(2, 11_600, 1000)), "d.xlsx"),
        "120,000 small shared strings": (workbook([numbered_rows(2, 10)], strings_at="xl/sharedStrings.xml",
                                                  strings=strings_of(120_000, 9)), "e.xlsx"),
        "a CSV row of 3,000,000 empty cells": (",".join(["楼栋,房号,户籍类型,与户主关系,姓名"]).encode()
                                               + b"\n1,2,3,4,5" + b"," * 3_000_000 + b"\n", "f.csv"),
        "a CSV of 1,100,000 blank lines": ("楼栋,房号,户籍类型,与户主关系,姓名\n".encode() + b"\n" * 1_100_000, "g.csv"),
    }


def test_crafted_uploads_are_refused_fast_and_cheaply(web, worker, app, config):
    config.MAX_IMPORT_ROWS = MAX_ROWS
    config.IMPORT_PARSE_TIMEOUT_S = 5.0
    files = bombs()
    assert max(len(content) for content, _ in files.values()) < app.config["MAX_UPLOAD_BYTES"]
    upload(web, worker, sheet(rows_for(3), "csv"), name="warm.csv", dry_run=True)   # the fork server starts
    reset_peak_rss()
    baseline = peak_rss_mb()
    answers = {}
    for name, (content, filename) in files.items():
        began = time.perf_counter()
        r = upload(web, worker, content, name=filename)
        answers[name] = (r.status_code, round(time.perf_counter() - began, 2), r.json["fields"]["file"][0][:90])
    grown = peak_rss_mb() - baseline
    print("\n[upload budget] " + "\n[upload budget] ".join(f"{name}: {answer}" for name, answer in answers.items())
          + f"\n[upload budget] peak RSS of the API process grew {grown:.0f} MB")
    for name, (status, seconds, message) in answers.items():
        assert status in (413, 422), (name, status, seconds, message)
    assert grown < 100, f"{grown:.0f} MB"
    assert Household.objects.count() == 0


def test_a_register_within_the_budget_still_imports(web, worker, config):
    config.MAX_IMPORT_ROWS = MAX_ROWS
    r = upload(web, worker, sheet(rows_for(300)), dry_run=True)
    assert r.status_code == 200 and r.json["rows"] == 600 and r.json["bad_row_count"] == 0


def hog(megabytes: int) -> int:
    return len(bytearray(megabytes * 2**20))


def test_a_parse_that_asks_for_too_much_memory_ends_only_its_child():
    reset_peak_rss()
    baseline = peak_rss_mb()
    with pytest.raises(TooLarge, match="more than 256 MB of memory"):
        run_limited(hog, megabytes=2048, memory_bytes=256 * 2**20, timeout_s=30, what="file")
    assert peak_rss_mb() - baseline < 50
    assert run_limited(hog, megabytes=10, memory_bytes=256 * 2**20, timeout_s=30, what="file") == 10 * 2**20
