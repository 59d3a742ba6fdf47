"""A community's own column names in its register sheets: which register column each holds, or that it is ignored.

Offices head their sheets their own way (重点人群, 帮扶类别, 备注 ...). What the register's aliases do not know, the
uploader maps once (a dry run lists each unknown header with the register columns it could be); the mapping a
successful import used is remembered for the community (`ImportMapping`) and applied to its next uploads, and
can be read and replaced through the API.
"""
from services.households.models import Community, ImportMapping, MappedColumn
from services.households.sheets.register import check_mapping, header_key
from shared.clock import now
from shared.errors import Invalid
from shared.identity import Principal
from shared.scope import load_in_scope


def community_in_scope(actor: Principal, community_id: str, permission: str) -> Community:
    """The community if the caller holds `permission` and serves the whole community, else 404 (a grid worker
    maps columns through the uploads of their own grid, not for the community)."""
    return load_in_scope(Community, community_id, actor=actor, what="community", permission=permission,
                         place=lambda c: (c.pk, None))


def remembered(community_id: str) -> dict[str, str | None]:
    """The mapping remembered for the community ({} when none)."""
    saved = ImportMapping.objects(pk=community_id).first()
    return {c.header: c.column for c in saved.columns} if saved else {}


def _view(community_id: str) -> dict:
    saved = ImportMapping.objects(pk=community_id).first()
    return {"community_id": community_id, "mapping": remembered(community_id),
            "updated_at": saved.updated_at if saved else None, "updated_by": saved.updated_by if saved else None}


def _save(community_id: str, mapping: dict[str, str | None], by: str) -> None:
    ImportMapping.objects(pk=community_id).update_one(
        set__columns=[MappedColumn(header=h, column=c) for h, c in mapping.items()], set__updated_at=now(),
        set__updated_by=by, upsert=True)


def remember(*, community_id: str, mapping: dict[str, str | None], actor: Principal) -> None:
    """Add what an import's mapping says to the community's: a header given again takes its new column, and an
    old header whose column a new one took is dropped."""
    if not mapping:
        return
    given = {header_key(h) for h in mapping}
    taken = {c for c in mapping.values() if c}
    kept = {h: c for h, c in remembered(community_id).items() if header_key(h) not in given and c not in taken}
    merged = {**kept, **mapping}
    try:
        check_mapping(merged)
    except Invalid:          # cannot happen for a mapping an import used; keep the old one rather than fail
        return
    _save(community_id, merged, actor.user_id)


def get_import_mapping(*, actor: Principal, community_id: str) -> dict:
    """The column mapping remembered for a community's register uploads."""
    community = community_in_scope(actor, community_id, "register.read")
    return _view(community.pk)


def set_import_mapping(*, actor: Principal, community_id: str, mapping: dict) -> dict:
    """Replace a community's column mapping (checked: existing register columns, each at most once)."""
    community = community_in_scope(actor, community_id, "register.write")
    _save(community.pk, check_mapping(mapping), actor.user_id)
    return _view(community.pk)
