"""HTTP routes for importing and exporting a grid's register as CSV/XLSX, and a community's column mapping for
its sheets: load, call, dump."""
import json
import logging

from flask import g, jsonify, send_file
from flask_smorest.fields import Upload
from marshmallow import RAISE, Schema, ValidationError, fields, validate
from pymongo.errors import ConnectionFailure, PyMongoError
from werkzeug.datastructures import FileStorage

from services.households import service
from services.households.config import SETTINGS
from services.households.service import import_jobs, import_journal, import_mappings
from services.households.service.exports import FORMATS, MIMETYPES, Export
from services.households.service.imports import ALL_OR_NOTHING, MODES, REPORT_LIMIT, ReportError
from services.households.sheets.register import COLUMNS, KEYS, MAPPING_MAX
from shared.errors import DomainError
from shared.reasons import common
from shared.reasons import households as reasons
from shared.web.blueprint import Blueprint
from shared.web.errors import error_response
from shared.web.factory import caller

log = logging.getLogger(__name__)

# named "transfer" as before: its endpoint names (transfer.import_register, ...) stay what callers and logs know
bp = Blueprint("transfer", __name__, url_prefix="/",
               description="Bulk import and export of a grid's register (台账导入导出, CSV/XLSX)")

XLSX = MIMETYPES["xlsx"]
CSV = "text/csv"
COLUMN_LIST = "、".join(c.header for c in COLUMNS)


class _File(Upload):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError(reasons.SEND_A_FILE())
        return value


