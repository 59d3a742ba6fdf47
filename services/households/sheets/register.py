"""Reading a register sheet: its columns, each cell as what its column holds, the rows of a file grouped
into households, every problem by the sheet row number the user sees.

A CSV (UTF-8, UTF-16 or GB18030; comma, tab or semicolon) or XLSX file is read as a stream (files.py); an XLSX
is first checked against its budget (xlsx_budget.py). Headers the register does not know are read through a
column mapping (header -> register column, or None to ignore it). The import runs `read_register_file` in a memory-limited child
(parse_child.py); what comes back is a ParsedFile.
"""
import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from services.households.rules import natural_key
from services.households.sheets.files import open_rows
from services.households.sheets.xlsx_budget import Budget, TooLarge
from shared.errors import Invalid, Reason
from shared.events.contracts import CARE_TAGS
from shared.reasons import households as reasons

MAX_ROWS = 150_000          # data rows in one file (a community of 50,000 households is ~125,000 rows)
MAX_SHEET_ROWS = 1_048_576  # rows read, blank ones too: Excel's own limit
PROGRESS_ROWS = 1_000       # rows between two reports of reading progress


# ---- columns and labels --------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS = (
    Column("building", "楼栋", ("building", "楼号", "楼栋号", "楼栋/院落", "院落", "幢", "幢号", "栋", "栋号", "楼"),
           True),
    Column("unit", "单元", ("unit", "单元号")),
    Column("room", "房号", ("room", "房间号", "门牌号", "门牌", "户号", "室", "房间"), True),
    Column("residency", "户籍类型", ("residency", "户口类型", "人口类型", "户口性质", "户籍性质", "户口类别",
                                   "户籍类别"), True),
    Column("head_name", "户主姓名", ("head_name", "head", "户主")),
    Column("relation", "与户主关系", ("relation", "关系", "户主关系", "与户主的关系", "家庭关系"), True),
    Column("name", "姓名", ("name", "居民姓名", "人员姓名"), True),
    Column("gender", "性别", ("gender", "sex")),
    Column("birth_date", "出生日期", ("birth_date", "birthdate", "date_of_birth", "出生年月日", "出生年月")),
    Column("id_number", "身份证号", ("id_number", "身份证号码", "公民身份号码", "身份证", "证件号码", "证件号",
                                    "身份证件号码")),
    Column("phone", "联系电话", ("phone", "电话", "手机", "手机号", "手机号码", "联系方式", "联系号码", "电话号码")),
    Column("care_tags", "关爱类型", ("care_tags", "care", "重点关爱对象", "关爱对象", "重点人群", "人员类别",
                                    "特殊人群", "重点人员", "关爱类别")),
    Column("moved_in_on", "入住日期", ("moved_in_on", "move_in_date", "入住时间", "迁入日期", "迁入时间")),
    # 流动人口 (floating households only): per person, like the permit itself
    Column("hukou_place", "户籍地", ("hukou_place", "户籍地址", "户籍所在地", "户口所在地", "户籍地详址")),
    Column("permit_number", "居住证号", ("permit_number", "居住证号码", "居住证编号")),
    Column("permit_expires_on", "居住证有效期至", ("permit_expires_on", "居住证有效期", "居住证到期日期",
                                                   "居住证有效期限")),
    Column("arrived_on", "来本地日期", ("arrived_on", "来本地时间", "来本地日期", "到达日期", "来京日期", "来沪日期")),
    Column("stay_months", "预计居住期限（月）", ("stay_months", "预计居住期限", "拟居住期限", "预计居住时间")),
)
KEYS = tuple(c.key for c in COLUMNS)
POS = {k: i + 1 for i, k in enumerate(KEYS)}            # position in a parsed row (0 is the row number)
HEADERS = {c.key: c.header for c in COLUMNS}
IGNORED_COLUMNS = {"序号", "编号", "no", "no.", "#"}

RESIDENCY = {"户籍": "registered", "户籍人口": "registered", "本地户籍": "registered", "本地": "registered",
             "本地人口": "registered", "常住": "registered", "常住人口": "registered", "户籍居民": "registered",
             "registered": "registered",
             "流动": "floating", "流动人口": "floating", "外来": "floating", "外来人口": "floating",
             "暂住": "floating", "floating": "floating"}
