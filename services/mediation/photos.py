"""Photos of incidents as real documents: sniffed, cleaned with Pillow, kept in GridFS, read back in scope.

Owned by the photos work (issue 16); the signatures below are what intake and the views call.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Cleaned:
    """A photo ready to keep: re-encoded bytes without any metadata, and the GPS point its EXIF held (if any)."""

    content: bytes
    content_type: str  # image/jpeg, image/png or image/webp
    width: int
    height: int
    gps: tuple[float, float] | None


def clean(data: bytes, *, field: str = "photos") -> Cleaned:
    """Check and clean one upload (Invalid on `field` with the reason when it is not a photo we keep)."""
    raise NotImplementedError


def store(cleaned: Cleaned, *, case_id: str, by: str, stage: str = "reported"):
    """Put a cleaned photo in GridFS; returns the models.Photo to add to the case."""
    raise NotImplementedError


def delete(photo_ids) -> None:
    """Remove photos from GridFS (a case that failed to save leaves none behind)."""
    raise NotImplementedError


def read(photo_id: str) -> tuple[bytes, str]:
    """A kept photo's bytes and content type."""
    raise NotImplementedError
