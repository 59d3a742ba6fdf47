"""Importing a grid's register from the CSV/XLSX sheet a community office keeps.

The sheet has one row per resident under a header row (row 1) of Chinese column names; rows
with the same 楼栋/单元/房号 are one household, with exactly one 户主. Import reads the file as a
stream (sheets/register.py), checks every row with the register's own schemas (HouseholdCreate, which nests
AddressSchema and ResidentWrite) and reports every bad row by its sheet row number. In
`all_or_nothing` mode a file with any bad row writes nothing; `good_rows_only` writes the
households whose rows are all good. Each household is written the way `register_household`
writes it: derived fields, history, and its `household.registered` event in its own outbox, in
the same document, inserted in batches of 500 with the events held until the whole import
commits (import_journal.py), so an import taken back, or killed part-way, announced nothing.

The file is parsed in a child process with a memory ceiling (sheets/parse_child.py) after its ZIP
structure was checked against a budget (sheets/xlsx_budget.py): a hostile workbook ends only that child.
"""
import io
import logging
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from marshmallow import ValidationError
from pymongo.errors import BulkWriteError, PyMongoError

from services.households import rules
from services.households.config import SETTINGS
from services.households.models import Household
from services.households.schemas import HouseholdCreate
from services.households.service import import_journal, import_mappings
from services.households.service.access import grid_in_scope
from services.households.service.households import new_household
from services.households.sheets.parse_child import run_limited
from services.households.sheets.register import HEADERS, POS, ParsedFile, check_mapping, read_register_file
from services.households.sheets.xlsx_budget import Budget, TooLarge
from shared.config import COMMON
from shared.errors import DomainError, Invalid, Reason, Unavailable
from shared.identity import Principal
from shared.messaging.outbox import prepare_insert
from shared.reasons import households as reasons
from shared.reasons.common import reason_of

log = logging.getLogger(__name__)


ALL_OR_NOTHING = "all_or_nothing"


GOOD_ROWS_ONLY = "good_rows_only"


MODES = (ALL_OR_NOTHING, GOOD_ROWS_ONLY)


BATCH = 500                # households per insert_many


REPORT_LIMIT = 10_000      # bad-row entries listed in one report (all are counted)


MAX_RESIDENTS = 30         # per household, as HouseholdCreate allows


UPLOAD_COPY_PREFIX = "register-"     # an upload's copy while a child reads it


class ReportError(DomainError):
    """An import refused or undone as a whole; the web layer returns the report with the error."""

    def __init__(self, message: Reason, report: dict, *, field: str | None = "file"):
        super().__init__(message, field=field)
        self.report = report


class ImportRejected(ReportError):
    status = 422
    code = "validation_failed"


class ImportConflict(ReportError):
    status = 409
    code = "conflict"


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
        resident = {k: r[POS[k]] for k in ("name", "gender", "birth_date", "id_number", "phone", "hukou_place",
                                           "permit_number", "permit_expires_on", "arrived_on", "stay_months")}
        resident["relation"] = r[POS["relation"]]
        resident["care_tags"] = [{"tag": t} for t in r[POS["care_tags"]]]
        residents.append({k: v for k, v in resident.items() if v is not None})
    return {"grid_id": grid_id,
            "address": {"building": first[POS["building"]], "unit": first[POS["unit"]], "room": first[POS["room"]]},
            "residency": shared["residency"], "phone": head[POS["phone"]] if head else None,
            "moved_in_on": shared["moved_in_on"], "residents": residents}


def _messages(value) -> list[Reason]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in _messages(v)]
    return [reason_of(value) or Reason(str(value), code="field.invalid")]


def _reason(value) -> Reason:
    """HouseholdCreate's messages for one column as one reason (joined by '; ' when several)."""
    return reasons.several(_messages(value))


def no_progress(state: str | None = None, **counters) -> None:
    """Progress nobody follows (an import checked outside a job)."""


def validate_households(parsed: ParsedFile, *, grid_id: str, progress=no_progress) -> None:
    """Check each household with HouseholdCreate and the sheet's own rules; record problems by row."""
    schema = HouseholdCreate()
    checked = 0
    for rows in parsed.households.values():
        _household_rules(parsed, rows)
        try:
            schema.load(_payload(rows, grid_id))
        except ValidationError as exc:
            _attribute(parsed, rows, exc.messages)
        checked += len(rows)
        progress(rows_checked=checked)


