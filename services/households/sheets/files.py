"""Reading a CSV (UTF-8, UTF-16 or GB18030; comma, tab or semicolon) or XLSX file as a stream of rows, an XLSX
first checked against its budget (xlsx_budget.py); a reader's failure part-way becomes a clear answer on `file`."""
import codecs
import csv
import io
import warnings
import zipfile
import zlib
from contextlib import contextmanager

from services.households.sheets import xlsx_budget
from services.households.sheets.xlsx_budget import Budget
from shared.errors import Invalid
from shared.reasons import households as reasons


@contextmanager
def open_rows(stream, budget: Budget = Budget()):
    """Yield (kind, rows) for a seekable binary file: rows are (sheet row number, cells), header first."""
    head = stream.read(8)
    stream.seek(0)
    if not head:
        raise Invalid(reasons.FILE_EMPTY(), field="file")
    if head.startswith(b"PK\x03\x04"):
        workbook = _open_xlsx(stream, budget)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()   # read every row, whatever the file claims its size is
            yield "xlsx", _guard(enumerate(sheet.iter_rows(values_only=True), start=1), "workbook")
        finally:
            workbook.close()
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Invalid(reasons.OLD_EXCEL(), field="file")
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
        raise Invalid(reasons.UNREADABLE_PAST(what=what, error=str(exc)), field="file") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError, SyntaxError,
            OSError) as exc:
        # SyntaxError covers the XML parsers' ParseError
        raise Invalid(reasons.DAMAGED(what=what, error=exc.__class__.__name__), field="file") from None


def _open_xlsx(stream, budget: Budget):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    xlsx_budget.check_directory(stream, budget)
    try:
        with zipfile.ZipFile(stream) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise Invalid(reasons.not_a_sheet("zip"), field="file")
            xlsx_budget.check_parts(archive, budget)
            xlsx_budget.count_contents(archive, budget)
    except (zipfile.BadZipFile, OSError, SyntaxError):     # SyntaxError: [Content_Types].xml is not XML
        raise Invalid(reasons.not_a_sheet("damaged_zip"), field="file") from None
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openpyxl warns about styles and extensions it skips
            workbook = load_workbook(stream, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, SyntaxError, OSError):
        raise Invalid(reasons.not_a_sheet("damaged"), field="file") from None
    if not workbook.worksheets:
        workbook.close()
        raise Invalid(reasons.NO_WORKSHEET(), field="file")
    return workbook


def _encoding(sample: bytes) -> str:
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if sample.startswith(bom):
            return name
    if b"\x00" in sample:
        raise Invalid(reasons.not_a_sheet(), field="file")
    # Excel on a Chinese Windows saves CSV as GBK (a subset of GB18030); elsewhere UTF-8.
    for name in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(name)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
            break
        return name
    raise Invalid(reasons.not_a_sheet("encoding"), field="file")


def _delimiter(sample: bytes, encoding: str) -> str:
    """Comma, tab (Excel's "Unicode text") or semicolon: whichever the header line has most of."""
    first = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(sample).lstrip("\ufeff")
    first = first.splitlines()[0] if first else ""
    return max((",", "\t", ";"), key=first.count) if first else ","
