"""Register imports as jobs: the upload kept in GridFS, run by one thread per API process, followed by its progress.

An upload that can be refused without reading it is refused at once (imports.check_request, check_size);
otherwise its file goes to the GridFS bucket `imports` and an ImportJob is queued. A runner thread (one per
process, started when a job is queued and at the API's start when unfinished jobs exist, so one job at a time per
process) claims jobs atomically and runs `imports.import_register` on the stored upload. The job holds counts
only: its state (queued → reading → checking → writing → done/failed, never backwards), its progress (rows read,
rows checked, households total and written: each only grows, written at most every FLUSH_S), and at the end the
outcome: the HTTP status and body the synchronous import answered. The upload is deleted when the job ends.

The runner's process and heartbeat are its owner, as an import journal's (import_journal.owner_alive). A job whose
owner died is claimed by the next runner looking for work: its journal is taken back first (import_journal.recover),
then it runs again from its stored upload, at most IMPORT_JOB_ATTEMPTS times in all; after that it fails (503).
Each attempt's import journal is named after the job and the attempt: a job whose last attempt committed (its
process died before the job recorded the outcome) ends with the report that import stored, and is not run again.
"""
import json
import logging
import threading
import time
import uuid
from typing import NoReturn

import gridfs
import mongoengine as me
from pymongo import ReturnDocument
from pymongo.errors import PyMongoError

from services.households.config import SETTINGS
from services.households.service import import_journal, imports
from services.households.service.access import grid_in_scope
from shared.clock import now
from shared.errors import DomainError, NotFound, Unavailable
from shared.identity import Principal
from shared.reasons import common
from shared.reasons import households as reasons

log = logging.getLogger(__name__)

QUEUED, READING, CHECKING, WRITING, DONE, FAILED = "queued", "reading", "checking", "writing", "done", "failed"
STATES = (QUEUED, READING, CHECKING, WRITING, DONE, FAILED)       # in the only order a job moves through
RUNNING = (READING, CHECKING, WRITING)
COUNTERS = ("rows_read", "rows_checked", "households_total", "households_written")
BUCKET = "imports"
FLUSH_S = 0.5          # progress is written at most this often (and at each change of state)
LISTED = 20            # jobs a grid's list shows


class ImportJob(me.Document):
    """One upload's import: who sent it for which grid, how far it got, and what it answered."""

    id = me.StringField(primary_key=True)
    grid_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    mode = me.StringField(required=True)
    dry_run = me.BooleanField(default=False)
    filename = me.StringField()
    mapping_json = me.StringField()        # JSON: a sheet's headers may hold characters a field name may not
    actor = me.DictField()                 # the sender's claims: the job runs in their scope
    request_id = me.StringField()
    upload_id = me.ObjectIdField()
    state = me.StringField(required=True, choices=STATES, default=QUEUED)
    progress = me.DictField(default=lambda: dict.fromkeys(COUNTERS, 0))
    attempts = me.IntField(default=0)
    outcome_status = me.IntField()
    outcome_json = me.StringField()        # the body as JSON, for the same reason as the mapping
    owner = me.StringField()
    heartbeat_at = me.DateTimeField()
    created_at = me.DateTimeField(default=now)
    started_at = me.DateTimeField()
    finished_at = me.DateTimeField()
    meta = {"collection": "import_jobs", "indexes": [("grid_id", "-created_at"), ("state", "created_at")]}

    @property
    def outcome(self) -> dict | None:
        """{"status", "body"} once the job ended, else None."""
        if self.outcome_status is None:
            return None
        return {"status": self.outcome_status, "body": json.loads(self.outcome_json)}


def _bucket() -> gridfs.GridFSBucket:
    return gridfs.GridFSBucket(me.get_db(), bucket_name=BUCKET)


