"""Bulk import and export of a grid's register: the CSV/XLSX sheet a community office keeps.

The sheet has one row per resident under a header row (row 1) of Chinese column names; rows
with the same 楼栋/单元/房号 are one household, with exactly one 户主. Import reads the file as a
stream, checks every row with the register's own schemas (HouseholdCreate, which nests
AddressSchema and ResidentWrite) and reports every bad row by its sheet row number. In
`all_or_nothing` mode a file with any bad row writes nothing; `good_rows_only` writes the
households whose rows are all good. Each household is written the way `register_household`
writes it: derived fields, history, and its `household.registered` event in its own outbox, in
the same document, inserted in batches of 500 with the events held until the whole import
commits (import_journal.py), so an import taken back, or killed part-way, announced nothing.

The file is parsed in a child process with a memory ceiling (parse_child.py) after its ZIP
structure was checked against a budget (xlsx_budget.py): a hostile workbook ends only that child.

Export writes the same columns, so an export can be imported again; ID numbers and phones are
masked unless the caller reveals them with a reason, which is recorded per household.
"""
import codecs
import csv
import io
import logging
import re
import shutil
import tempfile
import unicodedata
import uuid
import warnings
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import mongoengine as me
from marshmallow import ValidationError
from pymongo.errors import BulkWriteError, PyMongoError

from services.households import import_journal, service, xlsx_budget
from services.households.models import (
    Household,
    RevealRecord,
    natural_key,
    now,
)
from services.households.parse_child import run_limited
from services.households.schemas import HouseholdCreate
from services.households.xlsx_budget import Budget, TooLarge
from shared.errors import DomainError, Invalid, Unavailable
from shared.events.contracts import CARE_TAGS
from shared.identity import Principal
from shared.messaging.outbox import prepare_insert
from shared.validators import mask_id_number, mask_phone

log = logging.getLogger(__name__)

ALL_OR_NOTHING = "all_or_nothing"
GOOD_ROWS_ONLY = "good_rows_only"
MODES = (ALL_OR_NOTHING, GOOD_ROWS_ONLY)
FORMATS = ("xlsx", "csv")
MAX_ROWS = 60_000          # data rows in one file (a community of 20,000 households is ~50,000 rows)
BATCH = 500                # households per insert_many
REPORT_LIMIT = 10_000      # bad-row entries listed in one report (all are counted)
MAX_RESIDENTS = 30         # per household, as HouseholdCreate allows
MAX_SHEET_ROWS = 1_048_576  # rows read, blank ones too: Excel's own limit
PARSE_MEMORY_BYTES = 1024 * 2**20   # the parsing child's address space (IMPORT_PARSE_MEMORY_MB)
PARSE_TIMEOUT_S = 300.0             # IMPORT_PARSE_TIMEOUT_S


class ReportError(DomainError):
    """An import refused or undone as a whole; the web layer returns the report with the error."""

    def __init__(self, message: str, report: dict, *, field: str | None = "file"):
        super().__init__(message, field=field)
        self.report = report


class ImportRejected(ReportError):
    status = 422
    code = "validation_failed"


class ImportConflict(ReportError):
    status = 409
    code = "conflict"


class RegisterExport(me.Document):
    """Every export of a grid's register: who, when, masked or not, why, and how much."""

    grid_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    user_id = me.StringField(required=True)
    role = me.StringField(required=True)
    format = me.StringField(required=True, choices=FORMATS)
    masked = me.BooleanField(required=True)
    reason = me.StringField(max_length=200)
    households = me.IntField(default=0)
    residents = me.IntField(default=0)
    at = me.DateTimeField(default=now)
    meta = {"collection": "register_exports", "indexes": ["grid_id", "user_id"]}


# ---- columns and labels --------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS = (
    Column("building", "楼栋", ("building", "楼号", "楼栋号", "楼栋/院落", "院落"), True),
    Column("unit", "单元", ("unit", "单元号")),
    Column("room", "房号", ("room", "房间号", "门牌号", "户号"), True),
    Column("residency", "户籍类型", ("residency", "户口类型", "人口类型"), True),
    Column("head_name", "户主姓名", ("head_name", "head", "户主")),
    Column("relation", "与户主关系", ("relation", "关系"), True),
    Column("name", "姓名", ("name", "居民姓名"), True),
    Column("gender", "性别", ("gender", "sex")),
    Column("birth_date", "出生日期", ("birth_date", "birthdate", "date_of_birth", "出生年月日")),
    Column("id_number", "身份证号", ("id_number", "身份证号码", "公民身份号码", "身份证")),
    Column("phone", "联系电话", ("phone", "电话", "手机", "手机号", "手机号码", "联系方式")),
    Column("care_tags", "关爱类型", ("care_tags", "care", "重点关爱对象", "关爱对象")),
    Column("moved_in_on", "入住日期", ("moved_in_on", "move_in_date", "入住时间")),
)
KEYS = tuple(c.key for c in COLUMNS)
POS = {k: i + 1 for i, k in enumerate(KEYS)}            # position in a parsed row (0 is the row number)
HEADERS = {c.key: c.header for c in COLUMNS}
IGNORED_COLUMNS = {"序号", "编号", "no", "no.", "#"}

