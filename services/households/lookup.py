"""Finding a household by a full ID number or phone without storing anything searchable by fragment.

Each number is kept as HMAC-SHA256(LOOKUP_HMAC_KEY, number): a look-up is an exact match on that keyed hash,
so neither a fragment nor a database copy without the key leads back to a number. Documents remember which key
hashed them (`lookup_keyed_with`), so `backfill` fills in old documents and re-hashes after a key change:
`python -m services.households.lookup` (the API also runs it when it starts; see service.backfill_derived_fields).
"""
import hashlib
import hmac
import logging
import re

from services.households.config import SETTINGS
from shared.errors import Invalid, Unavailable
from shared.reasons import households as reasons

log = logging.getLogger(__name__)

_ID = re.compile(r"^\d{17}[\dX]$")
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_PERMIT = re.compile(r"^[A-Z0-9]{6,30}$")  # 居住证号: formats differ by city (schemas.validate_permit_number)


def _key() -> bytes | None:
    """The look-up key; without one no hash is stored and look-ups answer 503 (never a plain hash)."""
    key = SETTINGS.LOOKUP_HMAC_KEY
    return key.encode() if key else None


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def key_id() -> str:
    """A short fingerprint of the current key (not the key), stored with each document's hashes."""
    key = _key()
    return _mac(key, "key-id")[:16] if key else "unkeyed"


def normalise_number(value: str) -> str | None:
    """A full ID number (upper-case X), an 11-digit mobile number or a residence permit number (6–30 letters or
    digits, matched whole like the others); None for anything else."""
    text = re.sub(r"[\s-]+", "", value or "").upper()
    if _PHONE.match(text.removeprefix("+86")):
        return text.removeprefix("+86")
    return text if _ID.match(text) or _PERMIT.match(text) else None


def lookup_key(number: str) -> str:
    """The stored form of a full number; Invalid (422 on field `number`) for a fragment."""
    key = _key()
    if key is None:
        raise Unavailable(reasons.LOOKUP_OFF())
    normal = normalise_number(number)
    if normal is None:
        raise Invalid(reasons.LOOKUP_FRAGMENT(), field="number")
    return _mac(key, normal)


def household_keys(doc) -> list[str]:
    """The keyed hashes of a household's phone and its residents' ID numbers, phones and residence permit numbers
    (document or raw row)."""
    key = _key()
    if key is None:
        return []
    get = (lambda o, k: o.get(k)) if isinstance(doc, dict) else getattr
    numbers = {get(doc, "phone")}
    for r in get(doc, "residents") or []:
        numbers |= {get(r, "id_number"), get(r, "phone"), get(r, "permit_number")}
    return sorted({_mac(key, n) for n in filter(None, (normalise_number(x) for x in numbers if x))})


def main() -> None:
    """Backfill the look-up hashes of the configured households database."""
    from shared.config import Config  # noqa: PLC0415
    from shared.db import connect_db  # noqa: PLC0415

    config = Config("households", SETTINGS).bind()
    connect_db(config)
    if not config.LOOKUP_HMAC_KEY:
        raise SystemExit("set LOOKUP_HMAC_KEY first")
    from services.households.service import backfill_derived_fields  # noqa: PLC0415 (service imports this module)

    print(f"{backfill_derived_fields()} households given look-up hashes and a search text without numbers")


def backfill_at_start() -> None:
    """The API's start: redo what an older version (or key) derived; a database that is away waits for the next start."""
    from pymongo.errors import PyMongoError  # noqa: PLC0415

    from services.households.service import backfill_derived_fields  # noqa: PLC0415

    if _key() is None:
        log.warning("LOOKUP_HMAC_KEY is not set: finding households by full ID number or phone is off")
    try:
        changed = backfill_derived_fields()
    except PyMongoError as exc:
        log.warning("look-up hashes not backfilled now (%s); `python -m services.households.lookup` does it", exc)
        return
    if changed:
        log.info("look-up hashes written for %d households", changed)


if __name__ == "__main__":
    main()
