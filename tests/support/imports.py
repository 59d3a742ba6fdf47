"""Running a register import to its end in tests: post the upload, follow its job, return what it answered."""
import time
from typing import NamedTuple

FINISHED = ("done", "failed")


class Answer(NamedTuple):
    """An import's answer: the job's outcome, or the immediate answer when there was no job (a refusal).

    Unpacks as (status, body); `status_code` and `json` read as a test client's response does."""

    status_code: int
    json: dict | None


def post_import(client, grid_id: str, *, headers, **form):
    """POST /grids/<grid_id>/import (multipart) with `form` as given (file as (stream, name)); the response."""
    return client.post(f"/grids/{grid_id}/import", data=form, headers=headers, content_type="multipart/form-data")


def follow(client, location: str, *, headers, deadline_s: float = 120.0, interval_s: float = 0.05) -> dict:
    """Poll a job until it ends; its last view (AssertionError if it has not ended by the deadline)."""
    deadline = time.monotonic() + deadline_s
    while True:
        r = client.get(location, headers=headers)
        assert r.status_code == 200, (r.status_code, r.get_json())
        job = r.get_json()
        if job["state"] in FINISHED:
            return job
        assert time.monotonic() < deadline, f"import job not finished within {deadline_s:.0f} s: {job}"
        time.sleep(interval_s)


def run_import(client, grid_id: str, *, headers, deadline_s: float = 120.0, interval_s: float = 0.05,
               **form) -> Answer:
    """Post an import, follow its job to its end; (outcome.status, outcome.body), or the immediate answer."""
    r = post_import(client, grid_id, headers=headers, **form)
    if r.status_code != 202:
        return Answer(r.status_code, r.get_json())
    job = follow(client, r.headers["Location"], headers=headers, deadline_s=deadline_s, interval_s=interval_s)
    return Answer(job["outcome"]["status"], job["outcome"]["body"])