RESIDENCY_LABEL = {"registered": "户籍", "floating": "流动"}
RELATION = {
    "户主": "head", "本人": "head", "head": "head",
    "配偶": "spouse", "妻": "spouse", "妻子": "spouse", "夫": "spouse", "丈夫": "spouse", "spouse": "spouse",
    "子女": "child", "子": "child", "女": "child", "儿子": "child", "女儿": "child", "长子": "child",
    "长女": "child", "次子": "child", "次女": "child", "child": "child",
    "父母": "parent", "父亲": "parent", "母亲": "parent", "父": "parent", "母": "parent", "parent": "parent",
    "孙子女": "grandchild", "孙子": "grandchild", "孙女": "grandchild", "外孙": "grandchild",
    "外孙女": "grandchild", "grandchild": "grandchild",
    "祖父母": "grandparent", "祖父": "grandparent", "祖母": "grandparent", "外祖父": "grandparent",
    "外祖母": "grandparent", "grandparent": "grandparent",
    "兄弟姐妹": "sibling", "兄": "sibling", "弟": "sibling", "姐": "sibling", "妹": "sibling",
    "哥哥": "sibling", "弟弟": "sibling", "姐姐": "sibling", "妹妹": "sibling", "sibling": "sibling",
    "姻亲": "in_law", "儿媳": "in_law", "女婿": "in_law", "岳父": "in_law", "岳母": "in_law",
    "公公": "in_law", "婆婆": "in_law", "in_law": "in_law",
    "其他": "other", "其它": "other", "other": "other",
}
RELATION_LABEL = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母", "grandchild": "孙子女",
                  "grandparent": "祖父母", "sibling": "兄弟姐妹", "in_law": "姻亲", "other": "其他"}
GENDER = {"男": "male", "男性": "male", "male": "male", "m": "male",
          "女": "female", "女性": "female", "female": "female", "f": "female"}
GENDER_LABEL = {"male": "男", "female": "女"}
CARE_LABELS = {  # the first label of each tag is the one exports write
    "elderly_alone": ("孤寡老人", "独居老人", "孤寡", "独居"),
    "empty_nest": ("空巢老人", "空巢"),
    "left_behind_child": ("留守儿童",),
    "child_in_difficulty": ("困境儿童",),
    "disability": ("残疾人", "残疾"),
    "subsistence": ("低保", "低保户", "低保对象"),
    "extreme_poverty": ("特困", "特困人员", "特困供养"),
    "entitled_group": ("优抚对象", "烈军属", "优抚"),
}
assert set(CARE_LABELS) == set(CARE_TAGS)
CARE = {label: tag for tag, labels in CARE_LABELS.items() for label in (tag, *labels)}
_CARE_SPLIT = re.compile(r"[、,，;；/／\s]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d+$")
_EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"}
ESCAPED_STARTS = ("=", "+", "-", "@")

FORMULA = reasons.FORMULA()


class CellError(ValueError):
    """A cell that cannot be read as what its column holds."""


def _header_key(text) -> str:
    s = "" if text is None else str(text)
    s = re.sub(r"[（(【\[].*?[）)】\]]", "", s)     # 身份证号（18位） -> 身份证号
    s = re.sub(r"\s+", "", s).strip("*＊:：").lower()
    return s.replace("-", "_")


header_key = _header_key     # the form of a header that names match in (public, for the remembered mappings)

ALIASES = {_header_key(name): c.key for c in COLUMNS for name in (c.header, c.key, *c.aliases)}


MAPPING_MAX = 60          # entries in a community's column mapping
MAPPING_HEADER_MAX = 60   # characters of one header in it


def check_mapping(mapping) -> dict[str, str | None]:
    """A column mapping as sent ({header in the file: register column, or None to ignore it}), checked; Invalid
    on the field `mapping` for a register column that does not exist or one named twice."""
    if mapping is None:
        return {}
    if not isinstance(mapping, dict) or len(mapping) > MAPPING_MAX:
        raise Invalid(reasons.MAPPING_SHAPE(max=MAPPING_MAX, columns=", ".join(KEYS)), field="mapping")
    out, by_column = {}, {}
    for header, column in mapping.items():
        text = str(header).strip() if isinstance(header, str) else ""
        if not text or len(text) > MAPPING_HEADER_MAX or not _header_key(text):
            raise Invalid(reasons.MAPPING_SHAPE(max=MAPPING_MAX, columns=", ".join(KEYS)), field="mapping")
        if column is not None and column not in KEYS:
            raise Invalid(reasons.MAPPING_NO_SUCH_COLUMN(header=text, column=str(column), columns=", ".join(KEYS)),
                          field="mapping")
        if column is not None and column in by_column:
            raise Invalid(reasons.MAPPING_TWICE(column=column, label=HEADERS[column],
                                                headers="、".join((by_column[column], text))), field="mapping")
        if column is not None:
            by_column[column] = text
        out[text] = column
    return out


