"""Reading a register sheet: columns, cells, files that are not sheets, households, limits. No servers."""
import csv
import io
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook

from services.households.service import imports as t
from services.households.service.exports import safe_cell, sheet_rows
from services.households.sheets import register as rs
from services.households.sheets.xlsx_budget import Budget, TooLarge
from shared.errors import Invalid
from shared.validators import id_check_char

HEADER = ["楼栋", "单元", "房号", "户籍类型", "户主姓名", "与户主关系", "姓名", "性别", "出生日期", "身份证号", "联系电话",
          "关爱类型", "入住日期"]


def id_number(seed: int) -> str:
    """A valid, unique ID number for any seed."""
    first17 = f"110105{(date(1930, 1, 1) + timedelta(days=seed // 1000)):%Y%m%d}{seed % 1000:03d}"
    return first17 + id_check_char(first17)


def rows_for(households: int, *, start: int = 0) -> list[list]:
    """Sheet rows (no header): household h has 1 + h % 3 residents, head first."""
    out = []
    for h in range(start, start + households):
        for k in range(1 + h % 3):
            seed = h * 3 + k
            out.append([f"{h // 100 + 1}栋", f"{h % 100 // 25 + 1}单元", str(101 + h % 25), "户籍" if h % 4 else "流动",
                        f"户主{h}", ("户主", "配偶", "子女")[k], f"户主{h}" if k == 0 else f"居民{h}-{k}",
                        "男" if k != 1 else "女", "1960-05-01", id_number(seed), f"139{seed:08d}",
                        "空巢老人、低保" if h % 7 == 0 and k == 0 else "", "2019-03-01"])
    return out


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig", delimiter=",") -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode(encoding))


