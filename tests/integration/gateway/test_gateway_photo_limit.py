"""A phone without scripts sends the camera's files as they are: an incident with three photos of nearly
PHOTO_MAX_BYTES each (15 MB in all) passes the gateway's request limit (MAX_PHOTOS_BYTES) and the mediation
service's, and makes one incident with its three photos, cleaned. The gateway's own limit for one file
(MAX_UPLOAD_BYTES, 10 MiB) would have refused the form with 413 before anyone looked at it."""
import io
import re
import uuid

import pytest
from PIL import Image
from pymongo import MongoClient

from services.mediation.config import SETTINGS
from tests.support.pages import signed_in, text
from tests.support.stack import page_token

pytestmark = pytest.mark.integration


def camera_file(shade: int) -> bytes:
    """A real JPEG padded after its end marker to just under PHOTO_MAX_BYTES (cleaning keeps only the image)."""
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (shade, 120, 200)).save(out, "JPEG", quality=90)
    image = out.getvalue()
    return image + b"\0" * (SETTINGS.PHOTO_MAX_BYTES - 1024 - len(image))


def test_three_full_size_camera_photos_pass_the_gateway(s):
    c = signed_in(s, "worker-g1")
    photos = {f"photo{n}": (io.BytesIO(camera_file(40 * n)), f"IMG_000{n}.jpg") for n in (1, 2, 3)}
    assert sum(len(f.getvalue()) for f, _ in photos.values()) > 10 * 1024 * 1024
    data = {"csrf_token": page_token(c), "category": "safety_hazard", "building": "1栋", "place_text": "",
            "description": "配电箱门脱落，电线外露", "client_id": uuid.uuid4().hex, **photos}
    r = c.post("/grids/g1/incidents/new", data=data, content_type="multipart/form-data")
    page = text(r)
    assert r.status_code == 201, (r.status_code, page[:1000])
    number = re.search(r'id="case-number">([^<]+)<', page)[1]
    with MongoClient(s.mongo_url) as client:
        (made,) = client[f"test_{s.run_id}_mediation"]["disputes"].find({"number": number})
    assert len(made["photos"]) == 3 and all(p["size"] < 1024 * 1024 for p in made["photos"])
