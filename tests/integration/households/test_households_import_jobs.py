"""Register imports as jobs: 202 and the job at once, its state and progress while it runs, its outcome (the report
the synchronous import answered), its scope, the grid's list, the upload kept only while it runs, and a job whose
API process died taken over and run again (or failed once its attempts are spent). Real MongoDB-wire server."""
import io
import json
import threading
import time
from datetime import timedelta

import mongoengine
import pytest

from services.households.models import Household
from services.households.service import import_jobs, import_journal
from services.households.service.import_jobs import STATES, ImportJob
from shared.clock import now
from tests.integration.households.test_households_import import GRID, OTHER_GRID, rows_for, sheet
from tests.support.callers import headers_for
from tests.support.imports import follow, post_import, run_import

DEAD_OWNER = "a-host-gone:4242:1"      # another host's process whose heartbeat stopped long ago


@pytest.fixture
def web(client):
    return client


@pytest.fixture
def worker(as_worker):
    """Headers of grid C1-G1's worker (GRID)."""
    return as_worker


def uploads() -> int:
    db = mongoengine.get_db()
    return db["imports.files"].count_documents({}) + db["imports.chunks"].count_documents({})


def test_an_upload_answers_202_with_the_job_and_the_job_ends_with_the_report(web, worker):
    rows = rows_for(40)
    r = post_import(web, GRID, headers=worker, file=(io.BytesIO(sheet(rows, "csv")), "台账.csv"))
    assert r.status_code == 202, r.json
    job = r.json
    assert r.headers["Location"] == f"/imports/{job['id']}"
    assert (job["grid_id"], job["community_id"], job["mode"], job["dry_run"], job["filename"]) == (
        GRID, "C1", "all_or_nothing", False, "台账.csv")
    assert job["state"] in STATES and job["attempts"] in (0, 1)
    assert set(job["progress"]) == {"rows_read", "rows_checked", "households_total", "households_written"}

    ended = follow(web, r.headers["Location"], headers=worker)
    assert ended["state"] == "done" and ended["attempts"] == 1 and ended["finished_at"] >= ended["started_at"]
    assert ended["progress"] == {"rows_read": len(rows), "rows_checked": len(rows), "households_total": 40,
                                 "households_written": 40}
    status, report = ended["outcome"]["status"], ended["outcome"]["body"]
    assert status == 201 and (report["imported"], report["residents"], report["written"]) == (40, len(rows), True)
    assert Household.objects(grid_id=GRID).count() == 40
    assert uploads() == 0                                 # the upload is kept only while the job runs
    text = json.dumps(ended, ensure_ascii=False)
    assert "139" not in text and "110105" not in text     # counts and the report: no phone, no ID number


def test_states_only_move_forward_and_progress_only_grows_while_a_job_runs(web, worker):
    rows = rows_for(1500)
    r = post_import(web, GRID, headers=worker, file=(io.BytesIO(sheet(rows, "csv")), "台账.csv"))
    assert r.status_code == 202
    seen = [r.json]
    deadline = time.monotonic() + 120
    while seen[-1]["state"] not in ("done", "failed") and time.monotonic() < deadline:
        seen.append(web.get(r.headers["Location"], headers=worker).json)
    order = [STATES.index(job["state"]) for job in seen]
    assert order == sorted(order), [job["state"] for job in seen]
    for counter in ("rows_read", "rows_checked", "households_total", "households_written"):
        values = [job["progress"][counter] for job in seen]
        assert values == sorted(values), (counter, values)
    assert seen[-1]["state"] == "done"
    assert seen[-1]["progress"] == {"rows_read": len(rows), "rows_checked": len(rows), "households_total": 1500,
                                    "households_written": 1500}


def test_a_refused_file_fails_its_job_with_the_422_body_and_its_upload_is_deleted(web, worker):
    rows = rows_for(20)
    rows[3][9] = "12345"                                   # a bad ID number: all_or_nothing writes nothing
    r = post_import(web, GRID, headers=worker, file=(io.BytesIO(sheet(rows, "csv")), "台账.csv"))
    job = follow(web, r.headers["Location"], headers=worker)
    assert job["state"] == "failed" and job["outcome"]["status"] == 422
    body = job["outcome"]["body"]
    assert body["error"] == "validation_failed" and "nothing was written" in body["fields"]["file"][0]
    assert body["report"]["bad_row_count"] == 1 and body["report"]["bad_rows"][0]["row"] == 5
    assert body["request_id"] == r.headers["X-Request-ID"]     # the upload's request, for the logs
    assert Household.objects.count() == 0 and uploads() == 0