def submit(*, actor: Principal, grid_id: str, file, filename: str | None, mode: str, dry_run: bool,
           mapping: dict | None, request_id: str | None = None) -> ImportJob:
    """Refuse what needs no reading of the file; keep the upload and queue its job (the runner is woken)."""
    grid = imports.check_request(actor=actor, grid_id=grid_id, mode=mode, mapping=mapping)
    imports.check_size(file, imports.ParseLimits.from_settings())
    job_id = uuid.uuid4().hex
    upload_id = _bucket().upload_from_stream(job_id, file)
    try:
        job = ImportJob(id=job_id, grid_id=grid.pk, community_id=grid.community_id, mode=mode, dry_run=dry_run,
                        filename=filename, mapping_json=json.dumps(mapping) if mapping is not None else None,
                        actor=actor.to_claims(), request_id=request_id, upload_id=upload_id).save(force_insert=True)
    except Exception:
        _delete_upload(upload_id)
        raise
    wake()
    return job


def get_job(*, actor: Principal, job_id: str) -> ImportJob:
    """A job in the caller's scope (the grid's register.write, as the import); 404 otherwise."""
    job = ImportJob.objects(pk=job_id).first()
    try:
        if job is not None:
            grid_in_scope(actor, job.grid_id, "register.write")
            return job
    except DomainError:
        pass
    raise NotFound(common.NOT_FOUND(what="import", id=job_id))


def list_jobs(*, actor: Principal, grid_id: str) -> dict:
    """A grid's last LISTED jobs, newest first, and how many it has had."""
    grid = grid_in_scope(actor, grid_id, "register.write")
    jobs = ImportJob.objects(grid_id=grid.pk)
    return {"items": list(jobs.order_by("-created_at").limit(LISTED)), "total": jobs.count()}


# ---- the runner ---------------------------------------------------------------------------------------

class JobLost(RuntimeError):
    """Another runner took the job over (this one looked dead): stop without answering."""


class _Progress:
    """The `progress` an import reports to: moves the job's state forward and writes its counters (with the
    heartbeat) at most every FLUSH_S, each counter only growing."""

    def __init__(self, job: ImportJob):
        self.job_id, self.owner = job.pk, job.owner
        self.counters: dict[str, int] = {}
        self.flushed_at = 0.0

    def __call__(self, state: str | None = None, **counters) -> None:
        self.counters.update(counters)
        if state:
            _move_to(self.job_id, state)
        if state or time.monotonic() - self.flushed_at >= FLUSH_S:
            self.flush()

    def flush(self, **also) -> None:
        update = {"$set": {"heartbeat_at": now(), **also}}
        if self.counters:
            update["$max"] = {f"progress.{k}": v for k, v in self.counters.items()}
        result = ImportJob._get_collection().update_one({"_id": self.job_id, "owner": self.owner}, update)
        if result.matched_count == 0:
            raise JobLost(self.job_id)
        self.flushed_at = time.monotonic()


def _move_to(job_id: str, state: str) -> None:
    """Set the job's state unless it is already there or further (a job run again does not go back)."""
    earlier = list(STATES[:STATES.index(state)])
    ImportJob._get_collection().update_one({"_id": job_id, "state": {"$in": earlier}}, {"$set": {"state": state}})


def _delete_upload(upload_id) -> None:
    try:
        _bucket().delete(upload_id)
    except gridfs.errors.NoFile:
        pass


def _claim(query: dict, **also) -> ImportJob | None:
    raw = ImportJob._get_collection().find_one_and_update(
        query, {"$set": {"owner": import_journal.this_process(), "heartbeat_at": now(), **also}},
        sort=[("created_at", 1)], return_document=ReturnDocument.AFTER)
    return ImportJob._from_son(raw) if raw else None


def claim_next() -> ImportJob | None:
    """Take, atomically, a job whose runner died (its journal taken back first), else the oldest queued one."""
    for job in ImportJob.objects(state__in=RUNNING).only("id", "owner", "heartbeat_at", "attempts"):
        if import_journal.owner_alive(job, stale_after_s=SETTINGS.IMPORT_STALE_S):
            continue
        import_journal.recover(stale_after_s=SETTINGS.IMPORT_STALE_S)    # what it half wrote, undone
        if import_journal.unsettled(import_id=_import_id(job, job.attempts)):
            continue    # another process is taking that attempt back (or was cut doing it): run again once it is gone
        claimed = _claim({"_id": job.pk, "owner": job.owner, "heartbeat_at": job.heartbeat_at})
        if claimed:
            log.warning("import job taken over from a dead runner", extra={"job_id": job.pk,
                                                                            "attempts": claimed.attempts})
            return claimed
    return _claim({"state": QUEUED}, state=READING, started_at=now())