def _household_rules(parsed: ParsedFile, rows: list[tuple]) -> None:
    """Rows of one household must agree with each other and name exactly one 户主."""
    first = rows[0]
    for key in ("residency", "moved_in_on"):
        source = _shared(rows, key)
        for r in rows:
            if source is not None and r[POS[key]] is not None and r[POS[key]] != source[POS[key]]:
                parsed.problem(r[0], key, reasons.DIFFERS_FROM_ROW(row=source[0], address=_where(first),
                                                                   column=HEADERS[key]))
    heads = [r for r in rows if r[POS["relation"]] == "head"]
    relation_reported = any(k == "relation" for r in rows for k, _ in parsed.bad.get(r[0], ()))
    if not heads and not relation_reported:
        parsed.problem(first[0], "relation", reasons.NO_HEAD_ROW(address=_where(first)))
    for extra in heads[1:]:
        parsed.problem(extra[0], "relation", reasons.SECOND_HEAD(address=_where(first), row=heads[0][0]))
    if heads:
        head_name = heads[0][POS["name"]]
        for r in rows:
            named = r[POS["head_name"]]
            if named and head_name and named != head_name:
                parsed.problem(r[0], "head_name", reasons.OTHER_HEAD(address=_where(first), head=head_name,
                                                                     row=heads[0][0], named=named))
    if len(rows) > MAX_RESIDENTS:
        parsed.problem(rows[MAX_RESIDENTS][0], "room", reasons.TOO_MANY_RESIDENTS(rows=len(rows), address=_where(first),
                                                                                   max=MAX_RESIDENTS))


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
                    parsed.problem(row, column, _reason(msgs))
        elif key == "residents":
            # household-wide rules (one head, repeated ID numbers): already put on the rows they
            # concern by _household_rules and read_register; anything else goes on the first row.
            if parsed.household_ok(rows):
                parsed.problem(first, "relation", _reason(value))
        elif key == "address" and isinstance(value, dict):
            for name, msgs in value.items():
                parsed.problem(first, name if name in POS else "building", _reason(msgs))
        elif key == "phone":
            parsed.problem(head, "phone", _reason(value))
        else:
            parsed.problem(first, key if key in POS else "building", _reason(value))


def _where(row: tuple) -> str:
    return "/".join(p for p in (row[POS["building"]], row[POS["unit"]], row[POS["room"]]) if p)


def _registered_addresses(parsed: ParsedFile, grid_id: str) -> None:
    """Households of the file whose address is already registered in the grid."""
    keys = {rules.active_address(grid_id, key): key for key in parsed.households}
    wanted = list(keys)
    collection = Household._get_collection()
    for start in range(0, len(wanted), 1000):
        for doc in collection.find({"active_address": {"$in": wanted[start:start + 1000]}},
                                   {"active_address": 1}):
            first = parsed.households[keys[doc["active_address"]]][0]
            parsed.problem(first[0], "room", reasons.ADDRESS_TAKEN())


def make_report(parsed: ParsedFile, *, mode: str, dry_run: bool) -> dict:
    """The import report: counts, every bad row with its column and reason (English, code, params), rows held."""
    bad_rows = []
    for row in sorted(parsed.bad):
        for key, reason in parsed.bad[row]:
            if len(bad_rows) < REPORT_LIMIT:
                bad_rows.append({"row": row, "field": parsed.column(key), "reason": str(reason), **reason.as_json()})
    held = sorted(r[0] for rows in parsed.households.values() if not parsed.household_ok(rows)
                  for r in rows if r[0] not in parsed.bad)
    importable = sum(1 for rows in parsed.households.values() if parsed.household_ok(rows))
    return {"format": parsed.kind, "mode": mode, "dry_run": dry_run, "rows": parsed.rows,
            "households": len(parsed.households), "importable": importable, "imported": 0, "residents": 0,
            "bad_row_count": len(parsed.bad), "bad_rows": bad_rows,
            "bad_rows_truncated": len(bad_rows) < sum(len(v) for v in parsed.bad.values()),
            "held_rows": held[:REPORT_LIMIT], "written": False, **(parsed.header.as_json() if parsed.header else {})}


def column_report(parsed: ParsedFile, *, mode: str, dry_run: bool) -> dict:
    """The report of a file whose columns are refused: its columns, what each unknown one could be; no rows."""
    return {"format": parsed.kind, "mode": mode, "dry_run": dry_run, "written": False, **parsed.header.as_json()}


def _size(stream) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


