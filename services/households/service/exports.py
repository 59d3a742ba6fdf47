"""Exporting a grid's register as the sheet it is imported from.

Export writes the same columns, so an export can be imported again; ID numbers, phones and residence permit
numbers are masked unless the caller reveals them with a reason, which is recorded per household.
"""
import csv
import io
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date

import mongoengine as me

from services.households import rules
from services.households.models import Household, RevealRecord
from services.households.service.access import grid_in_scope
from services.households.sheets.register import (
    CARE_LABELS,
    COLUMNS,
    ESCAPED_STARTS,
    GENDER_LABEL,
    RELATION_LABEL,
    RESIDENCY_LABEL,
)
from shared import clock
from shared.clock import now
from shared.errors import Invalid
from shared.identity import Principal
from shared.reasons import households as reasons
from shared.validators import mask_id_number, mask_phone

FORMATS = ("xlsx", "csv")


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
    """A value a spreadsheet will show as text, never run (= + - @ at the start get a ')."""
    # control characters go first: XLSX cannot hold them, and dropped later they would uncover a formula
    if not isinstance(value, str):
        return value
    value = _visible(value)
    return "'" + value if value[:1] in ESCAPED_STARTS else value


def sheet_rows(doc: dict, *, masked: bool, care: bool = True, today: date | None = None):
    """A stored household as sheet rows (head first), in COLUMNS order, masked or not; care tags only if `care`."""
    today = today or clock.today()
    address = doc.get("address") or {}
    residents = sorted(doc.get("residents") or [], key=lambda r: r.get("relation") != "head")
    head = next((r for r in residents if r.get("relation") == "head"), None)
    for r in residents:
        phone = r.get("phone") or (doc.get("phone") if r is head else None)
        id_number = r.get("id_number")
        tags = [t["tag"] for t in r.get("care_tags") or [] if rules.listed_on(t, today)] if care else []
        born = rules.day(r.get("birth_date"))
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
               rules.day(doc.get("moved_in_on")),
               r.get("hukou_place"),
               mask_id_number(r.get("permit_number")) if masked else r.get("permit_number"),
               rules.day(r.get("permit_expires_on")), rules.day(r.get("arrived_on")), r.get("stay_months"))


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
        for i, width in enumerate((10, 8, 8, 10, 12, 12, 12, 6, 12, 22, 14, 18, 12, 16, 22, 14, 12, 10), start=1):
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
    grid = grid_in_scope(actor, grid_id, "register.read")
    return _export(grid, actor, format, masked=True, reason=None)


def export_register_revealed(*, actor: Principal, grid_id: str, format: str, reason: str) -> Export:
    """The grid's register in full; every exported household records who revealed it and why."""
    grid = grid_in_scope(actor, grid_id, "register.reveal")
    return _export(grid, actor, format, masked=False, reason=reason)


def _export(grid, actor: Principal, fmt: str, *, masked: bool, reason: str | None) -> Export:
    if fmt not in FORMATS:
        raise Invalid(reasons.FORMAT_ONE_OF(choices=", ".join(FORMATS)), field="format")
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
    stamp = clock.now().strftime("%Y%m%d")
    name = f"register-{grid.pk}-{stamp}{'' if masked else '-full'}.{fmt}"
    return Export(file=out, filename=name, mimetype=MIMETYPES[fmt], households=len(ids), residents=residents)
