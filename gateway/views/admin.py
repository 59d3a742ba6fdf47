"""Admin pages: users, their roles and scopes, their sessions, password resets, failed sign-ins."""
from bson import ObjectId
from bson.errors import InvalidId
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway import sign_in_throttle
from gateway.auth import current_user, permission_required, principal
from gateway.forms.accounts import UserForm
from gateway.forms.common import PostForm
from gateway.models import SCOPE_KIND, AuditEntry, User
from gateway.sessions import end_sessions_of, sessions_of
from gateway.upstream import ServiceError, client
from gateway.users import (
    UserInvalid,
    audit,
    create_user,
    manages_accounts,
    other_account_managers,
    parse_ids,
    reset_password,
    update_user,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def user_error_message(exc: UserInvalid) -> str:
    """A refused user or password change, in the user's language."""
    return {
        "taken": _("This username is taken."),
        "too_short": _("Use at least %(min)s characters.", min=exc.params.get("min", 8)),
        "same_as_username": _("The password must differ from the username."),
        "contains_username": _("The password must not contain the username."),
        "common": _("This password is too easy to guess; choose another."),
        "one_kind": _("Mix at least two of: letters, digits, other characters."),
        "wrong_current": _("The current password is wrong."),
        "mismatch": _("The two new passwords differ."),
        "unchanged": _("The new password must differ from the current one."),
        "unknown_user": _("No such user."),
        "grids_needed": _("A grid worker needs at least one grid."),
        "communities_needed": _("This role needs at least one community."),
        "streets_needed": _("Street staff need at least one street."),
        "streets_only_street_staff": _("Only street staff serve streets."),
        "bad_id": _("Not valid ids: %(ids)s", ids=exc.params.get("ids", "")),
        "last_admin": _("The last administrator cannot be removed or deactivated."),
        "unknown_role": _("Choose a role."),
        "password_needed": _("Give a first password."),
    }.get(exc.code, _("Not valid."))


def _unknown_places(grid_ids: list[str], community_ids: list[str], street_ids: list[str] = ()) -> list[str]:
    """Ids the households service does not know (checked as the admin); [] when it cannot be asked."""
    unknown = []
    try:
        hh = client("households", principal())
        for gid in grid_ids:
            try:
                hh.get(f"/grids/{gid}")
            except ServiceError as exc:
                if exc.status == 404:
                    unknown.append(gid)
                else:
                    raise
        if community_ids:
            known = {c["id"] for c in hh.get("/communities")}
            unknown += [c for c in community_ids if c not in known]
        if street_ids:
            streets = {s["id"] for s in hh.get("/streets")}
            unknown += [s for s in street_ids if s not in streets]
    except ServiceError:
        flash(_("The register could not be asked whether these grids and communities exist."), "error")
        return []
    return unknown


def _unknown_field(unknown: list[str], grid_ids: list[str], street_ids: list[str]) -> str:
    """The form field the first unknown ids were given in."""
    return "grid_ids" if set(unknown) & set(grid_ids) else "street_ids" if set(unknown) & set(street_ids) \
        else "community_ids"


@bp.get("/users")
@permission_required("accounts.manage")
def users():
    q = (request.args.get("q") or "").strip().lower()[:40]
    role = request.args.get("role") or ""
    query = User.objects.order_by("username").only("username", "name", "role", "grid_ids", "community_ids",
                                                    "street_ids", "active", "last_login_at")
    if role:
        query = query.filter(role=role)
    rows = [u for u in query if not q or q in u.username or q in u.name.lower()
            or q in [x.lower() for x in u.grid_ids + u.community_ids + list(u.street_ids or [])]]
    return render_template("admin/users.html", users=rows[:200], more=len(rows) > 200, q=q, role=role)


def _user(user_id: str) -> User:
    try:
        user = User.objects(pk=ObjectId(user_id)).first()
    except (InvalidId, TypeError):
        user = None
    if user is None:
        abort(404)
    return user


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required("accounts.manage")
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        grid_ids, community_ids = parse_ids(form.grid_ids.data), parse_ids(form.community_ids.data)
        street_ids = parse_ids(form.street_ids.data)
        try:
            if not form.password.data:
                raise UserInvalid("password", "password_needed")
            unknown = _unknown_places(grid_ids, community_ids, street_ids)
            if unknown:
                raise UserInvalid(_unknown_field(unknown, grid_ids, street_ids), "bad_id", ids=", ".join(unknown))
            user = create_user(username=form.username.data, password=form.password.data, role=form.role.data,
                               name=form.name.data, grid_ids=grid_ids, community_ids=community_ids,
                               street_ids=street_ids, active=form.active.data, by=str(current_user().pk))
        except UserInvalid as exc:
            getattr(form, exc.field, form.username).errors.append(user_error_message(exc))
        else:
            flash(_("User %(name)s created.", name=user.username), "ok")
            return redirect(url_for("admin.users"), code=303)
    return render_template("admin/user_form.html", form=form, edited=None, scope_kind=SCOPE_KIND), \
        (422 if request.method == "POST" else 200)


@bp.route("/users/<user_id>", methods=["GET", "POST"])
@permission_required("accounts.manage")
def edit_user(user_id):
    user = _user(user_id)
    form = UserForm(obj=None if request.method == "POST" else user)
    if request.method == "GET":
        form.grid_ids.data = ", ".join(user.grid_ids)
        form.community_ids.data = ", ".join(user.community_ids)
        form.street_ids.data = ", ".join(user.street_ids or [])
        form.password.data = ""
    elif form.validate_on_submit():
        grid_ids, community_ids = parse_ids(form.grid_ids.data), parse_ids(form.community_ids.data)
        street_ids = parse_ids(form.street_ids.data)
        try:
            new_places = [g for g in grid_ids if g not in user.grid_ids]
            new_comms = [c for c in community_ids if c not in user.community_ids]
            new_streets = [s for s in street_ids if s not in (user.street_ids or [])]
            unknown = _unknown_places(new_places, new_comms, new_streets)
            if unknown:
                raise UserInvalid(_unknown_field(unknown, grid_ids, street_ids), "bad_id", ids=", ".join(unknown))
            if user.pk == current_user().pk and not manages_accounts(form.role.data, form.active.data):
                raise UserInvalid("active", "self") if other_account_managers(user) else \
                    UserInvalid("role", "last_admin")
            update_user(user, by=str(current_user().pk), name=form.name.data, role=form.role.data,
                        grid_ids=grid_ids, community_ids=community_ids, street_ids=street_ids,
                        active=form.active.data,
                        password=form.password.data or None)
        except UserInvalid as exc:
            message = _("You cannot deactivate or demote yourself.") if exc.code == "self" else user_error_message(exc)
            getattr(form, exc.field, form.username).errors.append(message)
        else:
            flash(_("User %(name)s saved.", name=user.username), "ok")
            return redirect(url_for("admin.users"), code=303)
    form.username.render_kw = {"readonly": True}
    trail = list(AuditEntry.objects(user_id=str(user.pk)).order_by("-at").limit(20))
    return render_template("admin/user_form.html", form=form, edited=user, sessions=sessions_of(str(user.pk)),
                           audit=trail, post_form=PostForm(), scope_kind=SCOPE_KIND), \
        (422 if request.method == "POST" else 200)


@bp.post("/users/<user_id>/sessions/end")
@permission_required("accounts.manage")
def end_sessions(user_id):
    user = _user(user_id)
    form = PostForm()
    if form.validate_on_submit():
        n = end_sessions_of(str(user.pk))
        audit("sessions.ended", by=str(current_user().pk), user_id=str(user.pk), count=n)
        flash(_("%(n)s session(s) ended.", n=n), "ok")
    return redirect(url_for("admin.edit_user", user_id=user_id), code=303)


@bp.post("/users/<user_id>/password/reset")
@permission_required("accounts.manage")
def reset_user_password(user_id):
    """A one-time password, shown on this answer only (never flashed or stored in a session)."""
    user = _user(user_id)
    form = PostForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.edit_user", user_id=user_id), code=303)
    password = reset_password(username=user.username, by=str(current_user().pk))
    response = make_response(render_template("admin/password_reset.html", edited=user, password=password))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/sign-ins")
@permission_required("accounts.manage")
def failed_sign_ins():
    """Recent failed sign-ins (account, address, time) and the counters slowing guessers down."""
    failures = list(AuditEntry.objects(action="sign_in.failed").order_by("-at").limit(200))
    return render_template("admin/sign_ins.html", failures=failures, slowed=sign_in_throttle.slowed_down())
