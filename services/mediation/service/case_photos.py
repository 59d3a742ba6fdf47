"""Photos of a request or incident: added in batches by stage (the report, the handling), read back in scope.

The report's photos are added by its reporter (the first-contact owner) or staff of its community while it is
open; the handling's by the person it is dispatched to or staff while it is dispatched or handled. A batch is
all or nothing: every file is cleaned before any is kept, and kept files are removed again if the case fails to
save.
"""
from services.mediation import photos
from services.mediation.config import SETTINGS
from services.mediation.models import OPEN, Dispute
from services.mediation.rules import changeable, of_kind
from services.mediation.service.case_file import dispute, staff_of, step
from shared.errors import Forbidden, Invalid, NotFound
from shared.events.mediation import DESK_KINDS
from shared.identity import Principal
from shared.messaging.outbox import commit
from shared.reasons import common
from shared.reasons import mediation as reasons

# stage: (permission, statuses it may be added in)
STAGES = {"reported": ("cases.register", OPEN), "handled": ("cases.handle", ("dispatched", "handled"))}


def _may_add(actor: Principal, d: Dispute, stage: str) -> None:
    if staff_of(actor, d):
        return
    if stage == "reported" and actor.user_id != d.owner_id:
        raise Forbidden(reasons.PHOTO_REPORTER_ONLY(), field="stage")
    if stage == "handled" and (not d.handler_id or actor.user_id != d.handler_id):
        raise Forbidden(reasons.PHOTO_HANDLER_ONLY(), field="stage")


def add_photos(*, actor: Principal, case_id: str, stage: str, files: list[bytes]) -> Dispute:
    """Clean and keep a batch of photos of one stage of a request or incident (none kept if any is refused)."""
    permission, statuses = STAGES[stage]
    d = dispute(actor, case_id, permission)
    of_kind(d, DESK_KINDS, "given photos")
    changeable(d, statuses, "given photos")
    _may_add(actor, d, stage)
    if not files:
        raise Invalid(reasons.PHOTOS_NEEDED(), field="photos")
    if sum(p.stage == stage for p in d.photos) + len(files) > SETTINGS.PHOTOS_PER_CASE:
        raise Invalid(reasons.PHOTO_LIMIT(n=SETTINGS.PHOTOS_PER_CASE), field="photos")
    cleaned = [photos.clean(data, field="photos") for data in files]
    with photos.kept(cleaned, case_id=str(d.pk), by=actor.user_id, stage=stage) as kept:
        d.photos.extend(kept)
        step(d, actor, "photos_added", stage=stage, photos=len(kept))
        return commit(d)


def photo_file(*, actor: Principal, case_id: str, photo_id: str) -> tuple[bytes, str]:
    """A photo of a case the caller may see: (bytes, content type); 404 for a photo that is not this case's."""
    d = dispute(actor, case_id)
    if not any(p.photo_id == photo_id for p in d.photos):
        raise NotFound(common.NOT_FOUND(what="photo", id=photo_id), field="photo_id")
    return photos.read(photo_id)
