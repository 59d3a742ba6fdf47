"""The import pages: an upload becomes a job whose page shows its progress (refreshing itself without JS) and then
its report; an office's own sheet gets a select per column the register does not know (register columns in
Chinese, and 忽略), the choice carried into the real import without JS, and every row reason in Chinese.

Through the gateway's test client against the whole product (fixture `s`: tests/integration/gateway/conftest.py)."""
import io
import re

from tests.support.broker import wait_until
from tests.support.data import id_number
from tests.support.data import xlsx as sheet
from tests.support.pages import signed_in, text
from tests.support.stack import page_token

JOB_PAGE = re.compile(r"/grids/[A-Za-z0-9_-]+/imports/[A-Za-z0-9_-]+")
REFRESH = '<meta http-equiv="refresh" content="2">'
STATES = ("queued", "reading", "checking", "writing", "done", "failed")

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


def ended(c, posted):
    """The job page a taken-on upload redirects to, reloaded as a phone without scripts does (its refresh) until
    the job has ended: that last page."""
    assert posted.status_code == 303, text(posted)
    location = posted.headers["Location"]
    assert JOB_PAGE.fullmatch(location), location

    def page_once_ended():
        page = c.get(location)
        assert page.status_code == 200, text(page)
        return None if REFRESH in text(page) else page
    return wait_until(page_once_ended, timeout=60, interval=0.2)


def imported(c, grid: str, content: bytes, **form):
    return ended(c, post(c, grid, content, **form))


def service_report(s, grid: str, content: bytes, mapping: str) -> dict:
    """The households service's own report of a check (its English reasons), from its job's outcome."""
    r = s.households_call("POST", f"/grids/{grid}/import", data={"dry_run": "true", "mapping": mapping},
                          files={"file": ("f.xlsx", content)})
    assert r.status_code == 202, r.text

    def outcome():
        return s.households_call("GET", r.headers["Location"]).json()["outcome"]
    return wait_until(outcome, timeout=60, interval=0.1)["body"]


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
    r = imported(c, "g2", content, dry_run=True)
    page = text(r)
    assert "表格中的列" in page and "重新选择文件" in page
    offered = selects(page)
    assert set(offered) == {"帮扶类别", "备注"}
    assert {"请选择…", "忽略此列", "重点关爱", "户主姓名"} <= set(offered["帮扶类别"])
    assert "楼栋" not in offered["帮扶类别"]          # the file has 楼栋 already
    assert "读取的行数" in page or "导入报告" in page

    # the real import without a choice: refused, naming the columns, in Chinese
    page = text(imported(c, "g2", content, dry_run=False, choices={"帮扶类别": "", "备注": ""}))
    assert "未完成" in page and "台账不认识这些列：帮扶类别、备注" in page and "unknown columns" not in page
    assert set(selects(page)) == {"帮扶类别", "备注"}

    # the choice carried into the real import, no JS: posted with the file again
    page = text(imported(c, "g2", content, dry_run=False, choices={"帮扶类别": "care_tags", "备注": "-"}))
    assert "已完成" in page and "已导入户数" in page and "帮扶类别 → 重点关爱" in page and "备注 → 忽略此列" in page
    remembered = s.households_call("GET", "/communities/c1/import-mapping").json()
    assert remembered["mapping"] == {"帮扶类别": "care_tags", "备注": None}
    found = s.households_call("GET", "/households", params={"grid_id": "g2", "q": "王二"}).json()
    assert found["total"] == 1

    # the next upload of the community: the remembered mapping applies, shown preselected
    page = text(imported(c, "g2", xlsx(good_rows("51栋", 511)), dry_run=True))
    assert "帮扶类别 → 重点关爱" in page
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
    english = service_report(s, "g2", content, mapping='{"帮扶类别": "care_tags", "备注": null}')
    assert {b["row"] for b in english["bad_rows"]} == {2, 3, 4}, english

    page = text(imported(c, "g2", content, dry_run=False, choices=choices))
    assert "未完成" in page and "第 2 行" in page and "身份证号校验位不对" in page
    assert "第 3 行" in page and "火星" in page and "户籍、流动" in page and "外星人" in page
    assert "第 4 行" in page
    for problem in english["bad_rows"]:                 # no reason the service gave in English reaches the page
        assert problem["reason"] not in page, problem
    shown = re.sub(r"<[^>]+>", " ", page.split('<section class="card report">', 1)[1].split("</section>", 1)[0])
    assert not re.search(r"[A-Za-z]{3,}", shown.replace("xlsx", "")), shown      # not a word of English


