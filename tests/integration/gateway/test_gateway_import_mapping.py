"""The import page with an office's own sheet: a select per column the register does not know (register columns
in Chinese, and 忽略), the choice carried into the real import without JS, and every row reason in Chinese.

Through the gateway's test client against the whole product (fixture `s`: tests/integration/gateway/conftest.py)."""
import io
import re

from tests.support.data import id_number
from tests.support.data import xlsx as sheet
from tests.support.pages import signed_in, text
from tests.support.stack import page_token

OWN = ["楼栋", "单元", "房号", "姓名", "性别", "身份证号", "联系电话", "与户主关系", "户籍类型", "帮扶类别", "入住日期", "备注"]


def xlsx(rows: list[list], header=OWN) -> bytes:
    return sheet(header, rows, title="人口台账")


def good_rows(building: str, seed: int) -> list[list]:
    return [[building, "1单元", "101", "王一", "男", id_number(seed), "13900000001", "户主", "常住", "孤寡老人", "2019-03-01",
             "已走访"],
            [building, "1单元", "102", "王二", "女", id_number(seed + 1), None, "户主", "外来", "低保户、残疾人", None, None]]


def post(c, grid: str, content: bytes, *, dry_run: bool, choices: dict | None = None, mode="all_or_nothing"):
    data = {"csrf_token": page_token(c, f"/grids/{grid}/import"), "mode": mode,
            "file": (io.BytesIO(content), "台账.xlsx")}
    if dry_run:
        data["dry_run"] = "y"
    for i, (header, choice) in enumerate((choices or {}).items()):
        data[f"map-header-{i}"], data[f"map-{i}"] = header, choice
    return c.post(f"/grids/{grid}/import", content_type="multipart/form-data", data=data)


def selects(page: str) -> dict[str, list[str]]:
    """{header: [option labels]} of the column choices on the page."""
    out = {}
    for header, body in re.findall(r'<label for="map-\d+">([^<]+)</label>\s*<select[^>]*>(.*?)</select>', page, re.S):
        out[header] = re.findall(r">([^<]+)</option>", body)
    return out


def test_the_import_page_offers_a_choice_per_unknown_column_and_carries_it_into_the_import(s):
    c = signed_in(s, "staff-c1")
    content = xlsx(good_rows("50栋", 501))

    # the check (the form's default): the full report, and a select per unknown column
    r = post(c, "g2", content, dry_run=True)
    page = text(r)
    assert r.status_code == 200, page
    assert "表格中的列" in page and "重新选择文件" in page
    offered = selects(page)
    assert set(offered) == {"帮扶类别", "备注"}
    assert {"请选择…", "忽略此列", "重点关爱", "户主姓名"} <= set(offered["帮扶类别"])
    assert "楼栋" not in offered["帮扶类别"]          # the file has 楼栋 already
    assert "读取的行数" in page or "导入报告" in page

    # the real import without a choice: refused, naming the columns, in Chinese
    r = post(c, "g2", content, dry_run=False, choices={"帮扶类别": "", "备注": ""})
    page = text(r)
    assert r.status_code == 422
    assert "台账不认识这些列：帮扶类别、备注" in page and "unknown columns" not in page
    assert set(selects(page)) == {"帮扶类别", "备注"}

    # the choice carried into the real import, no JS: posted with the file again
    r = post(c, "g2", content, dry_run=False, choices={"帮扶类别": "care_tags", "备注": "-"})
    page = text(r)
    assert r.status_code == 200, page
    assert "已导入户数" in page and "帮扶类别 → 重点关爱" in page and "备注 → 忽略此列" in page
    remembered = s.households_call("GET", "/communities/c1/import-mapping").json()
    assert remembered["mapping"] == {"帮扶类别": "care_tags", "备注": None}
    found = s.households_call("GET", "/households", params={"grid_id": "g2", "q": "王二"}).json()
    assert found["total"] == 1

    # the next upload of the community: the remembered mapping applies, shown preselected
    r = post(c, "g2", xlsx(good_rows("51栋", 511)), dry_run=True)
    page = text(r)
    assert r.status_code == 200 and "帮扶类别 → 重点关爱" in page
    assert re.search(r'<option value="care_tags" selected>重点关爱</option>', page)


def test_bad_rows_read_in_chinese_on_the_import_page(s):
    c = signed_in(s, "staff-c1")
    rows = good_rows("60栋", 601)
    rows[0][5] = rows[0][5][:17] + ("0" if rows[0][5][17] != "0" else "1")     # a wrong check digit
    rows[1][8] = "火星"                                                           # no such residency
    rows[1][9] = "低保户、外星人"                                                   # no such care type
    rows.append(["60栋", "1单元", "103", "王三", "男", id_number(603), "1390000", "户主", "户籍", None, "2019-02-30", None])
    content = xlsx(rows)
    choices = {"帮扶类别": "care_tags", "备注": "-"}
    english = s.households_call("POST", "/grids/g2/import", data={"dry_run": "true", "mapping":
                                '{"帮扶类别": "care_tags", "备注": null}'},
                                files={"file": ("f.xlsx", content)}).json()
    assert {b["row"] for b in english["bad_rows"]} == {2, 3, 4}, english

    r = post(c, "g2", content, dry_run=False, choices=choices)
    page = text(r)
    assert r.status_code == 422, page
    assert "第 2 行" in page and "身份证号校验位不对" in page
    assert "第 3 行" in page and "火星" in page and "户籍、流动" in page and "外星人" in page
    assert "第 4 行" in page
    for problem in english["bad_rows"]:                 # no reason the service gave in English reaches the page
        assert problem["reason"] not in page, problem
    shown = re.sub(r"<[^>]+>", " ", page.split('<section class="card report">', 1)[1].split("</section>", 1)[0])
    assert not re.search(r"[A-Za-z]{3,}", shown.replace("xlsx", "")), shown      # not a word of English