RESIDENCY = {"户籍": "registered", "户籍人口": "registered", "本地户籍": "registered", "registered": "registered",
             "流动": "floating", "流动人口": "floating", "外来": "floating", "floating": "floating"}
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
_CARE_SPLIT = re.compile(r"[、,，;；/\s]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d+$")
_EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"}
_ESCAPED = ("=", "+", "-", "@")

FORMULA = "formulas are not accepted: type the value itself"


class CellError(ValueError):
    """A cell that cannot be read as what its column holds."""


def _header_key(text) -> str:
    s = "" if text is None else str(text)
    s = re.sub(r"[（(【\[].*?[）)】\]]", "", s)     # 身份证号（18位） -> 身份证号
    s = re.sub(r"\s+", "", s).strip("*＊:：").lower()
    return s.replace("-", "_")


ALIASES = {_header_key(name): c.key for c in COLUMNS for name in (c.header, c.key, *c.aliases)}


def map_header(cells) -> tuple[dict[str, int], dict[str, str]]:
    """Column positions and the header text each column has in the file; Invalid on wrong columns."""
    positions, texts, unknown, twice = {}, {}, [], []
    for i, cell in enumerate(cells):
        if cell is None or str(cell).strip() == "":
            continue
        key = ALIASES.get(_header_key(cell))
        if key is None:
            if _header_key(cell) not in IGNORED_COLUMNS:
                unknown.append(str(cell).strip())
        elif key in positions:
            twice.append(str(cell).strip())
        else:
            positions[key] = i
            texts[key] = str(cell).strip()
    expected = "、".join(c.header for c in COLUMNS)
    if not positions:
        raise Invalid(f"row 1 holds none of the register's column names; row 1 must be the header row with "
                      f"the columns {expected}", field="file")
    missing = [c.header for c in COLUMNS if c.required and c.key not in positions]
    problems = []
    if missing:
        problems.append(f"missing columns: {'、'.join(missing)}")
    if unknown:
        problems.append(f"unknown columns: {'、'.join(unknown[:20])}")
    if twice:
        problems.append(f"columns given twice: {'、'.join(twice)}")
    if problems:
        raise Invalid(f"wrong columns ({'; '.join(problems)}); the register's columns are {expected}",
                      field="file")
    return positions, texts


# ---- reading a file as rows ------------------------------------------------------------------------

_NOT_A_SHEET = "not a spreadsheet: upload the register as an Excel workbook (.xlsx) or a CSV file"


@contextmanager
def open_rows(stream, budget: Budget = Budget()):
    """Yield (kind, rows) for a seekable binary file: rows are (sheet row number, cells), header first."""
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise Invalid("the file is empty", field="file")
    if head.startswith(b"PK\x03\x04"):
        workbook = _open_xlsx(stream, budget)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()   # read every row, whatever the file claims its size is
            yield "xlsx", _guard(enumerate(sheet.iter_rows(values_only=True), start=1), "workbook")
        finally:
            workbook.close()
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Invalid("an old Excel 97–2003 (.xls) or password-protected workbook: remove any password and "
                      "save it as .xlsx (Excel workbook) or CSV", field="file")
    else:
        sample = stream.read(64 * 1024)
        stream.seek(0)
        encoding = _encoding(sample)
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        try:
            reader = csv.reader(text, delimiter=_delimiter(sample, encoding))
            yield "csv", _guard(enumerate(reader, start=1), "CSV file")
        finally:
            text.detach()


def _guard(rows, what: str):
    """Turn a reader's failure part-way through the file into a clear answer about the file."""
    try:
        yield from rows
    except (csv.Error, UnicodeDecodeError) as exc:
        raise Invalid(f"the {what} cannot be read past this point: {exc}", field="file") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError, SyntaxError,
            OSError) as exc:
        # SyntaxError covers the XML parsers' ParseError
        raise Invalid(f"the {what} is damaged and cannot be read: {exc.__class__.__name__}", field="file") from None