def xlsx_bytes(rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def parse(stream, grid_id="G1", **kw) -> rs.ParsedFile:
    parsed = rs.read_register(stream, **kw)
    t.validate_households(parsed, grid_id=grid_id)
    return parsed


def bad(parsed) -> dict[int, set[str]]:
    return {row: {parsed.column(key) for key, _ in problems} for row, problems in parsed.bad.items()}


def reasons(parsed, row) -> str:
    return " | ".join(reason for _, reason in parsed.bad[row])


# ---- columns ---------------------------------------------------------------------------------------

def test_chinese_and_english_headers_map_to_the_same_columns():
    positions, _ = rs.map_header(HEADER)
    assert positions == {key: i for i, key in enumerate(rs.KEYS[:len(HEADER)])}   # the floating columns are optional
    english = ["building", "unit", "room", "residency", "head_name", "relation", "name", "gender", "birth_date",
               "id_number", "phone", "care_tags", "moved_in_on"]
    assert rs.map_header(english)[0] == positions
    decorated = ["序号", "*楼栋", "单元", "房号 ", "户籍类型", "与户主关系", "姓名（必填）", "身份证号码(18位)", "Phone"]
    positions, texts = rs.map_header(decorated)
    assert set(positions) == {"building", "unit", "room", "residency", "relation", "name", "id_number", "phone"}
    assert texts["id_number"] == "身份证号码(18位)" and positions["building"] == 1


def test_missing_unknown_and_doubled_columns_are_named():
    with pytest.raises(Invalid) as exc:
        rs.map_header(["楼栋", "单元", "姓名", "备注", "姓名"])
    message = exc.value.message
    assert exc.value.field == "file"
    assert "missing columns: 房号、户籍类型、与户主关系" in message
    assert "unknown columns: 备注" in message and "columns given twice: 姓名" in message
    with pytest.raises(Invalid, match="none of the register's column names"):
        rs.map_header(["Name of the Rose", "Umberto Eco"])


# ---- cells -----------------------------------------------------------------------------------------

def row_of(**values):
    cells = [values.get(k) for k in rs.KEYS]
    return rs.parse_row(cells, {k: i for i, k in enumerate(rs.KEYS)})


def test_cells_become_codes_and_iso_dates():
    values, problems = row_of(building="1栋", room=101.0, residency="流动", relation="妻子", name=" 李四 ",
                              gender="女", birth_date=datetime(1952, 3, 4), id_number="11010519500101001x",
                              phone=13800000001, care_tags="空巢老人，低保、low", moved_in_on="2020年1月2日")
    assert problems == [("care_tags", problems[0][1])] and "unknown care type 'low'" in problems[0][1]
    got = dict(zip(rs.KEYS, values))
    assert got["room"] == "101" and got["residency"] == "floating" and got["relation"] == "spouse"
    assert got["name"] == "李四" and got["gender"] == "female" and got["birth_date"] == "1952-03-04"
    assert got["id_number"] == "11010519500101001X" and got["phone"] == "13800000001"
    assert got["moved_in_on"] == "2020-01-02"
    values, problems = row_of(care_tags="空巢老人，低保、空巢", birth_date="19520304", moved_in_on="2020/1/2")
    got = dict(zip(rs.KEYS, values))
    assert got["care_tags"] == ("empty_nest", "subsistence") and got["birth_date"] == "1952-03-04"
    assert got["moved_in_on"] == "2020-01-02" and problems == []


@pytest.mark.parametrize("column, value, reason", [
    ("phone", "=HYPERLINK(\"http://x\")", "formulas are not accepted"),
    ("name", "=1+1", "formulas are not accepted"),
    ("id_number", 110105195001010011, "stored as a number"),
    ("id_number", "1.10105E+17", "lost its last digits"),
    ("id_number", "11****************", "masked ID number"),
    ("phone", "138********", "masked phone"),
    ("relation", "外星人", "unknown value '外星人'"),
    ("residency", "外星", "use 户籍、流动"),
    ("gender", "未知", "use 男、女"),
    ("birth_date", "1950-02-30", "no such date"),
    ("birth_date", "last spring", "not a date"),
    ("name", "#N/A", "Excel error value"),
    ("building", datetime(2020, 1, 1), "a date where text is expected"),
])
def test_bad_cells_give_a_reason(column, value, reason):
    _, problems = row_of(**{column: value})
    assert [k for k, _ in problems] == [column]
    assert reason in problems[0][1]


def test_our_own_escaping_is_undone_on_import():
    values, problems = row_of(name="'=不是公式", building="'-1栋")
    got = dict(zip(rs.KEYS, values))
    assert problems == [] and got["name"] == "=不是公式" and got["building"] == "-1栋"


# ---- files -----------------------------------------------------------------------------------------

def test_csv_utf8_gb18030_and_utf16_tab_separated_read_alike():
    rows = rows_for(6)
    expected = parse(csv_bytes(rows)).households
    assert len(expected) == 6
    for stream in (csv_bytes(rows, encoding="utf-8"), csv_bytes(rows, encoding="gb18030"),
                   csv_bytes(rows, encoding="utf-16", delimiter="\t"), xlsx_bytes(rows)):
        parsed = parse(stream)
        assert parsed.households == expected and not parsed.bad


def test_rows_are_numbered_as_the_sheet_shows_them_and_blank_rows_skipped():
    rows = rows_for(3)
    rows.insert(2, [None] * 13)
    rows[4][9] = id_number(0)                       # the same ID number as the first resident (row 2)
    for stream in (xlsx_bytes(rows), csv_bytes([[c or "" for c in r] for r in rows])):
        parsed = parse(stream)
        assert parsed.rows == len(rows) - 1
        assert bad(parsed) == {6: {"身份证号"}}
        assert "the same ID number as row 2" in reasons(parsed, 6)


def test_xlsx_formula_cells_are_bad_rows():
    rows = rows_for(2)
    rows[1][10] = "=A1&B1"
    parsed = parse(xlsx_bytes(rows))
    assert bad(parsed) == {3: {"联系电话"}}
    assert reasons(parsed, 3) == rs.FORMULA


def test_households_must_agree_and_have_exactly_one_head():
    rows = rows_for(3)                              # households of 1, 2 and 3 residents: rows 2, 3-4, 5-7
    rows[1][5] = "子女"                              # household 1 has no 户主 (row 3)
    rows[4][5] = "户主"                              # household 2 gets a second 户主 (row 6)
    rows[5][3] = "流动" if rows[3][3] == "户籍" else "户籍"   # and a different 户籍类型 (row 7)
    rows[0][4] = "别人"                              # 户主姓名 is not the head's name (row 2)
    parsed = parse(xlsx_bytes(rows))
    assert bad(parsed) == {2: {"户主姓名"}, 3: {"与户主关系"}, 6: {"与户主关系"}, 7: {"户籍类型"}}
    assert "no row of the household at 1栋/1单元/102 is 户主" in reasons(parsed, 3)
    assert "a second 户主" in reasons(parsed, 6) and "first is row 5" in reasons(parsed, 6)
    report = t.make_report(parsed, mode=t.GOOD_ROWS_ONLY, dry_run=True)
    assert report["held_rows"] == [4, 5] and report["importable"] == 0 and report["bad_row_count"] == 4


def test_household_values_may_stand_on_one_row_only():
    rows = rows_for(3)                               # households of 1, 2 and 3 residents: rows 2, 3-4, 5-7
    rows[2][3] = rows[2][12] = ""                    # household 2: only the 户主's row says 户籍类型 and 入住日期
    rows[3][3] = rows[3][12] = ""                    # household 3: the 户主's row leaves them empty
    parsed = parse(csv_bytes(rows))
    assert not parsed.bad
    second, third = list(parsed.households.values())[1:]
    assert t._payload(second, "G1")["residency"] == t._payload(third, "G1")["residency"] == "registered"
    assert t._payload(third, "G1")["moved_in_on"] == "2019-03-01"
    rows[5][3] = "流动"
    assert bad(parse(csv_bytes(rows))) == {7: {"户籍类型"}}


def test_the_register_schemas_decide_field_rules():
    rows = rows_for(2)
    rows[0][9] = rows[0][9][:17] + ("0" if rows[0][9][17] != "0" else "1")   # wrong check character
    rows[1][10] = "12345"
    rows[2][6] = "名" * 41
    parsed = parse(csv_bytes(rows))
    assert bad(parsed) == {2: {"身份证号"}, 3: {"联系电话"}, 4: {"姓名"}}
    assert "check character" in reasons(parsed, 2)
    assert "mainland mobile" in reasons(parsed, 3)


def test_rows_without_an_address_and_values_without_a_header():
    rows = rows_for(1) + [["", "", "", "户籍", "", "户主", "某人"] + [""] * 6]
    rows[0].append("多出来的")
    parsed = parse(csv_bytes(rows))
    assert bad(parsed) == {2: {"file"}, 3: {"楼栋", "房号"}}


@pytest.mark.parametrize("content, reason", [
    (b"", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a spreadsheet"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00", "not a spreadsheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97–2003 (.xls)"),
    (b"PK\x03\x04 this is no zip at all", "damaged ZIP"),
    (b"\x01\x02\x03\x04\x05\x06garbage\x07\x08" * 10, "not a spreadsheet"),
    ("姓名,年龄\n张三,30\n".encode(), "wrong columns"),
    ("\n\n楼栋,房号\n".encode(), "row 1 is empty"),
    (",".join(HEADER).encode(), None),
])
def test_files_that_are_not_a_register_get_a_clear_answer(content, reason):
    if reason is None:
        parsed = rs.read_register(io.BytesIO(content))
        assert parsed.rows == 0
        return
    with pytest.raises(Invalid) as exc:
        rs.read_register(io.BytesIO(content))
    assert exc.value.field == "file" and reason in exc.value.message


def test_a_zip_that_is_not_a_workbook_and_a_workbook_that_unpacks_too_large():
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    docx.seek(0)
    with pytest.raises(Invalid, match="ZIP file but not an Excel workbook"):
        rs.read_register(docx)
    with pytest.raises(TooLarge, match="unpacks to"):
        rs.read_register(xlsx_bytes(rows_for(20)), budget=Budget(sheet_part=1000))


def test_too_many_rows_stops_while_streaming():
    with pytest.raises(Invalid, match="more than 50 rows"):
        rs.read_register(csv_bytes(rows_for(40)), max_rows=50)


def test_fifty_thousand_rows_are_read_or_refused_while_streaming():
    stream = csv_bytes(rows_for(25_001)[:50_000])         # 50,000 rows, 25,001 households
    with pytest.raises(Invalid, match="too many rows"):
        rs.read_register(stream, max_rows=40_000)
    stream.seek(0)
    parsed = rs.read_register(stream)                      # within the default limit
    assert parsed.rows == 50_000 and len(parsed.households) == 25_001


def test_memory_grows_with_the_rows_kept_not_with_the_file():
    """What a row costs once read: its parsed values only (about 1 KB), never the whole file as text."""
    peaks = {}
    for n in (500, 2_500):
        stream = csv_bytes(rows_for(n))
        tracemalloc.start()
        try:
            parsed = rs.read_register(stream)
            peaks[parsed.rows] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    (small, small_peak), (large, large_peak) = sorted(peaks.items())
    per_row = (large_peak - small_peak) / (large - small)
    assert per_row < 2_000, f"{per_row:.0f} bytes per row"


# ---- export ----------------------------------------------------------------------------------------

def stored(h: int) -> dict:
    """A household as MongoDB stores it."""
    return {"address": {"building": "=2栋", "unit": "1单元", "room": "101"}, "residency": "floating",
            "phone": "13900000000", "moved_in_on": datetime(2019, 3, 1),
            "residents": [
                {"name": "+子女", "relation": "child", "gender": "female", "birth_date": datetime(1990, 1, 1)},
                {"name": "户主", "relation": "head", "gender": "male", "id_number": id_number(h),
                 "care_tags": [{"tag": "disability"}, {"tag": "subsistence", "until": datetime(2000, 1, 1)}]},
            ]}


def test_export_rows_put_the_head_first_mask_and_use_the_import_labels():
    masked = list(sheet_rows(stored(5), masked=True))
    full = list(sheet_rows(stored(5), masked=False))
    assert [r[5] for r in full] == ["户主", "子女"]
    assert full[0][9] == id_number(5) and full[0][10] == "13900000000"      # the household phone for the head
    assert masked[0][9] == id_number(5)[:2] + "*" * 16 and masked[0][10] == "139********"
    assert full[0][11] == "残疾人" and full[1][11] is None                  # ended tags are not current
    assert full[0][3] == "流动" and full[0][4] == "户主" and full[1][8] == date(1990, 1, 1)
    assert masked[1][8] == "1990年"                                          # the year only, unless revealed


def test_formula_like_cells_are_escaped_and_read_back_unchanged():
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@x", "1", 5)] == ["'=1", "'+1", "'-1", "'@x", "1", 5]
    rows = [[safe_cell(v) for v in r] for r in sheet_rows(stored(5), masked=False)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    cells = list(load_workbook(out).active.iter_rows(values_only=True))
    assert cells[1][0] == "'=2栋" and cells[2][6] == "'+子女"                # text, not formulas
    out.seek(0)
    parsed = parse(out)
    assert not parsed.bad
    (household,) = parsed.households.values()
    assert household[0][rs.POS["building"]] == "=2栋" and household[1][rs.POS["name"]] == "+子女"