@dataclass(frozen=True)
class ParseLimits:
    """How much one upload may cost to read: the file's bytes and rows, the workbook's budget, the child."""

    max_bytes: int
    max_rows: int
    budget: Budget
    memory_bytes: int
    timeout_s: float

    @classmethod
    def from_settings(cls) -> "ParseLimits":
        """The limits the settings give (MAX_UPLOAD_BYTES, MAX_IMPORT_ROWS, IMPORT_PARSE_*)."""
        return cls(max_bytes=COMMON.MAX_UPLOAD_BYTES, max_rows=SETTINGS.MAX_IMPORT_ROWS,
                   budget=Budget.for_rows(SETTINGS.MAX_IMPORT_ROWS),
                   memory_bytes=SETTINGS.IMPORT_PARSE_MEMORY_MB * 2**20, timeout_s=SETTINGS.IMPORT_PARSE_TIMEOUT_S)


def check_size(file, limits: ParseLimits) -> None:
    """Refuse (413) a file larger than the upload limit, before anything reads it."""
    size = _size(file)
    if size > limits.max_bytes:
        raise TooLarge(reasons.FILE_TOO_LARGE(size_mb=f"{size / 2**20:.1f}", limit_mb=f"{limits.max_bytes / 2**20:.1f}"),
                       field="file")


def parse_upload(file, limits: ParseLimits, *, mapping: dict | None = None, lenient: bool = False,
                 progress=None) -> ParsedFile:
    """Read an uploaded register in a memory-limited child process; TooLarge/Invalid on a bad file (see
    read_register for `mapping`, `lenient` and `progress`)."""
    check_size(file, limits)
    with tempfile.NamedTemporaryFile(prefix=UPLOAD_COPY_PREFIX, suffix=".upload") as copy:
        shutil.copyfileobj(file, copy)
        copy.flush()
        return run_limited(read_register_file, path=copy.name, max_rows=limits.max_rows, budget=limits.budget,
                           mapping=mapping, lenient=lenient, memory_bytes=limits.memory_bytes,
                           timeout_s=limits.timeout_s, what="file", progress=progress)


def remove_stale_upload_copies(*, older_than_s: float) -> int:
    """Delete upload copies (personal data) a killed process left in the temporary folder; how many."""
    removed = 0
    for path in Path(tempfile.gettempdir()).glob(f"{UPLOAD_COPY_PREFIX}*.upload"):
        try:
            if time.time() - path.stat().st_mtime > older_than_s:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # its own process finished with it meanwhile
            pass
    return removed


def check_request(*, actor: Principal, grid_id: str, mode: str, mapping: dict | None):
    """What an import can be refused for without reading its file (scope, mode, mapping); the grid."""
    grid = grid_in_scope(actor, grid_id, "register.write")
    if mode not in MODES:
        raise Invalid(reasons.MODE_ONE_OF(choices=", ".join(MODES)), field="mode")
    check_mapping(mapping)
    return grid


def import_register(*, actor: Principal, grid_id: str, file, mode: str = ALL_OR_NOTHING,
                    dry_run: bool = False, mapping: dict | None = None, progress=no_progress,
                    import_id: str | None = None) -> dict:
    """Import a grid's register from a CSV or XLSX file and return the report of what happened.

    `progress(state=None, **counters)` hears the import's stage (checking, writing) and its counters
    (rows_read, rows_checked, households_total, households_written) as they grow. `import_id` names the
    import's journal (a new id if not given), which commits with the report."""
    grid = check_request(actor=actor, grid_id=grid_id, mode=mode, mapping=mapping)
    in_force = {**import_mappings.remembered(grid.community_id), **check_mapping(mapping)}
    parsed = parse_upload(file, ParseLimits.from_settings(), mapping=in_force, lenient=True,
                          progress=lambda rows: progress(rows_read=rows))
    progress(state="checking", households_total=len(parsed.households))
    header = parsed.header
    if header.missing or header.twice or (header.unknown and not dry_run):
        # a dry run reads the rows without the unknown columns, and lists each with what it could be
        field = "file" if (header.missing or header.twice) and not header.mapped_twice else "mapping"
        if not header.unknown and not header.mapped_twice:     # nothing to choose a column for: the refusal alone
            raise Invalid(header.reason(), field=field)
        raise ImportRejected(header.reason(), column_report(parsed, mode=mode, dry_run=dry_run), field=field)
    if not parsed.rows:
        raise Invalid(reasons.NO_RESIDENTS(), field="file")
    validate_households(parsed, grid_id=grid.pk, progress=progress)
    _registered_addresses(parsed, grid.pk)
    report = make_report(parsed, mode=mode, dry_run=dry_run)
    if dry_run:
        return report
    if parsed.bad and mode == ALL_OR_NOTHING:
        raise ImportRejected(reasons.ROWS_REJECTED(n=report["bad_row_count"], mode=GOOD_ROWS_ONLY), report)
    # an import of this grid that died part-way is taken back before this one writes
    import_journal.recover(stale_after_s=SETTINGS.IMPORT_STALE_S)
    progress(state="writing")
    _write(parsed, grid=grid, actor=actor, mode=mode, report=report, progress=progress,
           import_id=import_id or uuid.uuid4().hex)
    if report["written"]:
        import_mappings.remember(community_id=grid.community_id, mapping=header.mapping, actor=actor)
    return report


