"""An office's own register sheet: its column names and values known as aliases, the rest mapped (or ignored)
with the upload, the mapping remembered for the community and applied to its next uploads.

Through the households service's HTTP API against the stand-in MongoDB (fixtures: tests/integration/apps.py)."""
import io
import json
from datetime import date, timedelta

from services.households.models import Household, ImportMapping
from shared.validators import id_check_char
from tests.support.callers import headers_for
from tests.support.data import xlsx as sheet
from tests.support.imports import run_import

# a community office's register, measured: refused whole before ("unknown columns: 重点人群")
OFFICE = ["楼栋", "单元", "房号", "姓名", "性别", "身份证号", "联系电话", "与户主关系", "户籍类型", "重点人群", "入住日期"]
# the same office's sheet with a column of its own and a notes column: neither is a register name
OWN = ["楼栋", "单元", "房号", "姓名", "性别", "身份证号", "联系电话", "与户主关系", "户籍类型", "帮扶类别", "入住日期", "备注"]


def id_number(seed: int) -> str:
    first17 = f"110105{(date(1950, 1, 1) + timedelta(days=seed)):%Y%m%d}{seed % 1000:03d}"
    return first17 + id_check_char(first17)


def office_rows(households: int, *, building: str = "1栋", seed: int = 0, notes: bool = False) -> list[list]:
    """Two rows (户主 and 配偶) per household, care and residency written the way offices write them."""
    care = ("孤寡老人", "空巢老人、低保户", "残疾人，特困", "留守儿童;困境儿童", "优抚对象 / 烈军属", "")
    residency = ("常住", "户籍", "本地", "外来", "流动人口", "流动")
    rows = []
    for h in range(households):
        n = seed + h * 2
        rows.append([building, "1单元", str(101 + h), f"户主{n}", "男", id_number(n), f"139{n:08d}", "户主",
                     residency[h % 6], care[h % 6], "2019-03-01"])
        rows.append([building, "1单元", str(101 + h), f"配偶{n}", "女", id_number(n + 1), None, "配偶",
                     None, None, None])
    if notes:
        rows = [r + ["身份证复印件已收" if i % 2 == 0 else None] for i, r in enumerate(rows)]
    return rows


def xlsx(header: list[str], rows: list[list]) -> bytes:
    return sheet(header, rows, title="人口台账")


def upload(client, headers, content: bytes, grid: str, *, mapping=None, **form):
    data = {"file": (io.BytesIO(content), "台账.xlsx"), **{k: str(v).lower() for k, v in form.items()}}
    if mapping is not None:
        data["mapping"] = mapping if isinstance(mapping, str) else json.dumps(mapping, ensure_ascii=False)
    return run_import(client, grid, headers=headers, **data)


def staff(community: str) -> dict:
    return headers_for(role="community_staff", user_id=f"s-{community}", communities=[community])


def test_the_office_sheet_imports_as_the_office_heads_and_fills_it(client, district):
    r = upload(client, staff("C1"), xlsx(OFFICE, office_rows(6)), district["grid_a"])
    assert r.status_code == 201, r.json
    assert (r.json["imported"], r.json["residents"], r.json["bad_row_count"]) == (6, 12, 0)
    assert r.json["columns"]["care_tags"] == "重点人群" and r.json["unknown_columns"] == []
    by_room = {h.address.room: h for h in Household.objects(grid_id=district["grid_a"])}
    tags = {room: [t.tag for t in h.residents[0].care_tags] for room, h in by_room.items()}
    assert tags == {"101": ["elderly_alone"], "102": ["empty_nest", "subsistence"],
                    "103": ["disability", "extreme_poverty"], "104": ["left_behind_child", "child_in_difficulty"],
                    "105": ["entitled_group"], "106": []}
    assert {room: h.residency for room, h in by_room.items()} == {
        "101": "registered", "102": "registered", "103": "registered", "104": "floating", "105": "floating",
        "106": "floating"}