def test_an_upload_is_a_job_whose_page_and_progress_end_in_its_report(s):
    c = signed_in(s, "staff-c1")
    rows = good_rows("80栋", 801) + good_rows("81栋", 811)
    posted = post(c, "g2", xlsx(rows), dry_run=False, choices={"帮扶类别": "care_tags", "备注": "-"})
    assert posted.status_code == 303, text(posted)
    location = posted.headers["Location"]
    assert JOB_PAGE.fullmatch(location) and location.startswith("/grids/g2/imports/"), location

    # what the page's script polls: the state and the counts, each only growing, and nothing of a resident
    seen = []

    def progress_once_ended():
        r = c.get(location + ".json")
        assert r.status_code == 200, text(r)
        seen.append(r.json)
        return r.json if r.json["finished"] else None
    last = wait_until(progress_once_ended, timeout=60, interval=0.05)
    assert set(last) == {"state", "state_label", "finished", "percent", "lines", "rows_read", "rows_checked",
                         "households_total", "households_written"}
    assert last["state"] == "done" and last["state_label"] == "已完成" and last["percent"] == 100
    assert (last["rows_read"], last["rows_checked"], last["households_total"], last["households_written"]) == (4, 4, 4, 4)
    for key in ("rows_read", "rows_checked", "households_written"):
        values = [p[key] for p in seen]
        assert values == sorted(values), (key, values)
    states = [STATES.index(p["state"]) for p in seen]
    assert states == sorted(states), [p["state"] for p in seen]                  # never backwards
    for p in seen:
        shown = str(p)
        assert not any(secret in shown for row in rows for secret in (row[3], row[5], row[6]) if secret), shown

    # the page (as a phone without scripts reloads it): no refresh once ended, the report, the form again
    page = text(ended(c, posted))
    assert "已完成" in page and "已导入户数" in page and "已读取 4 行，已检查 4 行" in page and "已写入 4 / 4 户" in page
    assert REFRESH not in page and "data-import-job" not in page
    assert 'action="/grids/g2/import"' in page and 'type="file"' in page

    # the import page lists it, linking to its page
    listed = text(c.get("/grids/g2/import"))
    assert "最近的导入" in listed and f'href="{location}"' in listed and "已完成" in listed


def test_a_job_is_shown_only_on_its_own_grid_and_within_the_users_area(s):
    staff = signed_in(s, "staff-c1")
    location = ended(staff, post(staff, "g2", xlsx(good_rows("90栋", 901)), dry_run=True)).request.path
    job_id = location.rsplit("/", 1)[1]
    assert staff.get(f"/grids/g1/imports/{job_id}").status_code == 404          # another grid of theirs
    assert staff.get(f"/grids/g1/imports/{job_id}.json").status_code == 404
    assert staff.get("/grids/g2/imports/0123456789abcdef").status_code == 404   # no such job
    worker = signed_in(s, "worker-g1")                                           # g2 is not the worker's
    for path in (location, location + ".json", "/grids/g1/imports/" + job_id):
        assert worker.get(path).status_code == 404, path
    assert job_id not in text(worker.get("/grids/g1/import"))


def test_what_the_service_refuses_at_once_comes_back_on_the_form_without_a_job(s):
    c = signed_in(s, "staff-c1")
    jobs = s.households_call("GET", "/grids/g2/imports").json()["total"]
    r = post(c, "g2", xlsx(good_rows("95栋", 951)), dry_run=True, choices={"帮扶类别": "no_such_column", "备注": "-"})
    page = text(r)
    assert r.status_code == 422, page
    assert "帮扶类别：台账没有这一列" in page and "列对应" in page          # the field named, in Chinese
    assert 'type="file"' in page and REFRESH not in page
    assert s.households_call("GET", "/grids/g2/imports").json()["total"] == jobs  # nothing queued
