"""Places by name: a street's communities (signed into a street staff member's identity) and the names pages show
for street, community and grid ids (`{{ community_id|place_name }}` prints 幸福社区, not XF).

Both come from the households service and are kept briefly (PLACES_CACHE_S, 60 s): a community added to a street
is in its staff's scope, and a renamed community on the pages, within that time.
"""
import logging
import threading
import time

from flask import current_app, g, has_request_context

from gateway.upstream import ServiceError, client
from shared.identity import Principal

log = logging.getLogger(__name__)
_lock = threading.Lock()
_communities: dict[tuple[str, ...], tuple[float, tuple[str, ...]]] = {}
_names: dict[str, tuple[float, str | None]] = {}
clock = time.monotonic  # tests move it on


def _ttl() -> float:
    return float(current_app.config.get("PLACES_CACHE_S", 60.0))


def forget() -> None:
    """Drop everything kept (tests; a street's scope changed)."""
    with _lock:
        _communities.clear()
        _names.clear()


def street_communities(principal: Principal) -> tuple[str, ...]:
    """The communities of `principal`'s streets, asked of households as them (kept PLACES_CACHE_S); () when the
    register cannot be asked (nothing is widened then)."""
    key = tuple(sorted(principal.street_ids))
    if not key:
        return ()
    now = clock()
    with _lock:
        kept = _communities.get(key)
    if kept and kept[0] > now:
        return kept[1]
    asking = Principal(user_id=principal.user_id, role=principal.role, name=principal.name, street_ids=key)
    try:
        rows = client("households", asking).get("/communities")
    except ServiceError as exc:
        log.warning("a street's communities could not be asked", extra={"status": exc.status})
        return ()
    found = tuple(row["id"] for row in rows if row.get("street_id") in key)
    with _lock:
        _communities[key] = (now + _ttl(), found)
    return found


def names(ids, principal: Principal | None) -> dict[str, str]:
    """{id: name} for the street, community and grid ids the households service names for `principal`."""
    wanted = [i for i in dict.fromkeys(ids) if i]
    if not wanted:
        return {}
    now, out, missing = clock(), {}, []
    with _lock:
        for place in wanted:
            kept = _names.get(place)
            if kept and kept[0] > now:
                if kept[1]:
                    out[place] = kept[1]
            else:
                missing.append(place)
    if missing and principal is not None:
        try:
            rows = client("households", principal).get("/places", params={"ids": ",".join(missing[:200])})
        except ServiceError:
            return out  # the codes show instead: a page still works without the register
        found = {row["id"]: row["name"] for row in rows}
        with _lock:
            for place in missing[:200]:
                # a name not given (outside the caller's area) is not kept: another caller may see it
                if place in found:
                    _names[place] = (now + _ttl(), found[place])
        out.update(found)
    return out


def place_name(place_id) -> str:
    """The name of a street, community or grid for the signed-in user's page (its id when none is known)."""
    if not place_id:
        return ""
    place_id = str(place_id)
    if not has_request_context():
        return place_id
    memo = g.setdefault("place_names", {})
    if place_id not in memo:
        from gateway.auth import current_user, principal

        memo.update(names([place_id], principal() if current_user() is not None else None))
        memo.setdefault(place_id, place_id)
    return memo[place_id]


def band_label(grid: dict) -> str:
    """A grid's size against the band the register reports (GRID_BAND_MIN–GRID_BAND_MAX), e.g. 低于400户."""
    from flask_babel import gettext as _

    low, high = grid.get("band_min", 400), grid.get("band_max", 500)
    band = grid.get("band")
    if band == "below":
        return _("Below %(n)s", n=low)
    if band == "above":
        return _("Above %(n)s", n=high)
    return _("Within %(low)s–%(high)s", low=low, high=high)
