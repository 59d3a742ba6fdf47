"""Photos of requests and incidents through the real mediation service: hostile uploads refused with their reason
and nothing kept, what is kept cleaned (no EXIF, scaled, its own type), per-stage limits, who may add, and a photo
read back only in the case's scope with headers that keep it out of caches and sniffers."""
from io import BytesIO

import mongoengine
import pytest
from PIL import Image

from tests.support.photos import jpeg, png, png_header_only, webp

GPS = {1: "N", 2: (30.0, 15.0, 36.0), 3: "E", 4: (120.0, 9.0, 0.0)}


@pytest.fixture
def incident(api, register, people):
    """An incident reported by grid C1-G1's worker (w-a); returns a function for more."""
    def report(who="worker", grid_id="C1-G1"):
        r = api.post("/incidents", headers=people[who], json={
            "grid_id": grid_id, "category": "safety_hazard", "description": "楼道堆放杂物，堵塞消防通道",
            "place": {"building": "3栋"}, "attach_location": False})
        assert r.status_code == 201, r.get_json()
        return r.get_json()["case"]
    return report


def send(api, case_id, headers, *files, stage="reported"):
    """POST a multipart batch: each file is bytes, or (bytes, its name, its declared content type)."""
    parts = []
    for i, f in enumerate(files):
        data, name, declared = f if isinstance(f, tuple) else (f, f"photo{i}.jpg", "image/jpeg")
        parts.append((BytesIO(data), name, declared))
    return api.post(f"/cases/{case_id}/photos", headers=headers, content_type="multipart/form-data",
                    data={"stage": stage, "photos": parts})


def kept_files() -> int:
    return mongoengine.get_db()["photos.files"].count_documents({})


def reason(r, field="photos"):
    body = r.get_json()
    return body["field_reasons"][field][0]


