"""The journal of a register import: what it wrote, and whether it committed or was undone.

An import writes its households with their events held: in their outbox, with `outbox_pending` False, so
the relay does not see them. The journal lists every household id before it is written. Once every batch
is in, the journal commits and the events are released in bulk; until then nothing has been announced, so
taking an import back is a delete with nothing to tell the other services. A process killed part-way leaves
a `running` journal; `recover` (when the API starts, before each import, and every 30 s in the worker) undoes
it once its owner is gone, and finishes releasing a committed one. A journal commits with the report its import
answers (counts and bad rows, as the import job's outcome holds), so an import job whose process died after the
commit ends with that report rather than importing again.
"""
import json
import logging
import os
import socket
import time
from datetime import timedelta

import mongoengine as me
from pymongo.errors import PyMongoError

from services.households import events
from services.households.models import Household
from services.households.service.households import index_fields, record_history
from shared import clock
from shared.clock import now
from shared.identity import Principal
from shared.messaging.outbox import ConcurrentChange, commit

log = logging.getLogger(__name__)

HELD = False      # `outbox_pending` of a household whose events wait for its import to commit
CHUNK = 200       # households per bulk update or delete (the stand-in writes each document in turn)
RUNNING, UNDOING, COMMITTED, UNDONE = "running", "undoing", "committed", "undone"


class ImportJournal(me.Document):
    """One import: its grid, its state, the households it wrote (listed before each batch is written)."""

    id = me.StringField(primary_key=True)
    grid_id = me.StringField(required=True)
    community_id = me.StringField(required=True)
    mode = me.StringField(required=True)
    by = me.StringField()
    state = me.StringField(required=True, choices=(RUNNING, UNDOING, COMMITTED, UNDONE), default=RUNNING)
    household_ids = me.ListField(me.ObjectIdField())
    released = me.BooleanField(default=False)
    report_json = me.StringField()                 # its report as JSON (a sheet's headers may not be field names)
    owner = me.StringField(required=True)          # host:pid:process start, to tell a dead owner from a slow one
    heartbeat_at = me.DateTimeField(default=now)
    started_at = me.DateTimeField(default=now)
    finished_at = me.DateTimeField()
    meta = {"collection": "import_journals", "indexes": [("state", "released")]}


class Abandoned(RuntimeError):
    """The journal is no longer running: recovery took the import back (its owner looked dead)."""


def _process_start(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]     # field 22: start time in clock ticks since boot
    except (OSError, IndexError):
        return None


def this_process() -> str:
    """The owner tag of this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def owner_alive(journal: ImportJournal, *, stale_after_s: float) -> bool:
    """The owner wrote a heartbeat within `stale_after_s` and, on this host, its process still runs."""
    if clock.now() - clock.aware(journal.heartbeat_at) >= timedelta(seconds=stale_after_s):
        return False      # stalled: a live owner finds its journal taken back and takes back what it wrote since
    host, pid, started = journal.owner.rsplit(":", 2)
    if host == socket.gethostname() and pid.isdigit():
        return _process_start(int(pid)) == started
    return True


def start(*, import_id: str, grid, actor: Principal, mode: str) -> ImportJournal:
    """Open the journal of a new import, owned by this process."""
    return ImportJournal(id=import_id, grid_id=grid.pk, community_id=grid.community_id, mode=mode,
                         by=actor.user_id, owner=this_process()).save(force_insert=True)


def _advance(import_id: str, update: dict, *, state: str = RUNNING) -> None:
    result = ImportJournal._get_collection().update_one({"_id": import_id, "state": state}, update)
    if result.matched_count == 0:
        raise Abandoned(f"import {import_id} is no longer {state}")


def record(*, import_id: str, ids: list) -> None:
    """List households about to be written (before the write, so a crash after it is covered)."""
    _advance(import_id, {"$push": {"household_ids": {"$each": ids}}, "$set": {"heartbeat_at": now()}})


def hold(doc: dict) -> dict:
    """A raw household document whose outbox events wait for the import to commit."""
    doc["outbox_pending"] = HELD
    return doc


def commit_import(*, import_id: str, report: dict | None = None) -> None:
    """Mark the import committed with its report, then release its events (recovery finishes a failed release)."""
    also = {"report_json": json.dumps(report, ensure_ascii=False)} if report is not None else {}
    _advance(import_id, {"$set": {"state": COMMITTED, "finished_at": now(), "heartbeat_at": now(), **also}})
    began = time.monotonic()
    try:
        released = release(ImportJournal.objects.get(pk=import_id))
        log.info("import committed, its events released", extra={
            "import_id": import_id, "households": released, "release_s": round(time.monotonic() - began, 3)})
    except PyMongoError as exc:
        log.warning("import committed, its events not yet released: recovery releases them",
                    extra={"import_id": import_id, "error": repr(exc)})


def committed(import_id: str) -> bool:
    """Whether the import is committed (a commit whose answer was lost did happen); False if unknown."""
    try:
        return ImportJournal.objects(pk=import_id, state=COMMITTED).count() == 1
    except PyMongoError:
        return False


def unsettled(*, import_id: str) -> bool:
    """Whether the import is still running or being taken back (so what it wrote may still be there)."""
    return ImportJournal.objects(pk=import_id, state__in=[RUNNING, UNDOING]).count() == 1


def committed_report(*, import_id: str) -> dict | None:
    """The report a committed import stored as it committed; None if it did not commit or stored none."""
    journal = ImportJournal.objects(pk=import_id, state=COMMITTED).only("report_json").first()
    return json.loads(journal.report_json) if journal is not None and journal.report_json else None


def release(journal: ImportJournal) -> int:
    """Hand a committed import's held events to the relay; safe to repeat."""
    collection = Household._get_collection()
    released = 0
    for start_at in range(0, len(journal.household_ids), CHUNK):
        chunk = journal.household_ids[start_at:start_at + CHUNK]
        released += collection.update_many({"_id": {"$in": chunk}, "outbox_pending": HELD},
                                           {"$set": {"outbox_pending": True}}).modified_count
    ImportJournal.objects(pk=journal.pk).update_one(set__released=True)
    return released