def _interrupted(job: ImportJob) -> NoReturn:
    raise Unavailable(reasons.JOB_INTERRUPTED(attempts=job.attempts), field="file")


def _import_id(job: ImportJob, attempt: int) -> str:
    """The id of the import journal of the job's `attempt` (counted from 1)."""
    return f"{job.pk}-{attempt}"


def _import(job: ImportJob, progress: _Progress, *, attempt: int) -> dict:
    """The import of the job's stored upload, in the scope of whoever sent it; its report."""
    upload = _bucket().open_download_stream(job.upload_id)
    try:
        return imports.import_register(
            actor=Principal.from_claims(job.actor), grid_id=job.grid_id, file=upload, mode=job.mode,
            dry_run=job.dry_run, mapping=json.loads(job.mapping_json) if job.mapping_json else None, progress=progress,
            import_id=_import_id(job, attempt))
    finally:
        upload.close()


def run(job: ImportJob, answer) -> None:
    """Run a claimed job to its end: `answer(job, call)` gives (status, body) of what `call` returns or raises."""
    progress = _Progress(job)
    report = import_journal.committed_report(import_id=_import_id(job, job.attempts))
    if report is not None:      # the last attempt committed and its process died before the outcome was written
        progress(households_written=report["imported"])
        status, body = answer(job, lambda: report)
    elif job.attempts >= SETTINGS.IMPORT_JOB_ATTEMPTS:
        status, body = answer(job, lambda: _interrupted(job))
    else:
        attempt = job.attempts + 1
        ImportJob._get_collection().update_one({"_id": job.pk}, {"$inc": {"attempts": 1}})
        status, body = answer(job, lambda: _import(job, progress, attempt=attempt))
    progress.flush(state=DONE if status < 400 else FAILED, outcome_status=status,
                   outcome_json=json.dumps(body, ensure_ascii=False), finished_at=now())
    _delete_upload(job.upload_id)
    log.info("import job finished", extra={"job_id": job.pk, "grid_id": job.grid_id, "status": status})


_lock = threading.Lock()
_runner: dict = {"thread": None, "app": None, "answer": None}
_wake = threading.Event()


def serve(app, answer) -> None:
    """Run this process's jobs in `app`'s context with `answer` (see `run`); start now if any are unfinished."""
    with _lock:
        _runner.update(app=app, answer=answer)
    try:
        unfinished = ImportJob.objects(state__in=(QUEUED, *RUNNING)).count()
    except PyMongoError:
        log.warning("unfinished import jobs not checked at start: the database did not answer")
        return
    if unfinished:
        wake()


def wake() -> None:
    """Start the runner thread, or tell the running one that there is work."""
    with _lock:
        thread = _runner["thread"]
        if thread is None:
            thread = _runner["thread"] = threading.Thread(target=_run_jobs, name="import-jobs", daemon=True)
            thread.start()
    _wake.set()


def _unfinished() -> bool:
    return ImportJob.objects(state__in=(QUEUED, *RUNNING)).count() > 0


def _run_jobs() -> None:
    """The runner: one job at a time; waits while others' jobs are unfinished (their owner may die), else ends."""
    while True:
        app, answer = _runner["app"], _runner["answer"]
        try:
            with app.app_context():
                job = claim_next()
                if job is not None:
                    run(job, answer)
                    continue
                with _lock:
                    if not _unfinished():
                        _runner["thread"] = None
                        return
        except JobLost as lost:
            log.warning("import job taken over by another runner", extra={"job_id": str(lost)})
        except Exception:
            log.exception("import job runner failed; it looks again shortly")
        _wake.wait(SETTINGS.IMPORT_JOB_POLL_S)
        _wake.clear()
