"""What an uploaded workbook may cost to open, checked from the ZIP itself before openpyxl reads it.

Limits go by what the parts hold and declare, never by their names: openpyxl finds the shared strings
through [Content_Types].xml, so a shared-strings part stored as `xl/worksheets/x.xml` is still shared
strings. The ZIP's central directory gives the number of parts and their unpacked sizes (zipfile stops
a part at its declared size, so a lying header cannot unpack more); a stream over every part counts the
shared strings (`<si>`) and cells (`<c>`) without keeping them.
"""
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from shared.errors import DomainError, Invalid
from shared.reasons import households as reasons

WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_EOCD = b"PK\x05\x06"
_SHARED_STRING = re.compile(rb"<(?:\w{1,16}:)?si[\s/>]")
_CELL = re.compile(rb"<(?:\w{1,16}:)?c[\s/>]")
_OVERLAP = 24    # longer than any match above, so a tag split across two chunks is seen once


class TooLarge(DomainError):
    status = 413
    code = "too_large"


@dataclass(frozen=True)
class Budget:
    """What one upload may unpack to. A 60,000-row register is ~40 MB of sheet XML, ~10 MB of shared
    strings, ~20 parts, ~800,000 cells."""

    parts: int = 1000
    unpacked: int = 320 * 2**20          # all parts together
    sheet_part: int = 256 * 2**20        # a part declared a worksheet (streamed by openpyxl)
    other_part: int = 32 * 2**20         # any other part (openpyxl reads these whole)
    ratio: int = 200                     # unpacked / packed, for parts over 1 MB unpacked
    shared_strings: int = 1_000_000
    cells: int = 3_000_000

    @classmethod
    def for_rows(cls, max_rows: int) -> "Budget":
        """The budget of a file of at most `max_rows` rows: 50 cells and 16 distinct texts a row at most."""
        return cls(shared_strings=max(100_000, max_rows * 16), cells=max(100_000, max_rows * 50))


def _too_large(what: str, limit) -> TooLarge:
    return TooLarge(reasons.WORKBOOK_TOO_LARGE(what=what, limit=limit), field="file")


def check_directory(stream, budget: Budget) -> None:
    """The part count from the ZIP's end record, before zipfile builds one entry per part."""
    stream.seek(0, 2)
    size = stream.tell()
    tail_at = max(0, size - (22 + 65535))
    stream.seek(tail_at)
    tail = stream.read()
    stream.seek(0)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return                                   # zipfile will call it damaged
    # end of central directory: signature, disk, directory disk, entries here, entries in all, directory size
    _, _, _, total, directory_size = struct.unpack("<HHHHL", tail[at + 4:at + 16])
    if total != 0xFFFF and total > budget.parts:
        raise _too_large(f"{total} parts", budget.parts)
    if directory_size != 0xFFFFFFFF and directory_size > budget.parts * 1024:
        raise _too_large(f"a directory of {directory_size // 1024} KB", f"{budget.parts} parts")


def _content_types(archive: zipfile.ZipFile) -> dict[str, set[str]]:
    """{part name: every content type declared for it}, from [Content_Types].xml's overrides (all of them: a
    part declared twice counts as both) and its extension defaults."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return {}
    if info.file_size > 2**20:
        raise _too_large(f"[Content_Types].xml of {info.file_size // 1024} KB", "1 MB")
    root = ElementTree.fromstring(archive.read(info))
    defaults, overrides = {}, {}
    for element in root:
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "Default":
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
        elif tag == "Override":
            overrides.setdefault(element.get("PartName", "").lstrip("/"), set()).add(element.get("ContentType", ""))
    return {p.filename: overrides.get(p.filename) or {defaults.get(p.filename.rsplit(".", 1)[-1].lower(), "")}
            for p in archive.infolist()}


def check_parts(archive: zipfile.ZipFile, budget: Budget) -> None:
    """Part count, unpacked sizes (each and together), compression ratio, by declared content type."""
    parts = archive.infolist()
    if len(parts) > budget.parts:
        raise _too_large(f"{len(parts)} parts", budget.parts)
    total = sum(p.file_size for p in parts)
    if total > budget.unpacked:
        raise _too_large(f"{total // 2**20} MB unpacked", f"{budget.unpacked // 2**20} MB")
    types = _content_types(archive)
    for p in parts:
        limit = budget.sheet_part if types.get(p.filename) == {WORKSHEET} else budget.other_part
        if p.file_size > limit:
            raise _too_large(f"{p.filename} unpacks to {p.file_size // 2**20} MB", f"{limit // 2**20} MB")
        if p.file_size > 2**20 and p.file_size > budget.ratio * max(p.compress_size, 1):
            raise _too_large(f"{p.filename} is packed {p.file_size // max(p.compress_size, 1)} to 1",
                             f"{budget.ratio} to 1")


def _count(pattern, window: bytes, tail: bytes) -> int:
    """Matches in `window` not already counted in `tail`, the previous window's end (no match spans more)."""
    return len(pattern.findall(window)) - len(pattern.findall(tail))


def count_contents(archive: zipfile.ZipFile, budget: Budget) -> tuple[int, int]:
    """Stream every part, counting shared strings and cells; stop as soon as either is over budget."""
    strings = cells = 0
    for p in archive.infolist():
        if p.is_dir():
            continue
        tail = b""
        try:
            with archive.open(p) as part:
                while chunk := part.read(1 << 20):
                    window = tail + chunk
                    strings += _count(_SHARED_STRING, window, tail)
                    cells += _count(_CELL, window, tail)
                    if strings > budget.shared_strings:
                        raise _too_large(f"more than {budget.shared_strings} shared strings", budget.shared_strings)
                    if cells > budget.cells:
                        raise _too_large(f"more than {budget.cells} cells", budget.cells)
                    tail = window[-_OVERLAP:]
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            raise Invalid(reasons.not_a_sheet("damaged"), field="file") from None
    return strings, cells
