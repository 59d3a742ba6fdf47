"""Managing users: create, change role and scope, reset a password, deactivate. Every change is audited.

A password chosen by anyone but the user (seeded, created or set by an admin, a reset) is flagged
`must_change_password`: the user's pages ask for a new one first (gateway/auth.py).
"""
import re

import mongoengine as me

from gateway import passwords
from gateway.models import SCOPE_KIND, AuditEntry, User, now
from gateway.sessions import end_sessions_of
from shared.permissions import ROLES, may, roles_with

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class UserInvalid(ValueError):
    """A user change was refused; `field` names the form field, `code` the reason (translated by the page)."""

    def __init__(self, field: str, code: str, **params):
        super().__init__(f"{field}: {code}")
        self.field, self.code, self.params = field, code, params


def parse_ids(value) -> list[str]:
    """'g1, g2  g3' or a list -> ['g1', 'g2', 'g3'] (order kept, duplicates dropped)."""
    if isinstance(value, str):
        value = re.split(r"[\s,，;；]+", value)
    out = []
    for item in value or ():
        item = str(item).strip()
        if item and item not in out:
            out.append(item)
    return out


def _check_scope(role: str, grid_ids: list[str], community_ids: list[str], street_ids: list[str] = ()) -> None:
    if role not in ROLES:
        raise UserInvalid("role", "unknown_role")
    for field, ids in (("grid_ids", grid_ids), ("community_ids", community_ids), ("street_ids", street_ids)):
        bad = [i for i in ids if not _CODE.match(i)]
        if bad:
            raise UserInvalid(field, "bad_id", ids=", ".join(bad[:5]))
    kind = SCOPE_KIND[role]
    if kind == "grids" and not grid_ids:
        raise UserInvalid("grid_ids", "grids_needed")
    if kind == "communities" and not community_ids and not grid_ids:
        raise UserInvalid("community_ids", "communities_needed")
    if kind == "streets" and not street_ids:
        raise UserInvalid("street_ids", "streets_needed")
    if street_ids and kind != "streets":
        raise UserInvalid("street_ids", "streets_only_street_staff")


def manages_accounts(role: str, active: bool) -> bool:
    """An active user whose role may manage the gateway's accounts."""
    return active and may(role, "accounts.manage")


def other_account_managers(user: User) -> int:
    """How many active users besides `user` may manage accounts (there must stay at least one)."""
    return User.objects(role__in=list(roles_with("accounts.manage")), active=True, pk__ne=user.pk).count()


def audit(action: str, *, by: str | None, user_id: str | None, ip: str | None = None, **detail) -> None:
    AuditEntry(action=action, by=by, user_id=user_id, detail=detail, ip=(ip or "")[:64]).save()


def create_user(*, username: str, password: str, role: str, name: str, grid_ids=(), community_ids=(),
                street_ids=(), active: bool = True, by: str = "system", must_change: bool = True) -> User:
    """A new user; UserInvalid when the username is taken, the password weak or the scope wrong."""
    username = username.strip().lower()
    grid_ids, community_ids, street_ids = parse_ids(grid_ids), parse_ids(community_ids), parse_ids(street_ids)
    _check_scope(role, grid_ids, community_ids, street_ids)
    weak = passwords.weak_reason(password or "", username)
    if weak:
        raise UserInvalid("password", weak, min=passwords.MIN_LENGTH)
    user = User(username=username, name=name.strip(), role=role, grid_ids=grid_ids, community_ids=community_ids,
                street_ids=street_ids, password_hash=passwords.hash_password(password), active=active, created_by=by, updated_by=by,
                must_change_password=must_change)
    try:
        user.save(force_insert=True)
    except me.NotUniqueError:
        raise UserInvalid("username", "taken") from None
    except me.ValidationError as exc:
        raise UserInvalid(next(iter(exc.to_dict() or {"username": ""})), "invalid") from None
    audit("user.created", by=by, user_id=str(user.pk), role=role, grid_ids=grid_ids, community_ids=community_ids,
          street_ids=street_ids)
    return user


def update_user(user: User, *, by: str, name: str | None = None, role: str | None = None, grid_ids=None,
                community_ids=None, street_ids=None, active: bool | None = None, password: str | None = None) -> User:
    """Change a user; a change of role, scope, password or a deactivation ends their sessions."""
    before = {"role": user.role, "grid_ids": list(user.grid_ids), "community_ids": list(user.community_ids),
              "street_ids": list(user.street_ids or []), "active": user.active}
    role = role or user.role
    grid_ids = parse_ids(grid_ids) if grid_ids is not None else list(user.grid_ids)
    community_ids = parse_ids(community_ids) if community_ids is not None else list(user.community_ids)
    street_ids = parse_ids(street_ids) if street_ids is not None else list(user.street_ids or [])
    _check_scope(role, grid_ids, community_ids, street_ids)
    active = user.active if active is None else active
    if manages_accounts(user.role, user.active) and not manages_accounts(role, active) \
            and not other_account_managers(user):
        raise UserInvalid("role", "last_admin")
    if password:
        weak = passwords.weak_reason(password, user.username)
        if weak:
            raise UserInvalid("password", weak, min=passwords.MIN_LENGTH)
        user.password_hash = passwords.hash_password(password)
        user.password_changed_at = now()
        user.must_change_password = True  # set by someone else: the user chooses their own at next sign-in
    if name:
        user.name = name.strip()
    user.role, user.grid_ids, user.community_ids, user.active = role, grid_ids, community_ids, active
    user.street_ids = street_ids
    user.updated_at, user.updated_by = now(), by
    user.save()
    after = {"role": role, "grid_ids": grid_ids, "community_ids": community_ids, "street_ids": street_ids,
             "active": active}
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changed or password:
        audit("user.updated", by=by, user_id=str(user.pk), changed=changed, password_reset=bool(password))
    if password or not active or "role" in changed:
        end_sessions_of(str(user.pk))
    return user


def reset_password(*, username: str, by: str = "cli") -> str:
    """A new one-time password for `username` (to be changed at sign-in); their sessions end. Returns it."""
    user = User.objects(username=(username or "").strip().lower()).first()
    if user is None:
        raise UserInvalid("username", "unknown_user")
    password = passwords.one_time_password()
    User.objects(pk=user.pk).update_one(
        set__password_hash=passwords.hash_password(password), set__password_changed_at=now(),
        set__must_change_password=True, set__updated_at=now(), set__updated_by=by)
    audit("password.reset", by=by, user_id=str(user.pk))
    end_sessions_of(str(user.pk))
    return password


def change_own_password(user: User, *, current: str, new: str, repeat: str, keep_token: str | None = None) -> None:
    """The user's own change (current password, the new one twice); other sessions of theirs end."""
    if not passwords.verify_password(user.password_hash, current or ""):
        raise UserInvalid("current", "wrong_current")
    if new != repeat:
        raise UserInvalid("repeat", "mismatch")
    if new == current:
        raise UserInvalid("new", "unchanged")
    weak = passwords.weak_reason(new or "", user.username)
    if weak:
        raise UserInvalid("new", weak, min=passwords.MIN_LENGTH)
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = user.updated_at = now()
    user.must_change_password = False
    user.updated_by = str(user.pk)
    user.save()
    audit("password.changed", by=str(user.pk), user_id=str(user.pk))
    end_sessions_of(str(user.pk), except_token=keep_token)