@pytest.mark.parametrize("form, field", [
    ({}, "file"),
    ({"mode": "some"}, "mode"),
    ({"mapping": "[1, 2]"}, "mapping"),
    ({"mapping": json.dumps({"帮扶类别": "no_such_column"})}, "mapping"),
])
def test_what_needs_no_reading_of_the_file_is_still_refused_at_once(web, worker, form, field):
    if form != {}:
        form = {"file": (io.BytesIO(sheet(rows_for(2), "csv")), "台账.csv"), **form}
    r = post_import(web, GRID, headers=worker, **form)
    assert r.status_code == 422 and field in r.json["fields"], r.json
    assert ImportJob.objects.count() == 0 and uploads() == 0


def test_a_file_over_the_upload_limit_and_a_grid_out_of_scope_are_refused_at_once(web, worker, households_config):
    content = sheet(rows_for(30), "csv")
    households_config.MAX_UPLOAD_BYTES = len(content) - 1
    r = post_import(web, GRID, headers=worker, file=(io.BytesIO(content), "台账.csv"))
    assert r.status_code == 413 and r.json["error"] == "too_large"
    households_config.MAX_UPLOAD_BYTES = 10 * 2**20
    outsider = headers_for(role="grid_worker", user_id="w-2", grids=["C9-G1"])
    assert post_import(web, GRID, headers=outsider, file=(io.BytesIO(content), "台账.csv")).status_code == 404
    assert ImportJob.objects.count() == 0 and uploads() == 0


def test_a_job_is_seen_only_in_its_grids_scope_and_the_grid_lists_its_jobs_newest_first(web, worker):
    first = run_import(web, GRID, headers=worker, file=(io.BytesIO(sheet(rows_for(3), "csv")), "一.csv"),
                       dry_run="true")
    assert first.status_code == 200
    r = post_import(web, GRID, headers=worker, file=(io.BytesIO(sheet(rows_for(3), "csv")), "二.csv"))
    follow(web, r.headers["Location"], headers=worker)
    own = web.get(f"/grids/{GRID}/imports", headers=worker).json
    assert own["total"] == 2 and [j["filename"] for j in own["items"]] == ["二.csv", "一.csv"]
    staff = headers_for(role="community_staff", user_id="s-c1", communities=["C1"])
    assert web.get(f"/grids/{OTHER_GRID}/imports", headers=staff).json == {"items": [], "total": 0}
    assert web.get(f"/grids/{GRID}/imports", headers=staff).json["total"] == 2

    other_grids_worker = headers_for(role="grid_worker", user_id="w-2", grids=[OTHER_GRID])
    assert web.get(r.headers["Location"], headers=other_grids_worker).status_code == 404
    assert web.get(f"/grids/{GRID}/imports", headers=other_grids_worker).status_code == 404
    assert web.get("/imports/no-such-job", headers=worker).status_code == 404
    assert web.get(r.headers["Location"], headers=worker).status_code == 200


def orphan(*, attempts: int, rows: int = 10) -> ImportJob:
    """A job left in `writing` by a process that died, its stored upload, and the journal of what it half wrote."""
    principal = {"sub": "w-a", "role": "grid_worker", "name": "", "grids": [GRID], "communities": [], "streets": []}
    upload_id = import_jobs._bucket().upload_from_stream("orphan", io.BytesIO(sheet(rows_for(rows), "csv")))
    gone = now() - timedelta(hours=1)
    job = ImportJob(id="orphan", grid_id=GRID, community_id="C1", mode="all_or_nothing", filename="台账.csv",
                    actor=principal, upload_id=upload_id, state="writing", attempts=attempts, owner=DEAD_OWNER,
                    heartbeat_at=gone, started_at=gone, progress={"rows_read": 2 * rows - 1, "rows_checked": 0,
                                                                  "households_total": rows, "households_written": 3})
    job.save(force_insert=True)
    half = Household._get_collection()
    held = [{"grid_id": GRID, "status": "active", "outbox": [], "outbox_pending": False} for _ in range(3)]
    half.insert_many(held)
    import_journal.ImportJournal(id="half", grid_id=GRID, community_id="C1", mode="all_or_nothing", by="w-a",
                                 household_ids=[h["_id"] for h in held], owner=DEAD_OWNER,
                                 heartbeat_at=gone).save(force_insert=True)
    return job