def _open_xlsx(stream, budget: Budget):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    xlsx_budget.check_directory(stream, budget)
    try:
        with zipfile.ZipFile(stream) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise Invalid(f"{_NOT_A_SHEET} (this is a ZIP file but not an Excel workbook)", field="file")
            xlsx_budget.check_parts(archive, budget)
            xlsx_budget.count_contents(archive, budget)
    except (zipfile.BadZipFile, OSError, SyntaxError):     # SyntaxError: [Content_Types].xml is not XML
        raise Invalid(f"{_NOT_A_SHEET} (this is a damaged ZIP file)", field="file") from None
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openpyxl warns about styles and extensions it skips
            workbook = load_workbook(stream, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, SyntaxError, OSError):
        raise Invalid(f"{_NOT_A_SHEET} (the workbook is damaged)", field="file") from None
    if not workbook.worksheets:
        workbook.close()
        raise Invalid("the workbook has no worksheet", field="file")
    return workbook


def _encoding(sample: bytes) -> str:
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if sample.startswith(bom):
            return name
    if b"\x00" in sample:
        raise Invalid(_NOT_A_SHEET, field="file")
    # Excel on a Chinese Windows saves CSV as GBK (a subset of GB18030); elsewhere UTF-8.
    for name in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(name)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
            break
        return name
    raise Invalid(f"{_NOT_A_SHEET} (this is neither UTF-8 nor GB18030 text)", field="file")


def _delimiter(sample: bytes, encoding: str) -> str:
    """Comma, tab (Excel's "Unicode text") or semicolon: whichever the header line has most of."""
    first = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(sample).lstrip("\ufeff")
    first = first.splitlines()[0] if first else ""
    return max((",", "\t", ";"), key=first.count) if first else ","


# ---- one row ---------------------------------------------------------------------------------------

def _plain(value):
    """A cell as text or a date; CellError for formulas and Excel error values."""
    if value is None:
        return None
    if isinstance(value, str):
        if value.startswith("="):
            raise CellError(FORMULA)
        if value[:1] == "'" and value[1:2] in _ESCAPED:
            value = value[1:]                 # our exports escape such cells with a '
        value = value.strip()
        if value in _EXCEL_ERRORS:
            raise CellError(f"an Excel error value ({value})")
        return value or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, datetime, date)):
        return value
    if isinstance(value, (time, timedelta)):
        raise CellError("a time where text or a date is expected")
    raise CellError(FORMULA)                  # openpyxl's ArrayFormula / DataTableFormula


def _text(value):
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (datetime, date)):
        raise CellError("a date where text is expected")
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
        raise CellError("not a date: write it as 1950-01-31")
    try:
        return date(*map(int, match.groups())).isoformat()
    except ValueError:
        raise CellError("no such date") from None


def _choice(mapping: dict, labels: str):
    def convert(value):
        text = _text(value)
        if text is None:
            return None
        code = mapping.get(text) or mapping.get(text.lower())
        if code is None:
            raise CellError(f"unknown value {text!r}: use {labels}")
        return code
    return convert


