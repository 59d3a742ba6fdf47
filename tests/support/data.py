"""Sample register data: valid ID numbers, phones and households."""
import io
import random

from openpyxl import Workbook

from shared.validators import id_check_char


def id_number(seed: int, birth="19500101") -> str:
    first17 = f"110105{birth}{seed % 1000:03d}"
    return first17 + id_check_char(first17)


def phone(seed: int) -> str:
    return f"138{seed % 10**8:08d}"


def household(grid_id: str, n: int, *, care_tag: str | None = None, building: str | None = None) -> dict:
    rnd = random.Random(n)
    head = {"name": f"居民{n}", "gender": rnd.choice(["male", "female"]), "birth_date": "1950-01-01",
            "id_number": id_number(n), "phone": phone(n), "relation": "head"}
    if care_tag:
        head["care_tags"] = [{"tag": care_tag, "since": "2024-01-01"}]
    return {"grid_id": grid_id, "residency": "registered",
            "address": {"building": building or f"{n // 40 + 1}栋", "unit": f"{n % 4 + 1}单元",
                        "room": f"{n % 40 + 101}"},
            "residents": [head]}


REGISTER_HEADER = ["楼栋", "单元", "房号", "户籍类型", "户主姓名", "与户主关系", "姓名", "性别", "出生日期", "身份证号",
                   "联系电话", "关爱类型", "入住日期"]


def register_csv(households: int, *, first: int = 0, members: int = 1, care: str = "") -> bytes:
    """A grid's register as the import takes it (UTF-8 CSV): `households` households of `members` people with
    distinct addresses, ID numbers and phones (numbered from `first`, so several sheets never clash); every
    person gets the care label `care` if one is given (one resident.care_flagged event each)."""
    import csv
    import io
    from datetime import date, timedelta

    relations = ("户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REGISTER_HEADER)
    for h in range(households):
        number = first + h
        for k in range(members):
            seed = number * 8 + k
            first17 = f"110105{(date(1930, 1, 1) + timedelta(days=seed // 1000)):%Y%m%d}{seed % 1000:03d}"
            writer.writerow([f"{h // 100 + 1}栋", f"{h % 100 // 25 + 1}单元", str(101 + h % 25), "户籍",
                             f"户主{number}", relations[k % len(relations)],
                             f"户主{number}" if k == 0 else f"居民{number}-{k}",
                             "男" if seed % 2 else "女", "1960-05-01" if k < 2 else "1990-05-01",
                             first17 + id_check_char(first17), f"139{seed:08d}", care, "2019-03-01"])
    return out.getvalue().encode("utf-8-sig")


def xlsx(header: list[str], rows: list[list], *, title: str = "台账") -> bytes:
    """A one-sheet workbook as an office would send it: `header`, then `rows`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