@dataclass
class Header:
    """What row 1 says: each register column's position and header text, and what is wrong with it."""

    positions: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)        # headers neither known nor mapped
    ignored: list[str] = field(default_factory=list)        # headers the mapping says to ignore
    missing: list[str] = field(default_factory=list)        # required register columns (their headers)
    twice: list[str] = field(default_factory=list)          # headers of a column already given
    mapped_twice: list[str] = field(default_factory=list)   # of those, the ones the mapping put there
    mapping: dict[str, str | None] = field(default_factory=dict)   # the mapping in force
    skip: set[int] = field(default_factory=set)             # positions read as no column (序号, ignored, unknown)

    @property
    def refused(self) -> bool:
        return bool(self.missing or self.twice or self.unknown)

    def candidates(self) -> list[str]:
        """The register columns an unknown header could be mapped to: those the file does not have yet."""
        return [c.key for c in COLUMNS if c.key not in self.positions]

    def reason(self) -> Reason:
        """Why the columns are refused, naming them."""
        expected = "、".join(c.header for c in COLUMNS)
        if self.mapped_twice:
            return reasons.MAPPED_TWICE(headers="、".join(self.mapped_twice))
        if self.unknown and not (self.missing or self.twice):
            return reasons.UNMAPPED_COLUMNS(unknown="、".join(self.unknown[:20]))
        return reasons.wrong_columns(missing=self.missing, unknown=self.unknown[:20], twice=self.twice,
                                     expected=expected)

    def as_json(self) -> dict:
        """The columns part of an import report."""
        candidates = self.candidates()
        return {"unknown_columns": [{"header": h, "candidates": candidates} for h in self.unknown[:20]],
                "missing_columns": [c.key for c in COLUMNS if c.header in self.missing],
                "ignored_columns": list(self.ignored), "mapping": dict(self.mapping),
                "columns": {key: self.texts[key] for key in KEYS if key in self.texts},
                "register_columns": dict(HEADERS)}


def read_header(cells, mapping: dict[str, str | None] | None = None) -> Header:
    """Row 1 read against the register's columns and aliases, the `mapping` (header -> column or None) first."""
    by_key = {_header_key(h): (h, c) for h, c in (mapping or {}).items()}
    header = Header()
    mapped_columns = set()
    for i, cell in enumerate(cells):
        if cell is None or str(cell).strip() == "":
            continue
        text, hk = str(cell).strip(), _header_key(cell)
        if hk in by_key:
            original, key = by_key[hk]
            header.mapping[original] = key
            if key is None:
                header.ignored.append(text)
                header.skip.add(i)
                continue
            mapped = True
        else:
            key, mapped = ALIASES.get(hk), False
        if key is None:
            header.skip.add(i)
            if hk not in IGNORED_COLUMNS:
                header.unknown.append(text)
        elif key in header.positions:
            header.twice.append(text)
            if mapped or key in mapped_columns:
                header.mapped_twice.append(f"{header.texts[key]}、{text}")
        else:
            header.positions[key] = i
            header.texts[key] = text
            if mapped:
                mapped_columns.add(key)
    header.missing = [c.header for c in COLUMNS if c.required and c.key not in header.positions]
    return header


def map_header(cells, mapping: dict[str, str | None] | None = None) -> tuple[dict[str, int], dict[str, str]]:
    """Column positions and the header text each column has in the file; Invalid on wrong columns."""
    header = read_header(cells, mapping)
    if not header.positions:
        raise Invalid(reasons.NO_HEADER_NAMES(expected="、".join(c.header for c in COLUMNS)), field="file")
    if header.refused:
        raise Invalid(header.reason(), field="mapping" if header.mapped_twice else "file")
    return header.positions, header.texts


# ---- one row ---------------------------------------------------------------------------------------

def _plain(value):
    """A cell as text or a date; CellError for formulas and Excel error values."""
    if value is None:
        return None
    if isinstance(value, str):
        if value.startswith("="):
            raise CellError(FORMULA)
        if value[:1] == "'" and value[1:2] in ESCAPED_STARTS:
            value = value[1:]                 # our exports escape such cells with a '
        value = value.strip()
        if value in _EXCEL_ERRORS:
            raise CellError(reasons.EXCEL_ERROR(value=value))
        return value or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, datetime, date)):
        return value
    if isinstance(value, (time, timedelta)):
        raise CellError(reasons.TIME_NOT_TEXT())
    raise CellError(FORMULA)                  # openpyxl's ArrayFormula / DataTableFormula