def undo(journal: ImportJournal) -> tuple[int, int]:
    """Take an import back: delete its held households, withdraw any already announced; mark it undone."""
    actor = Principal(user_id=journal.by or "import", role="system")
    deleted, withdrawn = take_back(ids=journal.household_ids, actor=actor, import_id=journal.pk)
    ImportJournal.objects(pk=journal.pk).update_one(set__state=UNDONE, set__finished_at=now())
    log.warning("register import taken back", extra={"import_id": journal.pk, "grid_id": journal.grid_id,
                                                      "deleted": deleted, "withdrawn": withdrawn})
    return deleted, withdrawn


def undo_running(*, import_id: str) -> tuple[int, int]:
    """Undo this process's own import (it failed part-way), even if recovery already undid it."""
    # again if recovery undid it while this process was slow: a batch that landed after recovery's pass goes too
    result = ImportJournal._get_collection().update_one({"_id": import_id, "state": {"$ne": COMMITTED}},
                                                        {"$set": {"state": UNDOING, "heartbeat_at": now()}})
    if result.matched_count == 0:
        raise Abandoned(f"import {import_id} is committed")
    return undo(ImportJournal.objects.get(pk=import_id))


def take_back(*, ids: list, actor: Principal, import_id: str) -> tuple[int, int]:
    """Delete the held households of `ids`; mark as left the few whose events went out meanwhile."""
    # A held household's events were never published, so deleting it is invisible to other services. One
    # edited during the import had its events released by that edit: others know it, so it leaves instead.
    collection = Household._get_collection()
    deleted = 0
    for start_at in range(0, len(ids), CHUNK):
        deleted += collection.delete_many({"_id": {"$in": ids[start_at:start_at + CHUNK]},
                                           "outbox_pending": HELD}).deleted_count
    withdrawn = 0
    today = clock.today()
    for start_at in range(0, len(ids), CHUNK):
        for h in Household.objects(pk__in=ids[start_at:start_at + CHUNK], status="active"):
            h.status, h.moved_out_on = "left", today
            index_fields(h)
            record_history(h, actor, "import_withdrawn", import_id=import_id)
            try:
                commit(h, events.household_left(h, f"import {import_id} withdrawn"))
                withdrawn += 1
            except ConcurrentChange:   # edited this instant: the next recovery pass takes it back
                log.warning("household changed while its import was taken back", extra={"household_id": str(h.pk)})
    return deleted, withdrawn


def recover(*, stale_after_s: float) -> dict:
    """Undo every import whose owner died part-way; finish releasing committed ones. Returns counts."""
    counts = {"undone": 0, "released": 0}
    collection = ImportJournal._get_collection()
    for journal in ImportJournal.objects(state__in=[RUNNING, UNDOING]).exclude("household_ids"):
        if owner_alive(journal, stale_after_s=stale_after_s):
            continue
        # claim it: of several processes recovering at once, one takes it
        claimed = collection.find_one_and_update(
            {"_id": journal.pk, "owner": journal.owner, "state": journal.state},
            {"$set": {"state": UNDOING, "owner": this_process(), "heartbeat_at": now()}})
        if claimed:
            undo(ImportJournal.objects.get(pk=journal.pk))
            counts["undone"] += 1
    for journal in ImportJournal.objects(state=COMMITTED, released=False).exclude("household_ids"):
        release(ImportJournal.objects.get(pk=journal.pk))      # idempotent: whoever else releases, no harm
        counts["released"] += 1
    if any(counts.values()):
        log.warning("interrupted register imports recovered", extra=counts)
    return counts