def test_a_job_whose_process_died_is_taken_back_and_run_again_to_the_end(web, worker):
    orphan(attempts=1)
    import_jobs.wake()          # what the next API process does at its start
    job = follow(web, "/imports/orphan", headers=worker)
    assert job["state"] == "done" and job["attempts"] == 2 and job["outcome"]["status"] == 201
    assert job["progress"]["households_written"] == 10
    assert Household.objects(grid_id=GRID).count() == 10           # the half-written three taken back, none twice
    assert import_journal.ImportJournal.objects.get(pk="half").state == "undone"
    assert uploads() == 0


def test_a_dead_jobs_attempt_still_being_taken_back_elsewhere_is_waited_for_not_run_over(web, worker):
    orphan(attempts=1)
    # The worker's recovery claimed the dead attempt's journal and was cut part-way (the database timed out): the
    # journal is being undone by a live process and the half-written households are still there. Run over them, the
    # new attempt found its own addresses taken and the job failed (422) for good (the killed-import fault test).
    half = import_journal.ImportJournal.objects.get(pk="half")
    import_journal.ImportJournal(id="orphan-1", grid_id=GRID, community_id="C1", mode=half.mode, by="w-a",
                                 household_ids=half.household_ids, state="undoing",
                                 owner=import_journal.this_process(), heartbeat_at=now()).save(force_insert=True)
    half.delete()
    assert import_jobs.claim_next() is None
    assert ImportJob.objects.get(pk="orphan").owner == DEAD_OWNER and Household.objects(grid_id=GRID).count() == 3

    import_journal.undo(import_journal.ImportJournal.objects.get(pk="orphan-1"))   # the recovery's next pass
    import_jobs.wake()
    job = follow(web, "/imports/orphan", headers=worker)
    assert job["state"] == "done" and job["attempts"] == 2 and job["outcome"]["status"] == 201
    assert Household.objects(grid_id=GRID).count() == 10


def test_a_job_that_died_as_often_as_it_may_run_fails_503_with_nothing_written(web, worker):
    orphan(attempts=2)
    import_jobs.wake()
    job = follow(web, "/imports/orphan", headers=worker)
    assert job["state"] == "failed" and job["outcome"]["status"] == 503 and job["attempts"] == 2
    assert "interrupted 2 time(s)" in job["outcome"]["body"]["fields"]["file"][0]
    assert Household.objects.count() == 0 and uploads() == 0
    assert import_journal.ImportJournal.objects.get(pk="half").state == "undone"


@pytest.mark.parametrize("attempts_allowed", [2, 1])
def test_a_job_whose_process_died_after_its_import_committed_ends_with_what_the_import_answered(
        web, worker, households_config, monkeypatch, attempts_allowed):
    households_config.IMPORT_JOB_ATTEMPTS = attempts_allowed      # 1: the attempt that committed was the last
    killed = threading.Event()
    flush = import_jobs._Progress.flush

    def dies_before_its_outcome(self, **also):
        if "outcome_status" in also and not killed.is_set():
            killed.set()
            raise RuntimeError("killed")     # the runner stops here, as its process would: the outcome not written
        flush(self, **also)

    monkeypatch.setattr(import_jobs._Progress, "flush", dies_before_its_outcome)
    rows = rows_for(10)
    r = post_import(web, GRID, headers=worker, file=(io.BytesIO(sheet(rows, "csv")), "台账.csv"))
    assert killed.wait(60)
    assert Household.objects(grid_id=GRID).count() == 10 and import_journal.ImportJournal.objects.get().state == (
        "committed")
    ImportJob.objects(pk=r.json["id"]).update_one(set__owner=DEAD_OWNER, set__heartbeat_at=now() - timedelta(hours=1))
    import_jobs.wake()
    job = follow(web, r.headers["Location"], headers=worker)
    assert job["state"] == "done" and job["attempts"] == 1 and job["outcome"]["status"] == 201, job["outcome"]
    report = job["outcome"]["body"]
    assert (report["imported"], report["residents"], report["written"], report["households"]) == (
        10, len(rows), True, 10)
    assert job["progress"]["households_written"] == 10
    assert Household.objects(grid_id=GRID).count() == 10                # written once, not run again
    assert import_journal.ImportJournal.objects.count() == 1 and uploads() == 0
