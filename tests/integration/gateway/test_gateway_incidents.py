"""The incident report of the phone (事件上报) without scripts, through the gateway to the real mediation service: the
form offers the categories and the grid's buildings with three camera inputs; a multipart post makes one incident
with its photo and shows the receipt; the same client_id again makes no second case; a bad photo is refused in
Chinese, named by its file, and nothing is created; another grid, or a grid outside the worker's scope, is 404.
The same route answers the phone's script (Accept: application/json) with the number, or the reasons in Chinese."""
import io
import re
import uuid

import pytest
from PIL import Image
from pymongo import MongoClient

from tests.support.pages import signed_in, text
from tests.support.stack import page_token

pytestmark = pytest.mark.integration


def jpeg(size=(1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG", quality=90)
    return out.getvalue()


def cases(s, **query) -> list[dict]:
    with MongoClient(s.mongo_url) as client:
        return list(client[f"test_{s.run_id}_mediation"]["disputes"].find({"kind": "incident", **query}))


def form(c, grid_id="g1", **over) -> dict:
    data = {"csrf_token": page_token(c), "category": "safety_hazard", "building": "1栋", "place_text": "",
            "description": "楼道灯坏了，夜里看不见台阶", "client_id": uuid.uuid4().hex}
    data.update(over)
    return data


def post(c, data, grid_id="g1", json=False):
    headers = {"Accept": "application/json"} if json else {}
    return c.post(f"/grids/{grid_id}/incidents/new", data=data, content_type="multipart/form-data", headers=headers)


def test_the_form_offers_categories_buildings_and_three_camera_inputs(s):
    c = signed_in(s, "worker-g1")
    r = c.get("/grids/g1/incidents/new")
    page = text(r)
    assert r.status_code == 200 and "事件上报" in page
    assert "安全隐患" in page and '<option value="1栋">1栋</option>' in page
    assert page.count('type="file"') == 3 and page.count('capture="environment"') == 3
    assert page.count('accept="image/*"') == 3 and 'enctype="multipart/form-data"' in page
    assert "附上我的位置" in page and "incident.js" in page


def test_a_report_with_a_photo_makes_one_incident_and_shows_the_receipt(s):
    c = signed_in(s, "worker-g1")
    data = form(c, description="消防通道被电动车堵住", photo1=(io.BytesIO(jpeg()), "IMG_0001.jpg"))
    r = post(c, data)
    page = text(r)
    assert r.status_code == 201, page[:2000]
    number = re.search(r'id="case-number">([^<]+)<', page)[1]
    assert re.match(r"^\d{4}-SJ-\d{4}$", number) and "事件已上报" in page and "安全隐患" in page
    assert r.headers["Cache-Control"] == "no-store"
    made = cases(s, description="消防通道被电动车堵住")
    assert len(made) == 1 and made[0]["number"] == number and made[0]["grid_id"] == "g1"
    assert made[0]["place"]["building"] == "1栋" and len(made[0]["photos"]) == 1
    assert made[0]["place"].get("lat") is None  # the location was not attached
    assert f'href="/cases/{made[0]["_id"]}"' in page  # on to the desk's page of the case
    # the answer was lost and the phone sends the same report again: the same case, never a second
    again = post(c, {**data, "csrf_token": page_token(c), "photo1": (io.BytesIO(jpeg()), "IMG_0001.jpg")})
    assert again.status_code == 201 and number in text(again)
    assert len(cases(s, description="消防通道被电动车堵住")) == 1


def test_the_location_is_kept_only_when_the_worker_attaches_it(s):
    c = signed_in(s, "worker-g1")
    r = post(c, form(c, building="", place_text="小区东门", description="井盖缺失", attach_location="y",
                     lat="30.274100", lon="120.155100"))
    assert r.status_code == 201, text(r)[:2000]
    place = cases(s, description="井盖缺失")[0]["place"]
    assert place["text"] == "小区东门" and place["lat"] == pytest.approx(30.2741) and place["gps_from"] == "phone"
    r = post(c, form(c, description="路灯不亮", lat="30.274100", lon="120.155100"))  # box not ticked
    assert r.status_code == 201
    assert cases(s, description="路灯不亮")[0]["place"].get("lat") is None


def test_a_bad_photo_is_refused_in_chinese_by_its_name_and_nothing_is_created(s):
    c = signed_in(s, "worker-g1")
    fake = b"<html><script>alert(1)</script></html>"
    r = post(c, form(c, description="垃圾堆放在楼道", photo2=(io.BytesIO(fake), "really-html.png")))
    page = text(r)
    assert r.status_code == 422, page[:2000]
    assert "只能上传 JPEG、PNG 或 WebP 格式的照片" in page and "really-html.png" in page
    assert "垃圾堆放在楼道" in page  # the form keeps what was typed
    assert cases(s, description="垃圾堆放在楼道") == []
    several = post(c, form(c, description="垃圾堆放在楼道", photo1=(io.BytesIO(jpeg()), "good.jpg"),
                           photo3=(io.BytesIO(fake), "bad.png")))
    assert several.status_code == 422 and re.search(r"照片.只能上传 JPEG、PNG 或 WebP 格式的照片", text(several))
    assert cases(s, description="垃圾堆放在楼道") == []
    r = post(c, form(c, description="", building=""))
    assert r.status_code == 422 and 'class="err"' in text(r)
    assert cases(s, description="") == []


def test_the_phones_script_gets_json_with_the_number_or_the_reasons_in_chinese(s):
    c = signed_in(s, "worker-g1")
    r = post(c, form(c, description="电线垂落在人行道上", photo1=(io.BytesIO(jpeg()), "photo1.jpg")), json=True)
    assert r.status_code == 201, text(r)
    answer = r.get_json()
    assert re.match(r"^\d{4}-SJ-\d{4}$", answer["number"]) and answer["number"] in answer["message"]
    r = post(c, form(c, description="图片有问题", photo1=(io.BytesIO(b"GIF89a not a photo"), "x.gif")), json=True)
    assert r.status_code == 422 and r.is_json
    assert "只能上传 JPEG、PNG 或 WebP 格式的照片" in r.get_json()["message"]
    assert cases(s, description="图片有问题") == []


def test_another_grid_or_a_grid_outside_the_workers_scope_is_not_found(s):
    worker, staff = signed_in(s, "worker-g1"), signed_in(s, "staff-c1")
    assert worker.get("/grids/g2/incidents/new").status_code == 404  # same community, not the worker's grid
    assert worker.get("/grids/g3/incidents/new").status_code == 404
    assert staff.get("/grids/g3/incidents/new").status_code == 404  # another community
    assert staff.get("/grids/g2/incidents/new").status_code == 200
    r = post(worker, form(worker, description="越界上报"), grid_id="g2")
    assert r.status_code == 404
    r = post(worker, form(worker, description="越界上报"), grid_id="g3", json=True)
    assert r.status_code == 404 and r.is_json
    assert cases(s, description="越界上报") == []
    mediator = signed_in(s, "mediator")  # reads cases but does not register them
    assert mediator.get("/grids/g1/incidents/new").status_code == 403