def household_document(*, grid, actor: Principal, data: dict, import_id: str):
    """A new household built as register_household builds it, its events held in its outbox."""
    h, raised = new_household(actor=actor, grid=grid, data=data, import_id=import_id)
    return import_journal.hold(prepare_insert(h, *raised))


class _Stop(Exception):
    """Writing cannot go on; `conflict` when the cause is only addresses taken meanwhile."""

    def __init__(self, conflict: bool):
        super().__init__()
        self.conflict = conflict


def _write(parsed: ParsedFile, *, grid, actor: Principal, mode: str, report: dict, progress, import_id: str) -> None:
    schema = HouseholdCreate()
    collection = Household._get_collection()
    todo = [key for key, rows in parsed.households.items() if parsed.household_ok(rows)]    # rows read per batch
    inserted: list = []
    residents = 0
    import_journal.start(import_id=import_id, grid=grid, actor=actor, mode=mode)
    try:
        for start in range(0, len(todo), BATCH):
            batch = [parsed.households[key] for key in todo[start:start + BATCH]]
            docs = [household_document(grid=grid, actor=actor, data=schema.load(_payload(rows, grid.pk)),
                                       import_id=import_id) for rows in batch]
            import_journal.record(import_id=import_id, ids=[d["_id"] for d in docs])
            failed = _insert(collection, docs, ordered=mode == ALL_OR_NOTHING)
            stopped_at = min(failed) if failed and mode == ALL_OR_NOTHING else len(docs)
            written = [i for i in range(stopped_at) if i not in failed]
            inserted += [docs[i]["_id"] for i in written]
            residents += sum(len(batch[i]) for i in written)
            progress(households_written=len(inserted))
            clashes = [i for i, error in failed.items() if error.get("code") == 11000]
            for i in clashes:
                parsed.problem(batch[i][0][0], "room", reasons.ADDRESS_TAKEN_MEANWHILE())
            if failed and (mode == ALL_OR_NOTHING or len(clashes) < len(failed)):
                raise _Stop(conflict=len(clashes) == len(failed))
        report.update(make_report(parsed, mode=mode, dry_run=False), imported=len(inserted), residents=residents,
                      written=bool(inserted), import_id=import_id)
        import_journal.commit_import(import_id=import_id, report=report)
    except _Stop as stop:
        _give_up(parsed, report, inserted, mode=mode, import_id=import_id, conflict=stop.conflict)
    except Exception as exc:
        if not import_journal.committed(import_id):        # else only the commit's answer was lost
            _give_up(parsed, report, inserted, mode=mode, import_id=import_id, conflict=False, error=exc)
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
        raise Unavailable(reasons.STOPPED_KEPT(n=len(inserted), mode=GOOD_ROWS_ONLY), field="file")
    try:
        deleted, withdrawn = import_journal.undo_running(import_id=import_id)
    except PyMongoError:
        raise Unavailable(reasons.STOPPED_NOT_TAKEN_BACK(n=len(inserted), import_id=import_id), field="file") from None
    if not database:
        raise error
    report.update(imported=0, residents=0, written=False, withdrawn=withdrawn)
    taken_back = dict(n=deleted + withdrawn, withdrawn=withdrawn, withdrawn_note=reasons.withdrawn_note(withdrawn))
    if conflict:
        raise ImportConflict(reasons.CLASH_TAKEN_BACK(**taken_back), report)
    stalled = isinstance(error, import_journal.Abandoned)
    raise Unavailable((reasons.STOPPED_STALLED if stalled else reasons.STOPPED_DATABASE)(**taken_back), field="file")