class _MappingJSON(fields.Field):
    """A form field holding a JSON object (the column mapping)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else {}
            except ValueError:
                value = None
        if not isinstance(value, dict):
            raise ValidationError(reasons.MAPPING_SHAPE(max=MAPPING_MAX, columns=", ".join(KEYS)))
        return value


MAPPING_HELP = (f"the file's own column names the register does not know, each mapped to a register column "
                f"({', '.join(KEYS)}) or to null to ignore it, e.g. {{\"重点人群\": \"care_tags\", \"备注\": null}}. "
                f"A dry run lists each unknown header under `unknown_columns` with the columns it could be. The "
                f"community's remembered mapping (GET /communities/<id>/import-mapping) applies first; what is sent "
                f"here wins, and is remembered once the import writes")


class ImportForm(Schema):
    class Meta:
        unknown = RAISE

    file = _File(required=True, metadata={"description": f"the register as .xlsx or .csv (UTF-8 or GB18030), "
                                                          f"header in row 1: {COLUMN_LIST}"})
    mode = fields.String(load_default=ALL_OR_NOTHING, validate=validate.OneOf(MODES),
                         metadata={"description": "all_or_nothing: a file with a bad row writes nothing; "
                                                  "good_rows_only: write the households whose rows are all good"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "check only; write nothing"})
    mapping = _MappingJSON(load_default=None, metadata={"description": "JSON: " + MAPPING_HELP,
                                                        "type": "string"})


class BadRow(Schema):
    row = fields.Integer(metadata={"description": "the sheet row number as the user sees it; the header is row 1"})
    field = fields.String(metadata={"description": "the column as headed in the file, or `file`"})
    reason = fields.String(metadata={"description": "the problem in English"})
    code = fields.String(metadata={"description": "the problem's stable code (shared.reasons); import.row.several "
                                                  "lists a column's problems under params.reasons"})
    params = fields.Dict(metadata={"description": "the parameters of the code's words"})


class UnknownColumn(Schema):
    header = fields.String(metadata={"description": "the column as headed in the file"})
    candidates = fields.List(fields.String(), metadata={
        "description": "the register columns it could be mapped to (those the file does not have yet)"})


class ImportReport(Schema):
    format = fields.String(metadata={"description": "xlsx or csv, as read from the content"})
    mode = fields.String()
    dry_run = fields.Boolean()
    rows = fields.Integer(metadata={"description": "resident rows read (blank rows skipped)"})
    households = fields.Integer(metadata={"description": "households (distinct addresses) in the file"})
    importable = fields.Integer(metadata={"description": "households whose rows are all good"})
    imported = fields.Integer(metadata={"description": "households written by this request"})
    residents = fields.Integer(metadata={"description": "residents written by this request"})
    bad_row_count = fields.Integer(metadata={"description": "rows with at least one problem"})
    bad_rows = fields.List(fields.Nested(BadRow), metadata={
        "description": f"one entry per problem, by row (the first {REPORT_LIMIT} are listed)"})
    bad_rows_truncated = fields.Boolean()
    held_rows = fields.List(fields.Integer(), metadata={
        "description": "good rows not written because another row of their household is bad"})
    withdrawn = fields.Integer(metadata={"description": "on a 409: households taken back as left, because "
                                                        "their registration had already been announced"})
    written = fields.Boolean(metadata={"description": "whether anything was written"})
    import_id = fields.String(metadata={"description": "names this import in each household's history"})
    unknown_columns = fields.List(fields.Nested(UnknownColumn), metadata={
        "description": "headers neither the register nor the mapping knows: a dry run leaves them out and "
                       "reads the rest; an import refuses them (422) until each is mapped or ignored"})
    missing_columns = fields.List(fields.String(), metadata={"description": "required register columns not found"})
    ignored_columns = fields.List(fields.String(), metadata={"description": "headers the mapping ignores"})
    mapping = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), metadata={
        "description": "the mapping in force for this file (remembered for the community, and as sent)"})
    columns = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "each register column found, with its header in the file"})
    register_columns = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "every register column a header may be mapped to, with its name in the register's sheet"})


class ImportMappingBody(Schema):
    class Meta:
        unknown = RAISE

    mapping = fields.Dict(required=True, keys=fields.String(), values=fields.String(allow_none=True),
                          metadata={"description": MAPPING_HELP})


class ImportMappingView(Schema):
    community_id = fields.String()
    mapping = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    updated_at = fields.DateTime(allow_none=True)
    updated_by = fields.String(allow_none=True)


class UniformError(Schema):
    status = fields.Integer()
    error = fields.String()
    message = fields.String()
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()))
    request_id = fields.String(allow_none=True)


class ErrorWithReport(UniformError):
    report = fields.Nested(ImportReport, metadata={"description": "the import report, as on success"})


class JobProgress(Schema):
    rows_read = fields.Integer(metadata={"description": "resident rows read from the file so far"})
    rows_checked = fields.Integer(metadata={"description": "rows checked against the register's rules so far"})
    households_total = fields.Integer(metadata={"description": "households (distinct addresses) in the file, "
                                                               "known once it is read"})
    households_written = fields.Integer(metadata={"description": "households written so far (an import taken "
                                                                 "back does not lower it: the outcome tells)"})


class JobOutcome(Schema):
    status = fields.Integer(metadata={"description": "what the import answered: 201 written, 200 a dry run or "
                                                     "nothing to write, 422 refused rows, columns or file, 409 a "
                                                     "clash taken back, 413 a workbook too large to read, 503 "
                                                     "stopped (taken back)"})
    body = fields.Dict(metadata={"description": "the ImportReport (200/201), or the uniform error body, with the "
                                                "report under `report` when there is one (ErrorWithReport)"})


class ImportJobView(Schema):
    id = fields.String()
    grid_id = fields.String()
    community_id = fields.String()
    mode = fields.String()
    dry_run = fields.Boolean()
    filename = fields.String(allow_none=True, metadata={"description": "the upload's name (its content is kept "
                                                                       "only until the job ends)"})
    state = fields.String(metadata={"description": "queued, reading, checking, writing, then done (outcome status "
                                                   "below 400) or failed; never moves back"})
    progress = fields.Nested(JobProgress, metadata={"description": "counts only; each only grows"})
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    attempts = fields.Integer(metadata={"description": "times it was run: more than 1 when the API running it "
                                                       "stopped and another took it back and ran it again"})
    outcome = fields.Nested(JobOutcome, allow_none=True, metadata={"description": "null until done or failed"})


class ImportJobList(Schema):
    items = fields.List(fields.Nested(ImportJobView), metadata={"description": f"the last {import_jobs.LISTED} "
                                                                                f"jobs, newest first"})
    total = fields.Integer(metadata={"description": "the grid's jobs in all"})


class ExportQuery(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS))


class ExportRequest(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=190),
                           metadata={"description": "why the full ID numbers and phones are needed; recorded"})


_SHEET = {"description": f"the grid's register, one row per resident, columns {COLUMN_LIST}; CSV is UTF-8 "
                         f"with a BOM. The same columns can be imported again.",
          "content": {XLSX: {"schema": {"type": "string", "format": "binary"}},
                      CSV: {"schema": {"type": "string", "format": "binary"}}}}


def _error(exc: DomainError):
    return error_response(exc.status, exc.message, {exc.field: [exc.message]} if exc.field else {})


def _report_error(exc: ReportError):
    response, status = _error(exc)
    body = response.get_json()
    body["report"] = ImportReport().dump(exc.report)
    return jsonify(body), status


bp.register_error_handler(ReportError, _report_error)


def _answer(job, call) -> tuple[int, dict]:
    """What the synchronous import route answered for `call`: the report (201 written, else 200) or the error."""
    g.request_id = job.request_id
    try:
        report = call()
    except ReportError as exc:
        response, status = _report_error(exc)
    except DomainError as exc:
        response, status = _error(exc)
    except ConnectionFailure:
        response, status = error_response(503, common.DATABASE_DOWN())
    except import_jobs.JobLost:
        raise
    except Exception:
        log.exception("register import failed", extra={"job_id": job.pk})
        response, status = error_response(500, common.INTERNAL())
    else:
        return (201 if report["written"] else 200), ImportReport().dump(report)
    return status, response.get_json()


def serve_import_jobs(app) -> None:
    """Run this process's import jobs (at start: those queued, or left by a process that died)."""
    import_jobs.serve(app, _answer)


