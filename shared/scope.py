"""Loading one object for a caller: by id, and only within the caller's area; otherwise 404.

An object outside the caller's grids and communities answers exactly as one that does not exist, so ids
cannot be probed. Services pass how an object is placed (`place`) or, for rules beyond place (a mediator's own
case, a team leader's own team), a `visible` test.
"""
from collections.abc import Callable

import mongoengine as me
from bson import ObjectId
from bson.errors import InvalidId

from shared.errors import NotFound
from shared.identity import Principal
from shared.reasons.common import NOT_FOUND


def _place(obj) -> tuple[str | None, str | None]:
    return getattr(obj, "community_id", None), getattr(obj, "grid_id", None)


def not_found(what: str, object_id, *, field: str | None = None) -> NotFound:
    """The 404 for `what` `object_id` (to raise)."""
    return NotFound(NOT_FOUND(what=what, id=object_id), field=field)


def primary_key(document: type[me.Document], object_id, *, what: str, field: str | None = None):
    """`object_id` as `document`'s primary key: an ObjectId where the key is one (404 for anything else)."""
    if isinstance(document._fields[document._meta["id_field"]], me.ObjectIdField):
        try:
            return ObjectId(object_id)
        except (InvalidId, TypeError):
            raise not_found(what, object_id, field=field) from None
    if not isinstance(object_id, str) or not object_id:
        raise not_found(what, object_id, field=field)
    return object_id


def load_in_scope(document: type[me.Document], object_id, *, actor: Principal, what: str,
                  permission: str | None = None, place: Callable = _place, visible: Callable | None = None,
                  only: tuple[str, ...] = (), field: str | None = None):
    """`document` `object_id` if the caller may see it (and holds `permission`), else 404 (403 for the role)."""
    if permission:
        actor.require(permission)
    query = document.objects(pk=primary_key(document, object_id, what=what, field=field))
    obj = (query.only(*only) if only else query).first()
    if obj is None:
        raise not_found(what, object_id, field=field)
    if visible is not None:
        seen = visible(obj)
    else:
        community_id, grid_id = place(obj)
        seen = actor.covers(community_id=community_id, grid_id=grid_id)
    if not seen:
        raise not_found(what, object_id, field=field)
    return obj
