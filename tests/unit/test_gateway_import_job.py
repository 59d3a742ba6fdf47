"""The import job's page as rendered for a job still running and for one that has ended, without servers: the
refresh (for phones without scripts), the bar and the counts in Chinese, and what the page's script polls."""
import re

import pytest


@pytest.fixture(scope="module")
def app():
    from gateway.app import create_app
    from gateway.config import TestConfig

    return create_app(TestConfig(mongo_url="mongodb://127.0.0.1:1", run_id="import-job"))


def job(state: str, dry_run=False, **progress) -> dict:
    counts = {"rows_read": 0, "rows_checked": 0, "households_total": 0, "households_written": 0, **progress}
    return {"id": "0f" * 16, "grid_id": "g1", "community_id": "c1", "mode": "all_or_nothing", "dry_run": dry_run,
            "filename": "台账.xlsx", "state": state, "progress": counts, "attempts": 1, "outcome": None}


def render(app, the_job: dict) -> str:
    from flask import render_template

    from gateway.forms.register import FullExportForm, ImportForm
    from gateway.views.community import _job_progress

    with app.test_request_context(f"/grids/g1/imports/{the_job['id']}"):
        return render_template("import_job.html", grid={"id": "g1", "name": "第一网格", "community_id": "c1"},
                               job=the_job, progress=_job_progress(the_job), form=ImportForm(formdata=None),
                               report=None, report_view=None, columns=[], errors=[], recent=[],
                               export_form=FullExportForm(formdata=None), can_reveal=False)


def test_a_running_job_refreshes_itself_and_shows_its_bar_and_counts(app):
    page = render(app, job("writing", rows_read=400, rows_checked=400, households_total=200, households_written=50))
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page    # phones without scripts
    assert re.search(r'<progress max="100" value="62">', page)                      # checked all, saved a quarter
    assert "正在写入" in page and "已读取 400 行，已检查 400 行" in page and "已写入 50 / 200 户" in page
    assert 'data-import-job="/grids/g1/imports/' + "0f" * 16 + '.json"' in page     # what app.js polls
    assert 'enctype="multipart/form-data"' not in page                              # no upload while it runs


def test_a_check_only_job_counts_the_checked_rows_for_the_whole_bar(app):
    page = render(app, job("checking", dry_run=True, rows_read=300, rows_checked=150))
    assert re.search(r'<progress max="100" value="50">', page)
    assert "正在检查" in page and "已写入" not in page


@pytest.mark.parametrize("state, label", [("done", "已完成"), ("failed", "未完成")])
def test_an_ended_job_no_longer_refreshes_and_offers_the_form_again(app, state, label):
    page = render(app, job(state, rows_read=4, rows_checked=4, households_total=2, households_written=2))
    assert label in page
    assert "refresh" not in page and "data-import-job" not in page and "<progress" not in page
    assert 'enctype="multipart/form-data"' in page and 'action="/grids/g1/import"' in page