def recover_interrupted_imports() -> None:
    """On start: take back imports a killed API left half-written, release those that had committed."""
    service.remove_stale_upload_copies(older_than_s=SETTINGS.IMPORT_PARSE_TIMEOUT_S + 60)  # no parse lasts longer
    try:
        import_journal.recover(stale_after_s=SETTINGS.IMPORT_STALE_S)
    except PyMongoError:    # the database is away: the worker's periodic pass, or the next import, does it
        log.warning("interrupted imports not checked at start: the database did not answer")


@bp.post("/grids/<grid_id>/import")
@bp.arguments(ImportForm, location="form_and_files")
@bp.response(202, ImportJobView, description=(
    "the file is kept and its import queued as a job; `Location: /imports/<job id>` follows it. The job's "
    "outcome, once it ends, is what this route used to answer: 201 (written) or 200 (a dry run, or nothing to "
    "write) with the ImportReport; 422 with ErrorWithReport when all_or_nothing and some rows are bad (nothing "
    "written) or columns are unknown, or without `report` for a file that is not a spreadsheet, has wrong or "
    "missing columns, no rows, or too many rows (`fields.file` says which); 409 with ErrorWithReport when a "
    "concurrent registration took an address (what this import wrote was taken back); 413 when the workbook "
    "unpacks beyond its budget or needs more memory or time to read than the parser is given; 503 when it "
    "stopped and was taken back"),
    headers={"Location": {"description": "/imports/<job id>", "schema": {"type": "string"}}})
@bp.alt_response(422, schema=UniformError, description=(
    "at once, reading no file: no file part, a bad mode, a mapping that is not a JSON object or names a register "
    "column that does not exist (or two columns to one)"))
@bp.alt_response(413, schema=UniformError, description="at once: the file is larger than MAX_UPLOAD_BYTES")
@bp.alt_response(404, schema=UniformError, description="at once: the grid is not in the caller's area")
def import_register(form, grid_id):
    """Import a grid's register from the sheet a community office keeps (multipart form), as a job.

    Columns the register does not know by name are mapped with `mapping` (a form field holding JSON:
    `{"重点人群": "care_tags", "备注": null}`, null = ignore the column), over the mapping remembered for the
    grid's community. A dry run answers 200 with the full report, the unknown columns left out and listed under
    `unknown_columns` with the register columns each could be; an import with an unmapped unknown column is a
    422 naming it (`fields.mapping`), with that list under `report`. A mapping to a register column that does
    not exist, or two columns to one, is a 422 on `mapping`. A successful import remembers its mapping."""
    upload = form["file"]
    job = import_jobs.submit(actor=caller(), grid_id=grid_id, file=upload.stream, filename=upload.filename,
                             mode=form["mode"], dry_run=form["dry_run"], mapping=form["mapping"],
                             request_id=getattr(g, "request_id", None))
    return job, 202, {"Location": f"/imports/{job.pk}"}


@bp.get("/imports/<job_id>")
@bp.response(200, ImportJobView)
@bp.alt_response(404, schema=UniformError, description="no such job, or its grid is outside the caller's area")
def get_import_job(job_id):
    """An import job: its state, progress (counts only) and, once ended, its outcome (the report)."""
    return import_jobs.get_job(actor=caller(), job_id=job_id)


@bp.get("/grids/<grid_id>/imports")
@bp.response(200, ImportJobList)
def list_import_jobs(grid_id):
    """A grid's import jobs, newest first."""
    return import_jobs.list_jobs(actor=caller(), grid_id=grid_id)


@bp.get("/communities/<community_id>/import-mapping")
@bp.response(200, ImportMappingView)
def get_import_mapping(community_id):
    """The column mapping remembered for a community's register sheets ({} when none)."""
    return import_mappings.get_import_mapping(actor=caller(), community_id=community_id)


@bp.put("/communities/<community_id>/import-mapping")
@bp.arguments(ImportMappingBody)
@bp.response(200, ImportMappingView)
@bp.alt_response(422, schema=UniformError, description="a register column that does not exist, or given twice: "
                                                        "`fields.mapping` says which")
def set_import_mapping(body, community_id):
    """Replace a community's column mapping: {header in its sheets: register column, or null to ignore}."""
    return import_mappings.set_import_mapping(actor=caller(), community_id=community_id, mapping=body["mapping"])


def _send(export: Export):
    response = send_file(export.file, mimetype=export.mimetype, as_attachment=True,
                         download_name=export.filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Households"] = str(export.households)
    return response


@bp.get("/grids/<grid_id>/export")
@bp.arguments(ExportQuery, location="query")
@bp.doc(responses={"200": _SHEET})
def export_register(args, grid_id):
    """The grid's register with ID numbers and phones masked (the export is logged)."""
    return _send(service.export_register(actor=caller(), grid_id=grid_id, **args))


@bp.post("/grids/<grid_id>/export")
@bp.arguments(ExportRequest)
@bp.doc(responses={"200": {**_SHEET, "description": "the register in full; a reveal record is kept for "
                                                     "every household exported (permission register.reveal)"}})
def export_register_revealed(data, grid_id):
    """The grid's register in full, for a stated reason; every household's reveal is recorded."""
    return _send(service.export_register_revealed(actor=caller(), grid_id=grid_id, **data))
