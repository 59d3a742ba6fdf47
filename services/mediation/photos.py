"""Photos of incidents as real documents: sniffed, cleaned with Pillow, kept in GridFS, read back in scope.

Owned by the photos work (issue 16); the signatures below are what intake and the views call.

An upload is hostile until cleaned: its type comes from its first bytes (never its name or declared type), its
pixel count is read from the header and refused before anything is decoded, and what is kept is a fresh encoding
of the pixels alone, so no EXIF (GPS, camera serial), ICC, XMP or comment of the original survives.
"""
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

import gridfs
import mongoengine as me
from bson import ObjectId
from bson.errors import InvalidId
from PIL import Image, ImageOps

from services.mediation.config import SETTINGS
from shared.clock import now
from shared.errors import Invalid, NotFound
from shared.reasons import common
from shared.reasons import mediation as reasons

BUCKET = "photos"
JPEG_QUALITY = 82
# Pillow's name for the format, the content type it is kept as; the order is the sniffing order.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
FORMATS_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
GPS_IFD = 0x8825


@dataclass(frozen=True)
class Cleaned:
    """A photo ready to keep: re-encoded bytes without any metadata, and the GPS point its EXIF held (if any)."""

    content: bytes
    content_type: str  # image/jpeg, image/png or image/webp
    width: int
    height: int
    gps: tuple[float, float] | None


def sniff(data: bytes) -> str | None:
    """The Pillow format the bytes' magic number says (JPEG, PNG or WEBP), or None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean(data: bytes, *, field: str = "photos") -> Cleaned:
    """Check and clean one upload (Invalid on `field` with the reason when it is not a photo we keep)."""
    if len(data) > SETTINGS.PHOTO_MAX_BYTES:
        raise Invalid(reasons.PHOTO_TOO_LARGE(max_mb=_mb(SETTINGS.PHOTO_MAX_BYTES)), field=field)
    fmt = sniff(data)
    if fmt is None:
        raise Invalid(reasons.PHOTO_TYPE(), field=field)
    image = _opened(data, fmt, field)
    width, height = image.size
    if width * height > SETTINGS.PHOTO_MAX_PIXELS:
        raise _too_many(width * height, field)
    scale = min(1.0, SETTINGS.PHOTO_MAX_SIDE / max(width, height))
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    try:
        if fmt == "JPEG" and scale < 1:
            image.draft("RGB", target)  # the decoder scales by 1/2, 1/4 or 1/8 while decoding: far less memory
        image.load()
        gps = _gps(image)
        image = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError:
        raise _too_many(width * height, field) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, ZeroDivisionError):
        raise Invalid(reasons.PHOTO_DAMAGED(), field=field) from None
    if max(image.size) > SETTINGS.PHOTO_MAX_SIDE:
        ratio = SETTINGS.PHOTO_MAX_SIDE / max(image.size)
        image = image.resize((max(1, round(image.width * ratio)), max(1, round(image.height * ratio))),
                             Image.Resampling.LANCZOS)
    return Cleaned(content=_encoded(image, fmt), content_type=FORMATS[fmt], width=image.width, height=image.height,
                   gps=gps)


def _opened(data: bytes, fmt: str, field: str) -> Image.Image:
    """The image with only its header read (no pixels decoded yet), opened as the sniffed format alone."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own, lower, limit follows
            return Image.open(BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError as e:  # far beyond any limit of ours: Pillow refuses it on its own
        found = re.search(r"\((\d+) pixels\)", str(e))
        raise _too_many(int(found.group(1)) if found else SETTINGS.PHOTO_MAX_PIXELS + 1, field) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        raise Invalid(reasons.PHOTO_DAMAGED(), field=field) from None


def _too_many(pixels: int, field: str) -> Invalid:
    return Invalid(reasons.PHOTO_TOO_MANY_PIXELS(pixels=pixels, max_pixels=SETTINGS.PHOTO_MAX_PIXELS), field=field)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def _encoded(image: Image.Image, fmt: str) -> bytes:
    """The pixels alone in `fmt`: a new image carries no info (exif, icc_profile, xmp, comment, text chunks)."""
    if fmt == "JPEG":
        mode = image.mode if image.mode in ("RGB", "L", "CMYK") else "RGB"
    elif fmt == "PNG":
        mode = image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else _with_alpha(image)
    else:
        mode = image.mode if image.mode in ("RGB", "RGBA") else _with_alpha(image)
    pixels = image.convert(mode) if image.mode != mode else image
    bare = Image.new(mode, pixels.size)
    bare.paste(pixels)
    out = BytesIO()
    if fmt == "JPEG":
        bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "PNG":
        bare.save(out, "PNG", optimize=True)
    else:
        bare.save(out, "WEBP", quality=JPEG_QUALITY)
    return out.getvalue()


def _with_alpha(image: Image.Image) -> str:
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    return "RGBA" if has_alpha else "RGB"


def _gps(image: Image.Image) -> tuple[float, float] | None:
    """The EXIF GPS point as decimal (lat, lon), or None when there is none or it makes no sense."""
    try:
        info = image.getexif().get_ifd(GPS_IFD)
        if not info or 2 not in info or 4 not in info:
            return None
        lat, lon = _degrees(info[2]), _degrees(info[4])
        if str(info.get(1, "N")).strip().upper().startswith("S"):
            lat = -lat
        if str(info.get(3, "E")).strip().upper().startswith("W"):
            lon = -lon
    except Exception:  # noqa: BLE001 — a camera's odd EXIF costs the point, never the photo
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0.0, 0.0):
        return None
    return round(lat, 6), round(lon, 6)