def _id_number(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        raise CellError("the ID number was stored as a number, which loses its last digits: "
                        "format the column as text and type the numbers again")
    text = re.sub(r"\s+", "", str(value)).upper()
    if _SCIENTIFIC.match(text):
        raise CellError("the ID number was turned into a number (like 1.10105E+17) and lost its last digits: "
                        "format the column as text and type the numbers again")
    if "*" in text:
        raise CellError("a masked ID number (from a masked export): give the full number or leave it empty")
    return text


def _phone(value):
    if value is None:
        return None
    text = _text(value)
    if "*" in text:
        raise CellError("a masked phone number (from a masked export): give the full number or leave it empty")
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
            raise CellError(f"unknown care type {label!r}: use {'、'.join(v[0] for v in CARE_LABELS.values())}")
        if tag not in tags:
            tags.append(tag)
    return tuple(tags)


CONVERT = {
    "building": _text, "unit": _text, "room": _text, "head_name": _text, "name": _text,
    "residency": _choice(RESIDENCY, "户籍 or 流动"),
    "relation": _choice(RELATION, "、".join(RELATION_LABEL.values())),
    "gender": _choice(GENDER, "男 or 女"),
    "birth_date": _date, "moved_in_on": _date,
    "id_number": _id_number, "phone": _phone, "care_tags": _care,
}


def parse_row(cells, positions: dict[str, int]) -> tuple[tuple, list[tuple[str, str]]]:
    """One sheet row as a tuple in KEYS order (codes, ISO dates) and the problems found, by column key."""
    values, problems = [], []
    width = len(cells)
    for key in KEYS:
        i = positions.get(key)
        raw = cells[i] if i is not None and i < width else None
        try:
            values.append(CONVERT[key](_plain(raw)))
        except CellError as exc:
            values.append(() if key == "care_tags" else None)
            problems.append((key, str(exc)))
    used = set(positions.values())
    for i in range(width):
        if i not in used and cells[i] not in (None, "") and str(cells[i]).strip():
            problems.append(("file", f"a value in column {i + 1}, which has no header"))
            break
    return tuple(values), problems


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# ---- a whole file ----------------------------------------------------------------------------------

@dataclass
class ParsedFile:
    """What the file holds: rows grouped into households, and every problem by sheet row number."""

    kind: str
    headers: dict[str, str]
    rows: int = 0
    households: dict[str, list[tuple]] = field(default_factory=dict)   # address key -> parsed rows
    bad: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # row -> [(column key, reason)]

    def problem(self, row: int, key: str, reason: str) -> None:
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


def read_register_file(*, path: str, max_rows: int = MAX_ROWS, budget: Budget = Budget()) -> ParsedFile:
    """`read_register` of a file on disk (what the parsing child runs)."""
    with open(path, "rb") as stream:
        return read_register(stream, max_rows=max_rows, budget=budget)


def read_register(stream, *, max_rows: int = MAX_ROWS, budget: Budget = Budget()) -> ParsedFile:
    """Stream a CSV or XLSX register into households, checking each cell and duplicates in the file."""
    with open_rows(stream, budget) as (kind, rows):
        header = next(rows, None)
        if header is None or _blank(header[1]):
            raise Invalid("row 1 is empty: row 1 must be the header row", field="file")
        positions, texts = map_header(header[1])
        parsed = ParsedFile(kind=kind, headers=texts)
        ids: dict[str, int] = {}
        cells_read = len(header[1])
        for number, cells in rows:
            cells_read += len(cells)
            if cells_read > budget.cells or number > MAX_SHEET_ROWS:
                raise TooLarge(f"the file holds more than {budget.cells} cells or {MAX_SHEET_ROWS} rows (blank "
                               f"ones too); a register is at most {max_rows} rows of {len(COLUMNS)} columns: "
                               f"delete the empty rows and columns, or split it", field="file")
            if _blank(cells):
                continue
            parsed.rows += 1
            if parsed.rows > max_rows:
                raise Invalid(f"too many rows: the file holds more than {max_rows} rows; split it into "
                              f"smaller files (one grid each)", field="file")
            values, problems = parse_row(cells, positions)
            row = (number, *values)
            for key, reason in problems:
                parsed.problem(number, key, reason)
            building, unit, room = row[POS["building"]], row[POS["unit"]], row[POS["room"]]
            if not building or not room:
                for key, value in (("building", building), ("room", room)):
                    if not value:
                        parsed.problem(number, key, "required: every row needs 楼栋 and 房号 (merged cells leave "
                                                    "the rows below them empty: unmerge and fill them in)")
                continue
            id_number = row[POS["id_number"]]
            if id_number:
                if id_number in ids:
                    parsed.problem(number, "id_number", f"the same ID number as row {ids[id_number]}")
                else:
                    ids[id_number] = number
            parsed.households.setdefault(address_key(building, unit, room), []).append(row)
    return parsed


def _shared(rows: list[tuple], key: str) -> tuple | None:
    """The row that gives a household-wide value: the 户主's row if it has one, else the first that does.

    Offices often fill 户籍类型 and 入住日期 on the 户主's row only."""
    given = [r for r in rows if r[POS[key]] is not None]
    return next((r for r in given if r[POS["relation"]] == "head"), given[0] if given else None)


def _payload(rows: list[tuple], grid_id: str) -> dict:
    first = rows[0]
    head = next((r for r in rows if r[POS["relation"]] == "head"), None)
    shared = {}
    for key in ("residency", "moved_in_on"):
        source = _shared(rows, key)
        shared[key] = source[POS[key]] if source else None
    residents = []
    for r in rows:
        resident = {k: r[POS[k]] for k in ("name", "gender", "birth_date", "id_number", "phone")}
        resident["relation"] = r[POS["relation"]]
        resident["care_tags"] = [{"tag": t} for t in r[POS["care_tags"]]]
        residents.append({k: v for k, v in resident.items() if v is not None})
    return {"grid_id": grid_id,
            "address": {"building": first[POS["building"]], "unit": first[POS["unit"]], "room": first[POS["room"]]},
            "residency": shared["residency"], "phone": head[POS["phone"]] if head else None,
            "moved_in_on": shared["moved_in_on"], "residents": residents}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def validate_households(parsed: ParsedFile, *, grid_id: str) -> None:
    """Check each household with HouseholdCreate and the sheet's own rules; record problems by row."""
    schema = HouseholdCreate()
    for rows in parsed.households.values():
        _household_rules(parsed, rows)
        try:
            schema.load(_payload(rows, grid_id))
        except ValidationError as exc:
            _attribute(parsed, rows, exc.messages)


def _household_rules(parsed: ParsedFile, rows: list[tuple]) -> None:
    """Rows of one household must agree with each other and name exactly one 户主."""
    first = rows[0]
    for key in ("residency", "moved_in_on"):
        source = _shared(rows, key)
        for r in rows:
            if source is not None and r[POS[key]] is not None and r[POS[key]] != source[POS[key]]:
                parsed.problem(r[0], key, f"differs from row {source[0]} of the same household "
                                          f"({_where(first)}): one household has one {HEADERS[key]}")
    heads = [r for r in rows if r[POS["relation"]] == "head"]
    relation_reported = any(k == "relation" for r in rows for k, _ in parsed.bad.get(r[0], ()))
    if not heads and not relation_reported:
        parsed.problem(first[0], "relation", f"no row of the household at {_where(first)} is 户主; "
                                             f"exactly one must be")
    for extra in heads[1:]:
        parsed.problem(extra[0], "relation", f"a second 户主 at {_where(first)} (the first is row {heads[0][0]}): "
                                             f"one address holds one household")
    if heads:
        head_name = heads[0][POS["name"]]
        for r in rows:
            named = r[POS["head_name"]]
            if named and head_name and named != head_name:
                parsed.problem(r[0], "head_name", f"the 户主 of {_where(first)} is {head_name} "
                                                  f"(row {heads[0][0]}), not {named}")
    if len(rows) > MAX_RESIDENTS:
        parsed.problem(rows[MAX_RESIDENTS][0], "room", f"{len(rows)} rows at {_where(first)}: "
                                                       f"a household holds at most {MAX_RESIDENTS} residents")


def _attribute(parsed: ParsedFile, rows: list[tuple], messages: dict) -> None:
    """Put HouseholdCreate's error messages on the sheet rows and columns they concern."""
    first = rows[0][0]
    head = next((r[0] for r in rows if r[POS["relation"]] == "head"), first)
    for key, value in messages.items():
        if key == "residents" and isinstance(value, dict):
            for index, errors in value.items():
                row = rows[int(index)][0] if str(index).isdigit() and int(index) < len(rows) else first
                items = errors.items() if isinstance(errors, dict) else [("name", errors)]
                for name, msgs in items:
                    column = name if name in POS else "name"
                    parsed.problem(row, column, "; ".join(_messages(msgs)))
        elif key == "residents":
            # household-wide rules (one head, repeated ID numbers): already put on the rows they
            # concern by _household_rules and read_register; anything else goes on the first row.
            if parsed.household_ok(rows):
                parsed.problem(first, "relation", "; ".join(_messages(value)))
        elif key == "address" and isinstance(value, dict):
            for name, msgs in value.items():
                parsed.problem(first, name if name in POS else "building", "; ".join(_messages(msgs)))
        elif key == "phone":
            parsed.problem(head, "phone", "; ".join(_messages(value)))
        else:
            parsed.problem(first, key if key in POS else "building", "; ".join(_messages(value)))


def _where(row: tuple) -> str:
    return "/".join(p for p in (row[POS["building"]], row[POS["unit"]], row[POS["room"]]) if p)


def _registered_addresses(parsed: ParsedFile, grid_id: str) -> None:
    """Households of the file whose address is already registered in the grid."""
    keys = {f"{grid_id}|{key}": key for key in parsed.households}
    wanted = list(keys)
    collection = Household._get_collection()
    for start in range(0, len(wanted), 1000):
        for doc in collection.find({"active_address": {"$in": wanted[start:start + 1000]}},
                                   {"active_address": 1}):
            first = parsed.households[keys[doc["active_address"]]][0]
            parsed.problem(first[0], "room", "a household is already registered at this address in this grid")


def make_report(parsed: ParsedFile, *, mode: str, dry_run: bool) -> dict:
    """The import report: counts, every bad row with its column and reason, and rows held back."""
    bad_rows = []
    for row in sorted(parsed.bad):
        for key, reason in parsed.bad[row]:
            if len(bad_rows) < REPORT_LIMIT:
                bad_rows.append({"row": row, "field": parsed.column(key), "reason": reason})
    held = sorted(r[0] for rows in parsed.households.values() if not parsed.household_ok(rows)
                  for r in rows if r[0] not in parsed.bad)
    importable = sum(1 for rows in parsed.households.values() if parsed.household_ok(rows))
    return {"format": parsed.kind, "mode": mode, "dry_run": dry_run, "rows": parsed.rows,
            "households": len(parsed.households), "importable": importable, "imported": 0, "residents": 0,
            "bad_row_count": len(parsed.bad), "bad_rows": bad_rows,
            "bad_rows_truncated": len(bad_rows) < sum(len(v) for v in parsed.bad.values()),
            "held_rows": held[:REPORT_LIMIT], "written": False}


# ---- import ----------------------------------------------------------------------------------------

def _size(stream) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


@dataclass(frozen=True)
class ParseLimits:
    """How much one upload may cost to read: the file's bytes and rows, the workbook's budget, the child."""

    max_bytes: int
    max_rows: int = MAX_ROWS
    budget: Budget = Budget()
    memory_bytes: int = PARSE_MEMORY_BYTES
    timeout_s: float = PARSE_TIMEOUT_S
    stale_after_s: float = 120.0        # IMPORT_STALE_S: a journal silent this long on another host is dead


def parse_upload(file, limits: ParseLimits) -> ParsedFile:
    """Read an uploaded register in a memory-limited child process; TooLarge/Invalid on a bad file."""
    size = _size(file)
    if size > limits.max_bytes:
        raise TooLarge(f"the file is {size / 2**20:.1f} MB; the limit is {limits.max_bytes / 2**20:.1f} MB: "
                       f"split it into smaller files", field="file")
    with tempfile.NamedTemporaryFile(prefix="register-", suffix=".upload") as copy:
        shutil.copyfileobj(file, copy)
        copy.flush()
        return run_limited(read_register_file, path=copy.name, max_rows=limits.max_rows, budget=limits.budget,
                           memory_bytes=limits.memory_bytes, timeout_s=limits.timeout_s, what="file")


def import_register(*, actor: Principal, grid_id: str, file, mode: str = ALL_OR_NOTHING, dry_run: bool = False,
                    limits: ParseLimits) -> dict:
    """Import a grid's register from a CSV or XLSX file and return the report of what happened."""
    grid = service._grid(actor, grid_id, "register.write")
    if mode not in MODES:
        raise Invalid(f"mode must be one of {', '.join(MODES)}", field="mode")
    parsed = parse_upload(file, limits)
    if not parsed.rows:
        raise Invalid("the file holds a header row but no residents", field="file")
    validate_households(parsed, grid_id=grid.pk)
    _registered_addresses(parsed, grid.pk)
    report = make_report(parsed, mode=mode, dry_run=dry_run)
    if dry_run:
        return report
    if parsed.bad and mode == ALL_OR_NOTHING:
        raise ImportRejected(f"{report['bad_row_count']} row(s) have problems, so nothing was written: fix them "
                             f"and upload again, or import with mode={GOOD_ROWS_ONLY}", report)
    # an import of this grid that died part-way is taken back before this one writes
    import_journal.recover(stale_after_s=limits.stale_after_s)
    _write(parsed, grid=grid, actor=actor, mode=mode, report=report)
    return report


def household_document(*, grid, actor: Principal, data: dict, import_id: str):
    """A new household built as register_household builds it, its events held in its outbox."""
    h, raised = service.new_household(actor=actor, grid=grid, data=data, import_id=import_id)
    return import_journal.hold(prepare_insert(h, *raised))


class _Stop(Exception):
    """Writing cannot go on; `conflict` when the cause is only addresses taken meanwhile."""

    def __init__(self, conflict: bool):
        super().__init__()
        self.conflict = conflict


def _write(parsed: ParsedFile, *, grid, actor: Principal, mode: str, report: dict) -> None:
    schema = HouseholdCreate()
    collection = Household._get_collection()
    import_id = uuid.uuid4().hex
    todo = [rows for rows in parsed.households.values() if parsed.household_ok(rows)]
    inserted: list = []
    residents = 0
    import_journal.start(import_id=import_id, grid=grid, actor=actor, mode=mode)
    try:
        for start in range(0, len(todo), BATCH):
            batch = todo[start:start + BATCH]
            docs = [household_document(grid=grid, actor=actor, data=schema.load(_payload(rows, grid.pk)),
                                       import_id=import_id) for rows in batch]
            import_journal.record(import_id=import_id, ids=[d["_id"] for d in docs])
            failed = _insert(collection, docs, ordered=mode == ALL_OR_NOTHING)
            stopped_at = min(failed) if failed and mode == ALL_OR_NOTHING else len(docs)
            written = [i for i in range(stopped_at) if i not in failed]
            inserted += [docs[i]["_id"] for i in written]
            residents += sum(len(batch[i]) for i in written)
            clashes = [i for i, error in failed.items() if error.get("code") == 11000]
            for i in clashes:
                parsed.problem(batch[i][0][0], "room", "a household was registered at this address while the "
                                                       "file was being imported")
            if failed and (mode == ALL_OR_NOTHING or len(clashes) < len(failed)):
                raise _Stop(conflict=len(clashes) == len(failed))
        import_journal.commit_import(import_id=import_id)
    except _Stop as stop:
        _give_up(parsed, report, inserted, mode=mode, import_id=import_id, conflict=stop.conflict)
    except Exception as exc:
        if not import_journal.committed(import_id):        # else only the commit's answer was lost
            _give_up(parsed, report, inserted, mode=mode, import_id=import_id, conflict=False, error=exc)
    report.update(make_report(parsed, mode=mode, dry_run=False), imported=len(inserted), residents=residents,
                  written=bool(inserted), import_id=import_id)
    log.info("register imported", extra={"grid_id": grid.pk, "import_id": import_id, "households": len(inserted),
                                          "residents": residents, "bad_rows": len(parsed.bad), "mode": mode})


def _insert(collection, docs: list, *, ordered: bool) -> dict[int, dict]:
    """Insert a batch; return the write errors by position in the batch (none: {})."""
    try:
        collection.insert_many(docs, ordered=ordered)
    except BulkWriteError as exc:
        return {error["index"]: error for error in exc.details.get("writeErrors", [])}
    return {}


def _give_up(parsed, report, inserted, *, mode, import_id, conflict: bool, error: Exception | None = None):
    """Stop an import part-way: all_or_nothing takes back what it wrote, good_rows_only keeps it; raise."""
    report.update(make_report(parsed, mode=mode, dry_run=False), import_id=import_id)
    log.warning("register import stopped part-way", extra={"import_id": import_id, "households": len(inserted),
                                                           "mode": mode, "error": repr(error) if error else "clash"})
    database = error is None or isinstance(error, (PyMongoError, import_journal.Abandoned))
    if mode == GOOD_ROWS_ONLY and not isinstance(error, import_journal.Abandoned):
        try:
            import_journal.commit_import(import_id=import_id)   # the households written are good: keep them
        except (PyMongoError, import_journal.Abandoned):
            pass    # still running: recovery takes them back once this process is gone
        if not database:
            raise error
        raise Unavailable(f"the import stopped after {len(inserted)} household(s) because the database failed; "
                          f"upload the same file again with mode={GOOD_ROWS_ONLY}: households already written "
                          f"are reported as registered and the rest imported", field="file")
    try:
        deleted, withdrawn = import_journal.undo_running(import_id=import_id)
    except import_journal.Abandoned:
        deleted, withdrawn = len(inserted), 0             # recovery took it back already
    except PyMongoError:
        raise Unavailable(f"the import stopped part-way and could not be taken back yet: the {len(inserted)} "
                          f"household(s) of import {import_id} are taken back automatically once the database "
                          f"answers", field="file") from None
    if not database:
        raise error
    report.update(imported=0, residents=0, written=False, withdrawn=withdrawn)
    taken_back = f"the {deleted + withdrawn} household(s) written were taken back"
    if withdrawn:
        taken_back += f" ({withdrawn} already announced to other services are marked as left)"
    if conflict:
        raise ImportConflict(f"another registration took an address of this file while it was being imported; "
                             f"{taken_back}. Upload the file again to see which rows clash", report)
    raise Unavailable(f"the import stopped part-way because the database failed; {taken_back}", field="file")


# ---- export ----------------------------------------------------------------------------------------

@dataclass
class Export:
    file: object
    filename: str
    mimetype: str
    households: int
    residents: int


MIMETYPES = {"csv": "text/csv",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _visible(text: str) -> str:
    """Text without control and invisible format characters (C0, C1, bidi overrides, zero-width, BOM)."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def safe_cell(value):
    """A value a spreadsheet will show as text, never run: control characters are dropped first (XLSX
    cannot hold them, and dropped later they would uncover a formula), then = + - @ at the start get a '."""
    if not isinstance(value, str):
        return value
    value = _visible(value)
    return "'" + value if value[:1] in _ESCAPED else value


def _day(value):
    if isinstance(value, datetime):
        return value.date()
    return value


def _active(tag: dict, today: date) -> bool:
    since, until = _day(tag.get("since")), _day(tag.get("until"))
    return (since is None or since <= today) and (until is None or until >= today)


def sheet_rows(doc: dict, *, masked: bool, care: bool = True, today: date | None = None):
    """A stored household as sheet rows (head first), in COLUMNS order, masked or not; care tags only if `care`."""
    today = today or date.today()
    address = doc.get("address") or {}
    residents = sorted(doc.get("residents") or [], key=lambda r: r.get("relation") != "head")
    head = next((r for r in residents if r.get("relation") == "head"), None)
    for r in residents:
        phone = r.get("phone") or (doc.get("phone") if r is head else None)
        id_number = r.get("id_number")
        tags = [t["tag"] for t in r.get("care_tags") or [] if _active(t, today)] if care else []
        born = _day(r.get("birth_date"))
        if masked and born:
            born = f"{born.year}年"  # the year only: the date narrows a masked ID number (not a date: never imported)
        yield (address.get("building"), address.get("unit"), address.get("room"),
               RESIDENCY_LABEL.get(doc.get("residency"), doc.get("residency")),
               head.get("name") if head else None,
               RELATION_LABEL.get(r.get("relation"), r.get("relation")), r.get("name"),
               GENDER_LABEL.get(r.get("gender")), born,
               mask_id_number(id_number) if masked else id_number,
               mask_phone(phone) if masked else phone,
               "、".join(CARE_LABELS[t][0] for t in tags if t in CARE_LABELS) or None,
               _day(doc.get("moved_in_on")))


def _households(grid_id: str):
    return Household._get_collection().find(
        {"grid_id": grid_id, "status": "active"},
        {"address": 1, "residency": 1, "phone": 1, "moved_in_on": 1, "residents": 1},
    ).sort("address_sort", 1).batch_size(500)


def _write_sheet(grid_id: str, fmt: str, masked: bool, care: bool = True):
    """Write the grid's active households to a temporary file; return it, the ids and the resident count."""
    out = tempfile.SpooledTemporaryFile(max_size=4 * 2**20)
    ids, residents = [], 0
    header = [c.header for c in COLUMNS]
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")   # the BOM makes Excel read UTF-8
        writer = csv.writer(text)
        writer.writerow(header)
        for doc in _households(grid_id):
            ids.append(doc["_id"])
            for row in sheet_rows(doc, masked=masked, care=care):
                writer.writerow(["" if v is None else safe_cell(v.isoformat() if isinstance(v, date) else v)
                                 for v in row])
                residents += 1
        text.flush()
        text.detach()
    else:
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter

        book = Workbook(write_only=True)
        sheet = book.create_sheet("居民台账")
        for i, width in enumerate((10, 8, 8, 10, 12, 12, 12, 6, 12, 22, 14, 18, 12), start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        sheet.append(header)
        for doc in _households(grid_id):
            ids.append(doc["_id"])
            for row in sheet_rows(doc, masked=masked, care=care):
                sheet.append([safe_cell(v) for v in row])
                residents += 1
        book.save(out)
    out.seek(0)
    return out, ids, residents


def export_register(*, actor: Principal, grid_id: str, format: str = "xlsx") -> Export:
    """The grid's active households as a CSV or XLSX sheet with ID numbers and phones masked; logged."""
    grid = service._grid(actor, grid_id, "register.read")
    return _export(grid, actor, format, masked=True, reason=None)


def export_register_revealed(*, actor: Principal, grid_id: str, format: str, reason: str) -> Export:
    """The grid's register in full; every exported household records who revealed it and why."""
    grid = service._grid(actor, grid_id, "register.reveal")
    return _export(grid, actor, format, masked=False, reason=reason)


def _export(grid, actor: Principal, fmt: str, *, masked: bool, reason: str | None) -> Export:
    if fmt not in FORMATS:
        raise Invalid(f"format must be one of {', '.join(FORMATS)}", field="format")
    out, ids, residents = _write_sheet(grid.pk, fmt, masked, care=actor.may("care.read"))
    if not masked:
        at = now()
        records = RevealRecord._get_collection()
        for start in range(0, len(ids), 1000):
            records.insert_many([RevealRecord(household_id=str(i), grid_id=grid.pk, user_id=actor.user_id,
                                              role=actor.role, reason=f"[导出] {reason}"[:200], at=at).to_mongo()
                                 for i in ids[start:start + 1000]], ordered=False)
    RegisterExport(grid_id=grid.pk, community_id=grid.community_id, user_id=actor.user_id, role=actor.role,
                   format=fmt, masked=masked, reason=reason, households=len(ids), residents=residents).save()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d")
    name = f"register-{grid.pk}-{stamp}{'' if masked else '-full'}.{fmt}"
    return Export(file=out, filename=name, mimetype=MIMETYPES[fmt], households=len(ids), residents=residents)
