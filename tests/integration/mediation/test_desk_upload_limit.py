"""An incident's form with PHOTOS_PER_CASE photos of nearly PHOTO_MAX_BYTES each (a phone without scripts sends
the camera's files as they are) reaches the use case: the service's request limit (MAX_UPLOAD_BYTES, 10 MiB, for
one file) would refuse the whole form with 413 before the photos were even looked at."""
import json
from io import BytesIO

from services.mediation.config import SETTINGS
from tests.support.photos import jpeg


def large_photo(seed: int) -> bytes:
    """A real JPEG padded after its end marker to just under PHOTO_MAX_BYTES (cleaning keeps only the image)."""
    image = jpeg((800, 600), colour=(seed * 40 % 256, 90, 160))
    return image + b"\0" * (SETTINGS.PHOTO_MAX_BYTES - 1024 - len(image))


def test_three_photos_of_nearly_five_megabytes_are_taken(api, people, register, today):
    today.set("2026-03-02")
    register("C1-G1", 1)
    photos = [large_photo(n) for n in range(SETTINGS.PHOTOS_PER_CASE)]
    assert sum(map(len, photos)) > 10 * 1024 * 1024  # more than one upload's limit
    body = {"grid_id": "C1-G1", "category": "public_facility", "description": "3栋楼道灯不亮",
            "place": {"building": "3栋"}}
    form = {"data": json.dumps(body, ensure_ascii=False),
            "photos": [(BytesIO(p), f"p{i}.jpg") for i, p in enumerate(photos)]}
    r = api.post("/incidents", data=form, headers=people["worker"], content_type="multipart/form-data")
    assert r.status_code == 201, (r.status_code, r.get_data(as_text=True)[:300])
    kept = r.json["case"]["photos"]
    assert len(kept) == SETTINGS.PHOTOS_PER_CASE and all(p["size"] < 1024 * 1024 for p in kept)