def test_more_of_the_names_offices_use_are_known():
    from services.households.sheets.register import read_header
    header = read_header(["幢", "单元号", "门牌", "人员姓名", "户主关系", "户口性质", "证件号码", "手机号", "特殊人群",
                          "迁入日期"])
    assert not header.refused and header.unknown == []
    assert set(header.positions) == {"building", "unit", "room", "name", "relation", "residency", "id_number",
                                     "phone", "care_tags", "moved_in_on"}
    for names in (["楼号", "房间号", "姓名", "与户主关系", "户籍类型", "身份证", "手机", "人员类别", "入住时间"],
                  ["楼栋号", "门牌号", "姓名", "关系", "户籍类型", "联系方式", "重点人群"]):
        assert read_header(names).unknown == [] and not read_header(names).missing


def test_unknown_columns_are_offered_in_a_dry_run_then_mapped_ignored_and_remembered(client, district):
    c1 = staff("C1")
    content = xlsx(OWN, office_rows(4, notes=True))

    # an import without a mapping: refused, naming both columns, with what each could be
    r = upload(client, c1, content, district["grid_a"])
    assert r.status_code == 422, r.json
    assert "帮扶类别" in r.json["fields"]["mapping"][0] and "备注" in r.json["fields"]["mapping"][0]
    assert r.json["field_reasons"]["mapping"][0]["code"] == "import.unmapped_columns"
    unknown = r.json["report"]["unknown_columns"]
    assert [u["header"] for u in unknown] == ["帮扶类别", "备注"]
    assert "care_tags" in unknown[0]["candidates"] and "building" not in unknown[0]["candidates"]
    assert Household.objects.count() == 0

    # the dry run: the full report, the unknown columns left out and listed; nothing written
    r = upload(client, c1, content, district["grid_a"], dry_run=True)
    assert r.status_code == 200, r.json
    assert (r.json["rows"], r.json["households"], r.json["importable"], r.json["written"]) == (8, 4, 4, False)
    assert [u["header"] for u in r.json["unknown_columns"]] == ["帮扶类别", "备注"] and r.json["bad_rows"] == []
    # a dry run with the mapping shows the mapping in force, still writing nothing
    mapping = {"帮扶类别": "care_tags", "备注": None}
    r = upload(client, c1, content, district["grid_a"], dry_run=True, mapping=mapping)
    assert r.status_code == 200 and r.json["mapping"] == mapping and r.json["unknown_columns"] == []
    assert r.json["ignored_columns"] == ["备注"] and Household.objects.count() == 0

    r = upload(client, c1, content, district["grid_a"], mapping=mapping)
    assert r.status_code == 201, r.json
    assert (r.json["imported"], r.json["residents"]) == (4, 8)
    head = Household.objects.get(grid_id=district["grid_a"], address__room="102").residents[0]
    assert [t.tag for t in head.care_tags] == ["empty_nest", "subsistence"]
    assert "身份证复印件已收" not in json.dumps(Household.objects.as_pymongo().first(), default=str)

    # remembered for the community
    r = client.get("/communities/C1/import-mapping", headers=c1)
    assert r.status_code == 200 and r.json["mapping"] == mapping and r.json["updated_by"] == "s-C1"
    # ... and applied to its next upload (another grid of the same community), nothing sent
    r = upload(client, c1, xlsx(OWN, office_rows(3, building="2栋", seed=100, notes=True)), district["grid_b"])
    assert r.status_code == 201, r.json
    assert r.json["imported"] == 3 and r.json["mapping"] == mapping
    # ... not to another community's
    c2 = staff("C2")
    r = upload(client, c2, xlsx(OWN, office_rows(2, building="3栋", seed=200, notes=True)),
               district["other_community_grid"])
    assert r.status_code == 422 and [u["header"] for u in r.json["report"]["unknown_columns"]] == ["帮扶类别", "备注"]
    assert client.get("/communities/C2/import-mapping", headers=c2).json["mapping"] == {}
    assert ImportMapping.objects.count() == 1