def _text(value):
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (datetime, date)):
        raise CellError(reasons.DATE_NOT_TEXT())
    return None if value is None else str(value)


def _date(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(int(value)) if isinstance(value, (int, float)) and float(value).is_integer() else str(value)
    match = _DATE.match(text) or _DATE8.match(text)
    if not match:
        raise CellError(reasons.NOT_A_DATE())
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:
        raise CellError(reasons.NO_SUCH_DATE()) from None


def _choice(mapping: dict, labels: str):
    def convert(value):
        text = _text(value)
        if text is None:
            return None
        code = mapping.get(text) or mapping.get(text.lower())
        if code is None:
            raise CellError(reasons.UNKNOWN_VALUE(value=text, labels=labels))
        return code
    return convert


def _id_number(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        raise CellError(reasons.ID_AS_NUMBER())
    text = re.sub(r"\s+", "", str(value)).upper()
    if _SCIENTIFIC.match(text):
        raise CellError(reasons.ID_SCIENTIFIC())
    if "*" in text:
        raise CellError(reasons.MASKED_ID())
    return text


def _phone(value):
    if value is None:
        return None
    text = _text(value)
    if "*" in text:
        raise CellError(reasons.MASKED_PHONE())
    text = re.sub(r"[\s-]+", "", text)
    return text.removeprefix("+86")


def _care(value):
    text = _text(value)
    if text is None:
        return ()
    tags = []
    for label in filter(None, _CARE_SPLIT.split(text)):
        tag = CARE.get(label) or CARE.get(label.lower())
        if tag is None:
            raise CellError(reasons.UNKNOWN_CARE(label=label, labels="、".join(v[0] for v in CARE_LABELS.values())))
        if tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _permit_number(value):
    text = _text(value)
    if text is None:
        return None
    if "*" in text:
        raise CellError(reasons.MASKED_PERMIT())
    return re.sub(r"\s+", "", text).upper()


def _months(value):
    text = _text(value)
    if text is None:
        return None
    if not re.fullmatch(r"\d{1,4}", text.strip().removesuffix("个月").removesuffix("月").strip()):
        raise CellError(reasons.NOT_MONTHS())
    return int(text.strip().removesuffix("个月").removesuffix("月"))


CONVERT = {
    "building": _text, "unit": _text, "room": _text, "head_name": _text, "name": _text,
    "residency": _choice(RESIDENCY, "户籍、流动"),
    "relation": _choice(RELATION, "、".join(RELATION_LABEL.values())),
    "gender": _choice(GENDER, "男、女"),
    "birth_date": _date, "moved_in_on": _date,
    "id_number": _id_number, "phone": _phone, "care_tags": _care,
    "hukou_place": _text, "permit_number": _permit_number, "permit_expires_on": _date, "arrived_on": _date,
    "stay_months": _months,
}


def parse_row(cells, positions: dict[str, int], skip=frozenset()) -> tuple[tuple, list[tuple[str, str]]]:
    """One sheet row as a tuple in KEYS order (codes, ISO dates) and the problems found, by column key; the
    columns at `skip` (序号, ignored by the mapping) are not read."""
    values, problems = [], []
    width = len(cells)
    for key in KEYS:
        i = positions.get(key)
        raw = cells[i] if i is not None and i < width else None
        try:
            values.append(CONVERT[key](_plain(raw)))
        except CellError as exc:
            values.append(() if key == "care_tags" else None)
            problems.append((key, exc.args[0]))
    used = set(positions.values()) | set(skip)
    for i in range(width):
        if i not in used and cells[i] not in (None, "") and str(cells[i]).strip():
            problems.append(("file", reasons.NO_HEADER_COLUMN(column=i + 1)))
            break
    return tuple(values), problems


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# ---- a whole file ----------------------------------------------------------------------------------

class PackedHouseholds(Mapping):
    """Households by address key, each household's rows kept pickled and unpacked when read.

    Rows as Python objects take about 1.2 KB each, pickled about 0.13 KB: a 125,000-row file is ~16 MB, not
    ~150 MB, in the API process that checks and writes it (and in the pipe from the parsing child)."""

    def __init__(self, households: dict[str, list[tuple]]):
        self._packed = {key: pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL) for key, rows in households.items()}

    def __getitem__(self, key: str) -> list[tuple]:
        return pickle.loads(self._packed[key])

    def __iter__(self):
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)