def _degrees(dms) -> float:
    d, m, s = (float(x) for x in dms)
    return d + m / 60 + s / 3600


def _bucket() -> gridfs.GridFSBucket:
    return gridfs.GridFSBucket(me.get_db(), bucket_name=BUCKET)


def store(cleaned: Cleaned, *, case_id: str, by: str, stage: str = "reported"):
    """Put a cleaned photo in GridFS; returns the models.Photo to add to the case."""
    from services.mediation.models import Photo

    ext = FORMATS_EXT[cleaned.content_type]
    photo_id = _bucket().upload_from_stream(
        f"{case_id}-{stage}.{ext}", cleaned.content,
        metadata={"case_id": str(case_id), "stage": stage, "by": by, "content_type": cleaned.content_type})
    return Photo(photo_id=str(photo_id), content_type=cleaned.content_type, size=len(cleaned.content),
                 width=cleaned.width, height=cleaned.height, stage=stage, at=now(), by=by)


@contextmanager
def kept(cleaned, *, case_id: str, by: str, stage: str = "reported"):
    """Store cleaned photos for a case about to be saved (the block saves it): if the block fails, they are
    removed again, so a case that was not saved leaves no file behind."""
    stored = []
    try:
        for c in cleaned:
            stored.append(store(c, case_id=case_id, by=by, stage=stage))
        yield stored
    except BaseException:
        delete([p.photo_id for p in stored])
        raise


def delete(photo_ids) -> None:
    """Remove photos from GridFS (a case that failed to save leaves none behind)."""
    bucket = _bucket()
    for photo_id in photo_ids:
        try:
            bucket.delete(ObjectId(str(photo_id)))
        except (gridfs.errors.NoFile, InvalidId):
            pass


def read(photo_id: str) -> tuple[bytes, str]:
    """A kept photo's bytes and content type."""
    try:
        stream = _bucket().open_download_stream(ObjectId(str(photo_id)))
    except (gridfs.errors.NoFile, InvalidId):
        raise NotFound(common.NOT_FOUND(what="photo", id=photo_id), field="photo_id") from None
    content_type = (stream.metadata or {}).get("content_type", "application/octet-stream")
    return stream.read(), content_type