def test_bad_mappings_are_refused_on_the_mapping_field(client, district):
    c1 = staff("C1")
    content = xlsx(OWN, office_rows(2, notes=True))
    refusals = {
        "no such column": {"帮扶类别": "hobby", "备注": None},
        "twice": {"帮扶类别": "care_tags", "备注": "care_tags"},
        "not JSON": "{帮扶类别: care_tags",
        "not an object": "[1, 2]",
    }
    for why, mapping in refusals.items():
        r = upload(client, c1, content, district["grid_a"], mapping=mapping)
        assert r.status_code == 422, (why, r.json)
        assert "mapping" in r.json["fields"], (why, r.json)
    # onto a column the file already has by name: a register column given twice
    r = upload(client, c1, content, district["grid_a"], mapping={"帮扶类别": "phone", "备注": None})
    assert r.status_code == 422 and "联系电话、帮扶类别" in r.json["fields"]["mapping"][0]
    assert r.json["field_reasons"]["mapping"][0]["code"] == "import.mapped_twice"
    assert Household.objects.count() == 0 and ImportMapping.objects.count() == 0

    # through the API: checked the same way, then set and read back, for the caller's own community only
    for body in ({"mapping": {"帮扶类别": "hobby"}}, {"mapping": {"甲": "phone", "乙": "phone"}}, {"mapping": []}):
        r = client.put("/communities/C1/import-mapping", json=body, headers=c1)
        assert r.status_code == 422 and "mapping" in r.json["fields"], (body, r.json)
    r = client.put("/communities/C1/import-mapping", json={"mapping": {"帮扶类别": "care_tags", "备注": None}},
                   headers=c1)
    assert r.status_code == 200, r.json
    assert client.get("/communities/C1/import-mapping", headers=c1).json["mapping"] == {"帮扶类别": "care_tags",
                                                                                        "备注": None}
    assert client.put("/communities/C1/import-mapping", json={"mapping": {}}, headers=staff("C2")).status_code == 404
    assert client.get("/communities/C1/import-mapping", headers=staff("C2")).status_code == 404
    worker = headers_for(role="grid_worker", user_id="w-a", grids=[district["grid_a"]])
    assert client.get("/communities/C1/import-mapping", headers=worker).status_code == 404   # the community's
    assert client.get("/communities/C9/import-mapping", headers=headers_for(role="admin")).status_code == 404
    assert upload(client, c1, content, district["grid_a"]).status_code == 201     # the mapping set applies


def test_a_mapping_matches_headers_as_written_with_marks_and_notes():
    from services.households.sheets.register import check_mapping, read_header
    mapping = check_mapping({" 帮扶类别 ": "care_tags", "备注": None})
    assert mapping == {"帮扶类别": "care_tags", "备注": None}
    header = read_header(["*楼栋", "房号", "姓名", "与户主关系", "户籍类型", "帮扶类别（可多选）", "备注：", "序号"], mapping)
    assert not header.refused and header.positions["care_tags"] == 5
    assert header.ignored == ["备注："] and header.skip == {6, 7}
    unmapped = read_header(["楼栋", "房号", "姓名", "与户主关系", "户籍类型", "帮扶类别"])
    assert unmapped.unknown == ["帮扶类别"] and unmapped.reason().code == "import.unmapped_columns"
    assert "care_tags" in unmapped.as_json()["unknown_columns"][0]["candidates"]
    # a 序号 column and an ignored one hold values on every row: neither is a problem of the row
    from services.households.sheets.register import read_register
    rows = [[i + 1, *row[:9], "身份证复印件已收"] for i, row in enumerate(office_rows(2))]
    parsed = read_register(io.BytesIO(xlsx(["序号", *OFFICE[:9], "备注"], rows)), mapping={"备注": None})
    assert (parsed.rows, len(parsed.households), parsed.bad) == (4, 2, {})


def test_a_remembered_mapping_that_now_gives_a_column_twice_is_offered_for_choosing_again(client, district):
    c1 = staff("C1")
    assert client.put("/communities/C1/import-mapping", json={"mapping": {"帮扶类别": "care_tags"}},
                      headers=c1).status_code == 200
    both = ["重点人群" if h == "户籍类型" else h for h in OWN[:-1]] + ["户籍类型"]      # 重点人群 and 帮扶类别
    rows = [r[:8] + [r[9], r[9], r[10], r[8]] for r in office_rows(2)]
    r = upload(client, c1, xlsx(both, rows), district["grid_a"], dry_run=True)
    assert r.status_code == 422 and r.json["field_reasons"]["mapping"][0]["code"] == "import.mapped_twice"
    assert r.json["report"]["mapping"] == {"帮扶类别": "care_tags"}      # the page offers it to choose again
    r = upload(client, c1, xlsx(both, rows), district["grid_a"], mapping={"帮扶类别": None})
    assert r.status_code == 201, r.json
    assert client.get("/communities/C1/import-mapping", headers=c1).json["mapping"] == {"帮扶类别": None}
