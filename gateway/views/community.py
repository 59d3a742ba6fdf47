"""Community staff pages: redraw a grid, import (as a job with its progress) and export a grid's register."""
import json
import re

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.auth import permission_required, principal
from gateway.calls import CODE, REF, checked, flash_error, passed_on, present, put_errors, service
from gateway.errors import error_page
from gateway.forms.register import FullExportForm, ImportForm, RedrawForm
from gateway.i18n import FIELD_LABELS, field_reasons, reason_text, row_reason
from gateway.upstream import ServiceError
from gateway.views.pages import typed

bp = Blueprint("community", __name__)
EXPORT_FORMATS = {"csv", "xlsx"}


def hh():
    return service("households")


def _lines(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"[\r\n,，;；]+", text or "") if x.strip()]


@bp.route("/grids/<grid_id>/redraw", methods=["GET", "POST"])
@permission_required("grids.manage")
def redraw(grid_id):
    grid_id = checked(grid_id, CODE)
    grid = hh().get(f"/grids/{grid_id}")
    form = RedrawForm()
    errors = []
    if form.validate_on_submit():
        body = present({"to_grid_id": typed(form.to_grid_id.data), "buildings": _lines(form.buildings.data),
                        "household_ids": _lines(form.household_ids.data), "reason": typed(form.reason.data),
                        "new_grid_name": typed(form.new_grid_name.data)})
        try:
            result = hh().post(f"/grids/{grid_id}/redraw", json=body)
        except ServiceError as exc:
            if exc.unavailable or exc.status in (401, 403):
                raise
            errors = put_errors(form, exc)  # a target grid outside the caller's area (404) is the form's to show
        else:
            flash(_("%(n)s household(s) moved to grid %(id)s.", n=len(result.get("household_ids", [])),
                    id=result.get("to_grid_id")), "ok")
            return redirect(url_for("pages.grids", community_id=grid["community_id"]), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("redraw.html", form=form, grid=grid, errors=errors), status


@bp.route("/grids/<grid_id>/import", methods=["GET", "POST"])
@permission_required("register.write")
def import_register(grid_id):
    """The upload form: a file the service takes on becomes a job (its page shows the progress); what it refuses
    at once (too large, a bad mapping) comes back on the form."""
    grid_id = checked(grid_id, CODE)
    grid = hh().get(f"/grids/{grid_id}")
    form = ImportForm()
    report, errors, missing, status = None, [], False, 200
    posted = _posted_mapping() if request.method == "POST" else {}
    if request.method == "POST":
        status = 422
    if form.validate_on_submit():
        response = hh().request("POST", f"/grids/{grid_id}/import", data=_import_fields(form, posted),
                                files={"file": passed_on(form.file.data, "register.csv")})
        body = _json(response)
        code = response.status_code
        if code == 202:
            return redirect(url_for("community.import_job", grid_id=grid_id, job_id=checked(body.get("id"), REF)),
                            code=303)
        if code == 404 and not (body.get("message") or "").startswith("grid"):
            missing, status = True, 404  # the import route is not there (yet)
        elif code in (401, 404) or code >= 500 or code == 403:
            raise ServiceError("households", 503 if code == 401 else code, body)
        else:
            (report, errors), status = _answered(form, code, body), code
    return _import_page("import.html", grid, form, report, posted, errors=errors, missing=missing), status


@bp.get("/grids/<grid_id>/imports/<job_id>.json")
@permission_required("register.write")
def import_job_progress(grid_id, job_id):
    """An import job's state and progress for the page's script (counts only)."""
    return jsonify(_job_progress(_job(grid_id, job_id)))


@bp.get("/grids/<grid_id>/imports/<job_id>")
@permission_required("register.write")
def import_job(grid_id, job_id):
    """An import job: its progress while it runs (the page refreshes itself), then its report and the form."""
    job = _job(grid_id, job_id)
    grid = hh().get(f"/grids/{job['grid_id']}")
    progress = _job_progress(job)
    form = ImportForm(formdata=None, mode=job.get("mode"), dry_run=bool(job.get("dry_run")))
    report, errors = None, []
    if progress["finished"]:
        outcome = job.get("outcome") if isinstance(job.get("outcome"), dict) else {}
        body = outcome.get("body") if isinstance(outcome.get("body"), dict) else {}
        report, errors = _answered(form, int(outcome.get("status") or 503), body)
    return _import_page("import_job.html", grid, form, report, {}, errors=errors, job=job, progress=progress)


def _job(grid_id: str, job_id: str) -> dict:
    """The import job, or 404 when it is another grid's (the service answers 404 outside the caller's area)."""
    grid_id, job_id = checked(grid_id, CODE), checked(job_id, REF)
    job = hh().get(f"/imports/{job_id}")
    if job.get("grid_id") != grid_id:
        abort(404)
    return job


JOB_STATES = {"queued": _l("Waiting to start"), "reading": _l("Reading the file"), "checking": _l("Checking the rows"),
              "writing": _l("Saving the households"), "done": _l("Finished"), "failed": _l("Not completed")}
FINISHED = ("done", "failed")
COUNTS = ("rows_read", "rows_checked", "households_total", "households_written")


def _job_progress(job: dict) -> dict:
    """What the page and its script show of a job: its state, the bar (of 100) and the counts, never a row."""
    progress = job.get("progress") if isinstance(job.get("progress"), dict) else {}
    counts = {k: int(progress.get(k) or 0) for k in COUNTS}
    state, dry_run = job.get("state"), bool(job.get("dry_run"))
    lines = [_("Rows read: %(read)s, checked: %(checked)s", read=counts["rows_read"], checked=counts["rows_checked"])]
    if not dry_run:
        lines.append(_("Households saved: %(written)s of %(total)s", written=counts["households_written"],
                       total=counts["households_total"]))
    return {"state": state, "state_label": str(JOB_STATES.get(state, state)), "finished": state in FINISHED,
            "percent": _percent(state, counts, dry_run), "lines": lines, **counts}


def _percent(state: str, counts: dict, dry_run: bool) -> int:
    """The bar: checking the rows read is its first half (all of it for a check only), saving the second."""
    if state in FINISHED:
        return 100
    checked_share = counts["rows_checked"] / counts["rows_read"] if counts["rows_read"] else 0
    if dry_run:
        return min(99, int(100 * checked_share))
    written_share = counts["households_written"] / counts["households_total"] if counts["households_total"] else 0
    return min(99, int(50 * checked_share + 50 * written_share))


RECENT_SHOWN = 5


def _recent_jobs(grid_id: str) -> list[dict]:
    """The grid's last imports, newest first, for links on the page."""
    try:
        jobs = hh().get(f"/grids/{grid_id}/imports").get("items") or []
    except ServiceError:
        return []  # the list is a convenience: the form works without it
    return [{"id": j["id"], "filename": j.get("filename"), "created_at": j.get("created_at"),
             "dry_run": bool(j.get("dry_run")), "state_label": str(JOB_STATES.get(j.get("state"), j.get("state")))}
            for j in jobs[:RECENT_SHOWN] if isinstance(j, dict) and REF.match(str(j.get("id") or ""))]


def _import_fields(form: ImportForm, posted: dict[str, str]) -> dict:
    """The form's fields as the service's import takes them (the column choices as a JSON mapping)."""
    data = {"mode": form.mode.data, "dry_run": "true" if form.dry_run.data else "false"}
    chosen = {h: c for h, c in posted.items() if c != UNCHOSEN}
    if chosen:
        data["mapping"] = json.dumps({h: None if c == IGNORE else c for h, c in chosen.items()}, ensure_ascii=False)
    return data


def _answered(form: ImportForm, code: int, body: dict) -> tuple[dict | None, list[str]]:
    """An import's answer (at once, or a finished job's outcome) as the page shows it: the report, and the reasons
    that fit no field of the form."""
    if code < 400:
        return body, []
    report = body.get("report") if isinstance(body.get("report"), dict) else (
        body if _looks_like_report(body) else None)
    return report, put_errors(form, ServiceError("households", code, body))


def _import_page(template: str, grid: dict, form: ImportForm, report: dict | None, posted: dict[str, str], **extra):
    return render_template(template, form=form, grid=grid, report=report, report_view=_report_view(report),
                           columns=_column_choices(report, posted), recent=_recent_jobs(grid["id"]),
                           export_form=FullExportForm(formdata=None), can_reveal=principal().may("register.reveal"),
                           **extra)


# The column choices of the import form: one select per header of the sheet the register does not know (or that a
# mapping names), posted as map-<n> (a register column, IGNORE, or UNCHOSEN) beside map-header-<n> (the header).
MAX_COLUMN_CHOICES = 60
IGNORE, UNCHOSEN = "-", ""


def _posted_mapping() -> dict[str, str]:
    """{header: the choice posted for it} (a register column, IGNORE or UNCHOSEN)."""
    out = {}
    for i in range(MAX_COLUMN_CHOICES):
        header = (request.form.get(f"map-header-{i}") or "").strip()
        if header:
            out[header] = (request.form.get(f"map-{i}") or UNCHOSEN).strip()
    return out


def _column_choices(report: dict | None, posted: dict[str, str]) -> list[dict]:
    """A select per column to choose for: the report's unknown columns and mapping in force, else what was
    posted (so the choices survive a form that came back); each with the register columns it could be."""
    report = report or {}
    names = report.get("register_columns") if isinstance(report.get("register_columns"), dict) else {}
    found = report.get("columns") if isinstance(report.get("columns"), dict) else {}
    headers: dict[str, str] = {}
    for item in report.get("unknown_columns") or []:
        if isinstance(item, dict) and item.get("header"):
            headers[str(item["header"])] = posted.get(str(item["header"]), UNCHOSEN)
    for header, column in (report.get("mapping") or {}).items():
        headers[header] = posted.get(header, IGNORE if column is None else column)
    if not report:
        headers = dict(posted)
    columns = list(names) or sorted({c for c in posted.values() if c not in (IGNORE, UNCHOSEN)})
    out = []
    for header, chosen in list(headers.items())[:MAX_COLUMN_CHOICES]:
        options = [(UNCHOSEN, _("Choose…")), (IGNORE, _("Ignore this column"))]
        options += [(key, _column_label(key, names)) for key in columns if found.get(key) in (None, header)]
        out.append({"header": header, "chosen": chosen, "options": options})
    return out


def _column_label(key: str, names: dict) -> str:
    """A register column by its name on the page (the sheet's own Chinese name when the gateway has none)."""
    return str(FIELD_LABELS[key]) if key in FIELD_LABELS else str(names.get(key) or key)


def _json(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"rows": body}


def _looks_like_report(body: dict) -> bool:
    return any(isinstance(body.get(k), list) for k in ("bad_rows", "rows", "report", "results", "errors"))


REPORT_LABELS = {
    "format": _l("Format"), "mode": _l("Import mode"), "dry_run": _l("Check only"), "rows": _l("Rows read"),
    "households": _l("Households in the file"), "importable": _l("Households that can be imported"),
    "imported": _l("Households imported"), "residents": _l("Residents imported"),
    "bad_row_count": _l("Rows with problems"), "bad_rows_truncated": _l("Only the first problems are listed"),
    "withdrawn": _l("Households taken back"), "written": _l("Saved"), "import_id": _l("Import id"),
}


def _value(key, value):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key == "mode":
        return {"all_or_nothing": _("Import nothing (all or nothing)"),
                "good_rows_only": _("Import the good rows only")}.get(value, value)
    return value


def _report_view(report: dict | None) -> dict | None:
    """The service's import report as totals and one line per row (bad rows with their reasons)."""
    if not report:
        return None
    summary = [(str(REPORT_LABELS.get(k, k)), _value(k, v)) for k, v in report.items()
               if isinstance(v, (str, int, float, bool)) and k not in ("status", "error", "request_id")]
    lines: dict = {}
    for problem in report.get("bad_rows") or []:
        if isinstance(problem, dict):
            row = problem.get("row") or 0
            lines.setdefault(row, {"row": row, "status": _("Not imported"), "reasons": []})["reasons"].append(
                row_reason(problem))
    for row in report.get("held_rows") or []:
        lines.setdefault(row, {"row": row, "status": _("Held: another row of this household has a problem"),
                               "reasons": []})
    generic = next((report[k] for k in ("rows", "report", "results", "errors") if isinstance(report.get(k), list)), [])
    for i, item in enumerate(generic):  # any other list-of-rows shape
        if not isinstance(item, dict):
            lines[i + 1] = {"row": i + 1, "status": "", "reasons": [str(item)]}
            continue
        reasons = item.get("errors") or item.get("reasons") or item.get("fields") or item.get("messages") or []
        if isinstance(reasons, dict):
            reasons = [f"{label}{_(': ')}{'; '.join(msgs)}"
                       for label, msgs in field_reasons(reasons, item.get("field_reasons"))]
        elif isinstance(reasons, str):
            reasons = [reason_text(item.get("reason") if isinstance(item.get("reason"), dict) else None, reasons)]
        row = item.get("row") or item.get("line") or item.get("row_number") or i + 1
        lines[row] = {"row": row, "status": str(item.get("status") or item.get("outcome") or
                                                 ("error" if reasons else "ok")), "reasons": [str(r) for r in reasons]}
    return {"summary": summary, "lines": [lines[k] for k in sorted(lines, key=lambda r: (not isinstance(r, int), r))]}


@bp.get("/grids/<grid_id>/export")
@permission_required("register.read")
def export_register(grid_id):
    """The register with ID numbers and phones masked."""
    grid_id = checked(grid_id, CODE)
    fmt = request.args.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        abort(404)
    return _download(grid_id, fmt, hh().request("GET", f"/grids/{grid_id}/export", params={"format": fmt},
                                                 stream=True))


@bp.post("/grids/<grid_id>/export")
@permission_required("register.reveal")
def export_register_full(grid_id):
    """The register in full, for a stated reason (the service records a reveal per household)."""
    grid_id = checked(grid_id, CODE)
    form = FullExportForm()
    upstream = hh().request("POST", f"/grids/{grid_id}/export", stream=True,
                            json=present({"format": form.format.data, "reason": typed(form.reason.data)}))
    if upstream.status_code in (400, 422):  # refused as asked (no reason given, say): back to the form with why
        refusal = ServiceError("households", upstream.status_code, _json(upstream))
        upstream.close()
        flash(flash_error(refusal), "error")
        return redirect(url_for("community.import_register", grid_id=grid_id), code=303)
    return _download(grid_id, form.format.data, upstream)


def _download(grid_id: str, fmt: str, upstream):
    if upstream.status_code >= 400:
        body = _json(upstream)
        upstream.close()
        if upstream.status_code in (404, 405) and not (body.get("message") or "").startswith("grid"):
            return error_page(404, message=_("Export is not available yet."))
        raise ServiceError("households", 503 if upstream.status_code == 401 else upstream.status_code, body)
    headers = {h: upstream.headers[h] for h in ("Content-Type", "Content-Disposition") if h in upstream.headers}
    headers.setdefault("Content-Disposition", f'attachment; filename="{grid_id}.{fmt}"')
    headers["Cache-Control"] = "no-store"
    response = Response(upstream.iter_content(64 * 1024), headers=headers, direct_passthrough=True)
    response.call_on_close(upstream.close)
    return response