@dataclass
class ParsedFile:
    """What the file holds: rows grouped into households, and every problem by sheet row number."""

    kind: str
    headers: dict[str, str]
    header: Header | None = None        # row 1 as read, with the mapping in force
    rows: int = 0
    households: Mapping[str, list[tuple]] = field(default_factory=dict)   # address key -> parsed rows (packed once read)
    bad: dict[int, list[tuple[str, Reason]]] = field(default_factory=dict)  # row -> [(column key, reason)]

    def problem(self, row: int, key: str, reason: Reason) -> None:
        entries = self.bad.setdefault(row, [])
        if not any(k == key for k, _ in entries):
            entries.append((key, reason))

    def household_ok(self, rows: list[tuple]) -> bool:
        return not any(r[0] in self.bad for r in rows)

    def column(self, key: str) -> str:
        return self.headers.get(key) or HEADERS.get(key, key)


def address_key(building, unit, room) -> str:
    """The key that makes one address one household; the same as the register's unique address key."""
    return natural_key(building, unit, room)


def read_register_file(*, path: str, max_rows: int = MAX_ROWS, budget: Budget = Budget(),
                       mapping: dict | None = None, lenient: bool = False, progress=None) -> ParsedFile:
    """`read_register` of a file on disk (what the parsing child runs)."""
    with open(path, "rb") as stream:
        return read_register(stream, max_rows=max_rows, budget=budget, mapping=mapping, lenient=lenient,
                             progress=progress)


def read_register(stream, *, max_rows: int = MAX_ROWS, budget: Budget = Budget(), mapping: dict | None = None,
                  lenient: bool = False, progress=None) -> ParsedFile:
    """Stream a CSV or XLSX register into households, checking each cell and duplicates in the file.

    `mapping` names the register column of headers the register does not know (None: ignore the column).
    `lenient`: wrong columns do not raise; the ParsedFile's `header` tells them, and its rows are read (the
    unknown columns left out) only when no required column is missing and none is given twice. `progress`, if
    given, is called with the rows read so far every PROGRESS_ROWS rows."""
    with open_rows(stream, budget) as (kind, rows):
        first = next(rows, None)
        if first is None or _blank(first[1]):
            raise Invalid(reasons.HEADER_EMPTY(), field="file")
        header = read_header(first[1], mapping)
        if not lenient or not header.positions:
            map_header(first[1], mapping)        # raises on wrong columns
        positions, texts = header.positions, header.texts
        parsed = ParsedFile(kind=kind, headers=texts, header=header)
        if header.missing or header.twice:
            return parsed
        ids: dict[str, int] = {}
        cells_read = len(first[1])
        for number, cells in rows:
            cells_read += len(cells)
            if cells_read > budget.cells or number > MAX_SHEET_ROWS:
                raise TooLarge(reasons.TOO_MANY_CELLS(cells=budget.cells, sheet_rows=MAX_SHEET_ROWS, max_rows=max_rows,
                                                      columns=len(COLUMNS)), field="file")
            if _blank(cells):
                continue
            parsed.rows += 1
            if progress and parsed.rows % PROGRESS_ROWS == 0:
                progress(parsed.rows)
            if parsed.rows > max_rows:
                raise Invalid(reasons.TOO_MANY_ROWS(max_rows=max_rows), field="file")
            values, problems = parse_row(cells, positions, parsed.header.skip)
            row = (number, *values)
            for key, reason in problems:
                parsed.problem(number, key, reason)
            building, unit, room = row[POS["building"]], row[POS["unit"]], row[POS["room"]]
            if not building or not room:
                for key, value in (("building", building), ("room", room)):
                    if not value:
                        parsed.problem(number, key, reasons.BUILDING_ROOM_REQUIRED())
                continue
            id_number = row[POS["id_number"]]
            if id_number:
                if id_number in ids:
                    parsed.problem(number, "id_number", reasons.SAME_ID_AS_ROW(row=ids[id_number]))
                else:
                    ids[id_number] = number
            parsed.households.setdefault(address_key(building, unit, room), []).append(row)
    if progress:
        progress(parsed.rows)
    parsed.households = PackedHouseholds(parsed.households)
    return parsed