def case(api, case_id, headers):
    r = api.get(f"/cases/{case_id}", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def fetch(api, case_id, photo_id, headers):
    return api.get(f"/cases/{case_id}/photos/{photo_id}", headers=headers)


# ---- hostile uploads: refused with the reason, nothing kept ---------------------------------------------

@pytest.mark.parametrize("upload, code", [
    ((b"<html><script>alert(document.cookie)</script></html>", "photo.png", "image/png"), "mediation.photo_type"),
    ((b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D"
      b"\x01\x00;", "photo.jpg", "image/jpeg"), "mediation.photo_type"),
    ((b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "photo.jpg", "image/jpeg"),
     "mediation.photo_type"),
    ((b"%PDF-1.4\n1 0 obj<<>>endobj", "photo.webp", "image/webp"), "mediation.photo_type"),
])
def test_what_is_not_a_photo_is_refused_whatever_its_name(api, people, incident, upload, code):
    c = incident()
    r = send(api, c["id"], people["worker"], upload)
    assert r.status_code == 422 and reason(r) == {"code": code, "params": {}}
    assert case(api, c["id"], people["worker"])["photos"] == [] and kept_files() == 0


def test_forty_megapixels_are_refused_with_the_count(api, people, incident):
    out = BytesIO()
    Image.new("L", (8000, 5000), 200).save(out, "PNG")  # a flat colour: small on the wire, 40 MP decoded
    c = incident()
    r = send(api, c["id"], people["worker"], (out.getvalue(), "big.png", "image/png"))
    assert r.status_code == 422
    assert reason(r) == {"code": "mediation.photo_too_many_pixels",
                         "params": {"pixels": 40_000_000, "max_pixels": 25_000_000}}
    assert kept_files() == 0


def test_a_bomb_header_is_refused_with_its_pixel_count(api, people, incident):
    c = incident()
    r = send(api, c["id"], people["worker"], (png_header_only(40_000, 40_000), "bomb.png", "image/png"))
    assert r.status_code == 422 and reason(r)["params"]["pixels"] == 1_600_000_000


def test_a_truncated_jpeg_is_refused_as_damaged(api, people, incident):
    data = jpeg((1600, 1200))
    c = incident()
    r = send(api, c["id"], people["worker"], data[: len(data) * 2 // 3])
    assert r.status_code == 422 and reason(r)["code"] == "mediation.photo_damaged" and kept_files() == 0


def test_a_six_megabyte_file_is_refused_as_too_large(api, people, incident):
    c = incident()
    r = send(api, c["id"], people["worker"], jpeg() + b"\x00" * (6 * 1024 * 1024))
    assert r.status_code == 422
    assert reason(r) == {"code": "mediation.photo_too_large", "params": {"max_mb": "5"}} and kept_files() == 0


def test_one_bad_file_keeps_none_of_its_batch(api, people, incident):
    c = incident()
    r = send(api, c["id"], people["worker"], jpeg(), (b"<html>", "x.png", "image/png"))
    assert r.status_code == 422 and reason(r)["code"] == "mediation.photo_type"
    assert case(api, c["id"], people["worker"])["photos"] == [] and kept_files() == 0


def test_no_file_is_refused(api, people, incident):
    c = incident()
    r = api.post(f"/cases/{c['id']}/photos", headers=people["worker"], content_type="multipart/form-data",
                 data={"stage": "reported"})
    assert r.status_code == 422 and "photos" in r.get_json()["fields"]


# ---- what is kept -------------------------------------------------------------------------------------

def test_a_photo_with_gps_is_kept_without_any_exif(api, people, incident):
    c = incident()
    data = jpeg((1200, 900), gps=GPS)
    assert b"GPS" in data or b"\x88\x25" in data
    r = send(api, c["id"], people["worker"], data)
    assert r.status_code == 200, r.get_json()
    [photo] = r.get_json()["photos"]
    assert photo["content_type"] == "image/jpeg" and photo["stage"] == "reported"
    got = fetch(api, c["id"], photo["photo_id"], people["worker"])
    assert got.status_code == 200 and len(got.data) == photo["size"]
    assert b"GPS" not in got.data and b"Exif" not in got.data and b"PhoneMaker" not in got.data
    assert dict(Image.open(BytesIO(got.data)).getexif()) == {}


def test_a_phone_photo_is_scaled_to_1600(api, people, incident):
    c = incident()
    [photo] = send(api, c["id"], people["worker"], jpeg((4000, 3000))).get_json()["photos"]
    assert (photo["width"], photo["height"]) == (1600, 1200)
    got = fetch(api, c["id"], photo["photo_id"], people["worker"])
    assert Image.open(BytesIO(got.data)).size == (1600, 1200)


def test_png_and_webp_are_kept_as_their_type(api, people, incident):
    c = incident()
    r = send(api, c["id"], people["worker"], (png(), "a.jpg", "image/jpeg"), (webp(), "b.png", "image/png"))
    assert r.status_code == 200, r.get_json()
    kinds = [p["content_type"] for p in r.get_json()["photos"]]
    assert kinds == ["image/png", "image/webp"]
    for p, fmt in zip(r.get_json()["photos"], ("PNG", "WEBP")):
        got = fetch(api, c["id"], p["photo_id"], people["worker"])
        assert got.headers["Content-Type"] == p["content_type"] and Image.open(BytesIO(got.data)).format == fmt


def test_a_fourth_photo_is_refused_and_none_of_its_batch_kept(api, people, incident):
    c = incident()
    assert send(api, c["id"], people["worker"], jpeg(), jpeg()).status_code == 200
    r = send(api, c["id"], people["worker"], jpeg(), jpeg())
    assert r.status_code == 422 and reason(r) == {"code": "mediation.photo_limit", "params": {"n": 3}}
    assert len(case(api, c["id"], people["worker"])["photos"]) == 2 and kept_files() == 2
    assert send(api, c["id"], people["worker"], jpeg()).status_code == 200
    assert send(api, c["id"], people["worker"], jpeg()).status_code == 422
    r = send(api, incident()["id"], people["worker"], jpeg(), jpeg(), jpeg(), jpeg())
    assert r.status_code == 422 and reason(r)["code"] == "mediation.photo_limit" and kept_files() == 3


# ---- reading back: scope and headers -------------------------------------------------------------------

def test_a_photo_is_served_private_no_store_nosniff_inline(api, people, incident):
    c = incident()
    [photo] = send(api, c["id"], people["worker"], jpeg()).get_json()["photos"]
    for who in ("worker", "staff"):
        got = fetch(api, c["id"], photo["photo_id"], people[who])
        assert got.status_code == 200
        assert got.headers["Content-Type"] == "image/jpeg"
        assert got.headers["Cache-Control"] == "private, no-store"
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        assert got.headers["Content-Disposition"] == "inline"


def test_a_photo_is_404_outside_the_cases_scope(api, people, incident):
    c = incident()
    [photo] = send(api, c["id"], people["worker"], jpeg()).get_json()["photos"]
    for who in ("worker_b", "staff_c2"):  # another grid's worker, another community's staff
        assert fetch(api, c["id"], photo["photo_id"], people[who]).status_code == 404
        assert send(api, c["id"], people[who], jpeg()).status_code == 404


def test_a_photo_of_another_case_is_404(api, people, incident):
    mine, other = incident(), incident()
    [photo] = send(api, other["id"], people["worker"], jpeg()).get_json()["photos"]
    assert fetch(api, mine["id"], photo["photo_id"], people["worker"]).status_code == 404
    assert fetch(api, mine["id"], "not-an-id", people["worker"]).status_code == 404
    assert fetch(api, other["id"], photo["photo_id"], people["worker"]).status_code == 200


# ---- who may add photos of which stage ----------------------------------------------------------------

def test_report_photos_come_from_the_reporter_or_staff(api, people, incident, register):
    c = incident(who="staff")  # reported by C1's staff in grid C1-G1
    r = send(api, c["id"], people["worker"], jpeg())  # C1-G1's worker sees it but did not report it
    assert r.status_code == 403 and reason(r, "stage")["code"] == "mediation.photo_reporter_only"
    assert send(api, c["id"], people["staff"], jpeg()).status_code == 200


def test_handling_photos_come_from_the_handler_or_staff_once_dispatched(api, people, incident):
    c = incident()
    r = send(api, c["id"], people["staff"], jpeg(), stage="handled")
    assert r.status_code == 409 and r.get_json()["reason"]["code"] == "mediation.not_while"
    d = api.post(f"/cases/{c['id']}/dispatch", headers=people["staff"],
                 json={"target": "person", "user_id": "w-b", "user_name": "w-b"})
    assert d.status_code == 200, d.get_json()
    r = send(api, c["id"], people["worker"], jpeg(), stage="handled")  # the reporter is not the handler
    assert r.status_code == 403 and reason(r, "stage")["code"] == "mediation.photo_handler_only"
    r = send(api, c["id"], people["worker_b"], jpeg(), stage="reported")  # the handler did not report it
    assert r.status_code == 403
    r = send(api, c["id"], people["worker_b"], jpeg(), jpeg(), stage="handled")
    assert r.status_code == 200, r.get_json()
    assert send(api, c["id"], people["staff"], jpeg(), stage="handled").status_code == 200
    assert send(api, c["id"], people["staff"], jpeg(), stage="handled").status_code == 422
    assert send(api, c["id"], people["worker"], jpeg(), stage="reported").status_code == 200  # stages count apart
    stages = [p["stage"] for p in case(api, c["id"], people["staff"])["photos"]]
    assert stages.count("handled") == 3 and stages.count("reported") == 1


def test_a_dispute_takes_no_photos(api, people, register):
    from tests.support.mediation import dispute_body

    r = api.post("/disputes", headers=people["worker"], json=dispute_body())
    assert r.status_code == 201, r.get_json()
    r = send(api, r.get_json()["dispute"]["id"], people["worker"], jpeg())
    assert r.status_code == 409 and r.get_json()["reason"]["code"] == "mediation.not_for_kind" and kept_files() == 0


def test_photos_kept_before_a_failed_save_are_removed_again(api, people, incident, monkeypatch):
    from services.mediation.service import case_photos
    from shared.messaging.outbox import ConcurrentChange

    def changed_meanwhile(d, *events):
        raise ConcurrentChange("someone else saved the case first")

    c = incident()
    monkeypatch.setattr(case_photos, "commit", changed_meanwhile)
    r = send(api, c["id"], people["worker"], jpeg(), png())
    assert r.status_code == 409 and kept_files() == 0
    assert case(api, c["id"], people["worker"])["photos"] == []
